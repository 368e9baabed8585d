"""What the public pages show: which editions of a bulletin are public, which one is in force,
the one a URL names and its files, and the state of the list a page's ETag names.

The pages (publishing.views, publishing.lookup) and their ETags and Last-Modified
(publishing.caching) read editions through here, without their snapshot and diff; which
statuses are public is the model's (`Edition.objects.public()`, `Edition.PUBLIC_STATUSES`).
The feed, the snapshot download and the latest-file redirect ask the model directly for the
few columns they need. What a page asks for several times (its validators, then the view) is
looked up once per request (publishing.memo).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Count, Max
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

from catalogue.models import Bulletin

from .links import bulletin_slug, is_default
from .memo import once_per_request
from .models import Edition, EditionFile
from .pages import PAGE_DEFERRED
from .rendering.document import DATAPACKAGE_NAME


def public_editions(slug: str | None) -> Any:
    """A bulletin's public editions (the default one's), without their snapshot and diff."""
    return (
        Edition.objects.public()
        .filter(bulletin__slug=bulletin_slug(slug))
        .defer(*PAGE_DEFERRED)
        .select_related("bulletin")
    )


@once_per_request
def public_bulletins(request: HttpRequest) -> list[tuple[str, str]]:
    """(slug, title) of every bulletin with public editions, the default one first."""
    rows = (
        Bulletin.objects.filter(editions__status__in=Edition.PUBLIC_STATUSES)
        .values_list("slug", "title")
        .distinct()
        .order_by("slug")
    )
    return sorted(rows, key=lambda row: not is_default(row[0]))


@once_per_request
def edition_in_force(request: HttpRequest, slug: str | None = None) -> Edition | None:
    """The bulletin's edition in force (its newest published one), or None."""
    return public_editions(slug).published().newest_first().first()


@once_per_request
def public_edition(request: HttpRequest, date: datetime.date, slug: str | None = None) -> Edition:
    """The bulletin's edition of that date, with the one before it, if public; else 404."""
    edition = (
        public_editions(slug)
        .filter(date=date)
        .select_related("previous")
        .defer(*(f"previous__{field}" for field in PAGE_DEFERRED))
        .first()
    )
    if edition is None:
        raise Http404(_("找不到這個公告版本。"))
    return edition


def current_for(edition: Edition) -> Edition | None:
    """The edition in force, for a page of one that is no longer in force (else None)."""
    if edition.status == Edition.Status.PUBLISHED:
        return None
    in_force = public_editions(edition.bulletin.slug).published().newest_first()
    return in_force.only("pk", "date", "bulletin__slug").first()


@once_per_request
def list_state(request: HttpRequest, slug: str | None = None) -> dict[str, Any]:
    """{"count": how many public editions, "changed": the latest updated_at among them}."""
    return public_editions(slug).aggregate(count=Count("pk"), changed=Max("updated_at"))


def public_filename(edition: Edition, fmt: str) -> str:
    """policy-industries-114-12-30.pdf: a file's name in its URL, whatever storage named it."""
    return edition.file_name(fmt)


def _format_of(filename: str) -> str:
    if filename == DATAPACKAGE_NAME:
        return EditionFile.Format.DATAPACKAGE
    return filename.rpartition(".")[2]


@once_per_request
def public_file(
    request: HttpRequest, date: datetime.date, filename: str, slug: str | None = None
) -> EditionFile:
    """The file of a public edition that this URL names (public_filename); else 404."""
    fmt = _format_of(filename)
    file = (
        EditionFile.objects.filter(
            edition__bulletin__slug=bulletin_slug(slug),
            edition__date=date,
            edition__status__in=Edition.PUBLIC_STATUSES,
            format=fmt,
        )
        .select_related("edition__bulletin")
        .defer(*(f"edition__{field}" for field in PAGE_DEFERRED))
        .first()
    )
    if file is None or public_filename(file.edition, fmt) != filename:
        raise Http404(_("找不到這個檔案。"))
    return file


# The order the public pages and the feed list an edition's files in.
DOWNLOAD_ORDER = ("pdf", "html", "csv", "xlsx", "ods", "json", "datapackage")


def files_for_download(edition: Edition) -> list[EditionFile]:
    """The edition's files in download order (prefetched files are used as they are)."""
    return sorted(edition.files.all(), key=lambda f: DOWNLOAD_ORDER.index(f.format))
