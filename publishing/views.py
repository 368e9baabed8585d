"""The public pages: no login, only published, superseded and withdrawn editions, from snapshots.

An edition that is not public, or a file of one, answers 404 whatever its URL: every file is
served by `download`, which checks the edition first (edition files never get a MEDIA_URL).
"""

import datetime
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import condition, require_safe

from catalogue.models import Bulletin

from .diff import summary_text
from .models import Edition, EditionFile
from .rendering.wording import labels

# The order and the names of the downloads on a page.
DOWNLOAD_ORDER = ("pdf", "html", "csv", "xlsx", "ods", "json")
# Edition files never change once published: a year, and browsers need not revalidate.
FILE_CACHE_CONTROL = "public, max-age=31536000, immutable"
INLINE_FORMATS = {"pdf", "html"}


def _download_labels() -> dict[str, str]:
    return {
        "pdf": _("PDF（列印版）"),
        "html": _("HTML（網頁版）"),
        "csv": _("CSV（開放資料）"),
        "xlsx": _("Excel 試算表（XLSX）"),
        "ods": _("OpenDocument 試算表（ODS）"),
        "json": _("JSON（開放資料）"),
    }


def _public_bulletin() -> Bulletin | None:
    return Bulletin.objects.filter(slug=settings.PUBLIC_BULLETIN_SLUG).first()


def _get_public_edition(date: datetime.date) -> Edition:
    """The public bulletin's edition of that date, if the public may read it; else 404."""
    edition = (
        Edition.objects.public()
        .filter(bulletin__slug=settings.PUBLIC_BULLETIN_SLUG, date=date)
        .select_related("bulletin", "previous")
        .first()
    )
    if edition is None:
        raise Http404(_("找不到這個公告版本。"))
    return edition


def download_name(edition: Edition, fmt: str) -> str:
    """政策性產業彙整表-114.12.30.pdf: the Chinese name a saved file gets."""
    return f"{labels()['download_name']}-{edition.roc_date}.{fmt}"


def public_filename(edition: Edition, fmt: str) -> str:
    """policy-industries-114-12-30.pdf: the file's name in its URL, whatever storage named it."""
    return f"{edition.file_basename()}.{fmt}"


def _downloads(edition: Edition) -> list[dict[str, Any]]:
    names = _download_labels()
    files = sorted(edition.files.all(), key=lambda f: DOWNLOAD_ORDER.index(f.format))
    return [
        {
            "file": file,
            "label": names[file.format],
            "url": reverse(
                "public:download", args=[edition.date, public_filename(edition, file.format)]
            ),
            "download_name": download_name(edition, file.format),
        }
        for file in files
    ]


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    bulletin = _public_bulletin()
    edition = Edition.objects.latest_published(bulletin) if bulletin else None
    context: dict[str, Any] = {"nav": "home", "edition": edition}
    if edition is not None:
        context["downloads"] = _downloads(edition)
        context["summary"] = summary_text(edition.diff or {"first_edition": True})
    return render(request, "public/home.html", context)


@require_safe
def edition_list(request: HttpRequest) -> HttpResponse:
    editions = (
        Edition.objects.public()
        .filter(bulletin__slug=settings.PUBLIC_BULLETIN_SLUG)
        .select_related("bulletin")
        .newest_first()
    )
    return render(request, "public/edition_list.html", {"nav": "editions", "editions": editions})


@require_safe
def edition_detail(request: HttpRequest, date: datetime.date) -> HttpResponse:
    edition = _get_public_edition(date)
    current = None
    if edition.status != Edition.Status.PUBLISHED:
        current = Edition.objects.latest_published(edition.bulletin)
    context = {
        "edition": edition,
        "downloads": _downloads(edition),
        "summary": summary_text(edition.diff or {"first_edition": True}),
        "previous": edition.previous,
        "current": current,
    }
    return render(request, "public/edition_detail.html", context)


def _get_public_file(request: HttpRequest, date: datetime.date, filename: str) -> EditionFile:
    """The file of a public edition that this URL names (looked up once per request); else 404."""
    cached = getattr(request, "_public_file", None)
    if cached is not None:
        return cached
    fmt = filename.rpartition(".")[2]
    file = (
        EditionFile.objects.filter(
            edition__bulletin__slug=settings.PUBLIC_BULLETIN_SLUG,
            edition__date=date,
            edition__status__in=Edition.PUBLIC_STATUSES,
            format=fmt,
        )
        .select_related("edition__bulletin")
        .first()
    )
    if file is None or public_filename(file.edition, fmt) != filename:
        raise Http404(_("找不到這個檔案。"))
    request._public_file = file  # type: ignore[attr-defined]
    return file


def _etag(request: HttpRequest, date: datetime.date, filename: str) -> str:
    return f'"{_get_public_file(request, date, filename).sha256}"'


def _last_modified(request: HttpRequest, date: datetime.date, filename: str) -> datetime.datetime:
    return _get_public_file(request, date, filename).created_at


def content_disposition(disposition: str, ascii_name: str, name: str) -> str:
    """Both forms of the name (RFC 6266): an ASCII fallback, and the UTF-8 one as filename*."""
    return f"{disposition}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"


@require_safe
@condition(etag_func=_etag, last_modified_func=_last_modified)
def download(request: HttpRequest, date: datetime.date, filename: str) -> FileResponse:
    file = _get_public_file(request, date, filename)
    response = FileResponse(file.file.open("rb"), content_type=file.content_type)
    response["Content-Length"] = str(file.size)
    disposition = "inline" if file.format in INLINE_FORMATS else "attachment"
    response["Content-Disposition"] = content_disposition(
        disposition,
        public_filename(file.edition, file.format),
        download_name(file.edition, file.format),
    )
    response["Cache-Control"] = FILE_CACHE_CONTROL
    return response
