"""The bulletin as one self-contained HTML file: the public table with its stylesheet inlined."""

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from publishing.snapshot import snapshot_sha256

from .document import Document
from .wording import labels

STYLESHEET = "public/site.css"


def stylesheet() -> str:
    path = finders.find(STYLESHEET)
    if path is None:  # pragma: no cover - the file ships with the app
        raise FileNotFoundError(STYLESHEET)
    with open(path, encoding="utf-8") as handle:
        return handle.read()


def render_html(document: Document) -> bytes:
    """The same table as the public page, without anything that changes between renderings."""
    context = {
        "document": document,
        "words": labels(),
        # Our own stylesheet, not catalogue text: nothing in it comes from a user.
        "css": mark_safe(stylesheet()),
        "snapshot_sha256": snapshot_sha256(document.snapshot),
    }
    return render_to_string("public/document.html", context).encode("utf-8")
