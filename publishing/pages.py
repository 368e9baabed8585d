"""What the public pages show of an edition, rendered once and kept, keyed by its SHA-256.

A public edition never changes, so its table (and its diff) render to the same HTML every
time: rendering them per request cost 412 ms at 100× the bulletin. They are rendered once per
language and kept in the `public_pages` cache under the edition's snapshot SHA-256 (and the
digest of the templates, stylesheets and scripts, so a deploy that changes them renders
afresh). A page then reads the edition's short columns and wraps the kept HTML in the site's
chrome; the snapshot and the diff are read from the database only when the cache has nothing
yet. The whole page is kept too, in the same cache under its ETag (publishing.caching's
kept_page), so an unchanged page costs the queries that compute its ETag and one cache read.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from .diff import summary_text
from .models import Edition

CACHE_ALIAS = "public_pages"
# The fields a page reads of an edition; the snapshot and the diff stay in the database.
PAGE_DEFERRED = ("snapshot", "diff")


@functools.cache
def page_version() -> tuple[str, datetime.datetime]:
    """(digest, time) of the templates, stylesheets and scripts this process serves pages with."""
    templates = Path(settings.BASE_DIR) / "templates"
    paths = [*templates.glob("*.html"), *(templates / "public").rglob("*.html")]
    static = Path(__file__).parent / "static"
    paths += [*static.rglob("*.css"), *static.rglob("*.js")]
    digest, newest = hashlib.sha256(), 0.0
    for path in sorted(paths):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
        newest = max(newest, path.stat().st_mtime)
    changed = datetime.datetime.fromtimestamp(newest, tz=datetime.UTC)
    return digest.hexdigest()[:16], changed.replace(microsecond=0)


def _kept(key: str, render: Any) -> Any:
    cache = caches[CACHE_ALIAS]
    value = cache.get(key)
    if value is None:
        value = render()
        cache.set(key, value, None)
    return value


def _key(kind: str, edition: Edition) -> str:
    return ":".join(
        (kind, edition.snapshot_sha256, edition.date.isoformat(), get_language(), page_version()[0])
    )


# Where a page's template places the kept table; the bytes go in after rendering. Catalogue
# text is escaped in pages, so no "<!--" from it can be mistaken for the mark.
TABLE_MARK = "<!-- kept bulletin table -->"


def frozen_table(edition: Edition) -> dict[str, Any]:
    """{"title": the bulletin's title as published, "table": the table's HTML as UTF-8 bytes}.

    Bytes, not text: a page at 100× the bulletin carries 2.6 MB of table, and kept as bytes it
    is copied once into the response instead of decoded, joined and encoded again.
    """

    def render() -> dict[str, Any]:
        snapshot = edition.snapshot
        # page_links: anchors' links, copy buttons and links to the scopes' pages.
        context = {"snapshot": snapshot, "roc_date": edition.roc_date, "page_links": True}
        return {
            "title": snapshot["bulletin"]["full_title"],
            "table": render_to_string("public/_table.html", context).encode("utf-8"),
        }

    return _kept(_key("table", edition), render)


def render_with_table(
    request: HttpRequest, template: str, context: dict[str, Any], edition: Edition
) -> HttpResponse:
    """The page, with the edition's kept table where the template writes {{ frozen.table }}."""
    kept = frozen_table(edition)
    # Our own mark, not user data.
    context["frozen"] = {"title": kept["title"], "table": mark_safe(TABLE_MARK)}
    response = render(request, template, context)
    head, mark, tail = response.content.partition(TABLE_MARK.encode())
    if mark:
        response.content = b"".join((head, kept["table"], tail))
    return response


def frozen_diff(edition: Edition) -> dict[str, Any]:
    """{"summary": 新增 1、…, "has_changes": bool, "html": the diff's HTML}."""

    def render() -> dict[str, Any]:
        diff = edition.diff or {"first_edition": True}
        summary = summary_text(diff)
        html = render_to_string("public/_diff.html", {"diff": diff, "summary": summary})
        return {"summary": summary, "has_changes": bool(diff.get("changes")), "html": str(html)}

    key = _key(f"diff:{edition.pk}:{edition.previous_sha256}", edition)
    parts = _kept(key, render)
    return {**parts, "html": SafeString(parts["html"])}
