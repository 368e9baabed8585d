"""The public pages: no login, only published, superseded and withdrawn editions, from snapshots.

An edition that is not public, or a file of one, answers 404 whatever its URL: every file is
served by `download`, which checks the edition first (edition files never get a MEDIA_URL) and
sends only bytes whose SHA-256 is the published one (publishing.integrity).

Which editions a page shows, and which file a download names, is publishing.selectors' answer;
how the pages and files are kept by caches (no cookie, `Cache-Control: public`, ETag,
Last-Modified, the page cache) is publishing.caching's.
"""

import datetime
import json
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
)
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import condition, require_safe

from catalogue.roc import roc_date_filename

from . import caching, selectors
from .caching import (
    FILE_CACHE_CONTROL,
    LATEST_MAX_AGE,
    PAGE_MAX_AGE,
    kept_page,
    language_independent,
    public_page,
)
from .integrity import FileUnavailable, verified_content
from .links import bulletin_slug, public_url
from .models import Edition, EditionFile
from .pages import frozen_diff, render_with_table
from .rendering.wording import labels
from .selectors import files_for_download, public_filename
from .snapshot import canonical_bytes

# The downloads a browser shows rather than saves.
INLINE_FORMATS = {"pdf", "html"}


def _download_labels() -> dict[str, str]:
    return {
        "pdf": _("PDF（列印版）"),
        "html": _("HTML（網頁版）"),
        "csv": _("CSV（開放資料）"),
        "xlsx": _("Excel 試算表（XLSX）"),
        "ods": _("OpenDocument 試算表（ODS）"),
        "json": _("JSON（開放資料）"),
        "datapackage": _("資料包說明（datapackage.json）"),
    }


def public_bulletin(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Under /b/<slug>/: 404 for a bulletin that has no public edition (or does not exist)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, slug: str, **kwargs: Any) -> HttpResponse:
        if not Edition.objects.public().filter(bulletin__slug=slug).exists():
            raise Http404(_("找不到這份彙整表。"))
        return view(request, *args, slug=slug, **kwargs)

    return wrapped


def download_name(edition: Edition, fmt: str) -> str:
    """政策性產業彙整表-114-12-30.pdf: the Chinese name a saved file gets; its date written as
    in every file name (catalogue.roc.roc_date_filename)."""
    if fmt == EditionFile.Format.DATAPACKAGE:
        return edition.file_name(fmt)  # the name its standard gives it, for tools to find
    return f"{labels()['download_name']}-{roc_date_filename(edition.date)}.{fmt}"


def edition_links(edition: Edition) -> dict[str, str]:
    """The paths of an edition's page, snapshot and manifest, under its bulletin's address."""
    slug, date = edition.bulletin.slug, edition.date
    return {name: public_url(name, slug, date) for name in ("edition", "snapshot", "manifest")}


def _downloads(edition: Edition) -> list[dict[str, Any]]:
    names = _download_labels()
    files = files_for_download(edition)
    return [
        {
            "file": file,
            "label": names[file.format],
            "url": public_url(
                "download",
                edition.bulletin.slug,
                edition.date,
                public_filename(edition, file.format),
            ),
            "download_name": download_name(edition, file.format),
        }
        for file in files
    ]


@public_page(caching.home_etag, caching.home_last_modified)
@kept_page(caching.home_etag)
def home(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    edition = selectors.edition_in_force(request, slug)
    bulletins = selectors.public_bulletins(request)
    context: dict[str, Any] = {
        "nav": "home",
        "edition": edition,
        "bulletin_slug": bulletin_slug(slug),
        # Listed once there is more than one, each at its own address.
        "bulletins": _bulletin_entries(bulletins) if len(bulletins) > 1 else [],
    }
    if edition is not None:
        context["downloads"] = _downloads(edition)
        context["diff"] = frozen_diff(edition)
        return render_with_table(request, "public/home.html", context, edition)
    return render(request, "public/home.html", context)


def _bulletin_entries(bulletins: list[tuple[str, str]]) -> list[dict[str, str]]:
    return [{"slug": s, "title": t, "url": public_url("home", s)} for s, t in bulletins]


# The columns the list shows: its cost does not grow with the size of the bulletin.
LIST_COLUMNS = ("pk", "date", "status", "change_note", "withdrawn_reason", "bulletin__slug")


@public_page(caching.list_etag, caching.list_last_modified)
@kept_page(caching.list_etag)
def edition_list(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    editions = selectors.public_editions(slug).only(*LIST_COLUMNS).newest_first()
    context = {"nav": "editions", "editions": editions, "bulletin_slug": bulletin_slug(slug)}
    return render(request, "public/edition_list.html", context)


@public_page(caching.edition_etag, caching.edition_last_modified)
@kept_page(caching.edition_etag)
def edition_detail(
    request: HttpRequest, date: datetime.date, slug: str | None = None
) -> HttpResponse:
    edition = selectors.public_edition(request, date, slug)
    context = {
        "bulletin_slug": edition.bulletin.slug,
        "links": edition_links(edition),
        "edition": edition,
        "downloads": _downloads(edition),
        "diff": frozen_diff(edition),
        "previous": edition.previous,
        "current": selectors.current_for(edition),
    }
    return render_with_table(request, "public/edition_detail.html", context, edition)


@require_safe
@language_independent
def edition_snapshot(
    request: HttpRequest, date: datetime.date, slug: str | None = None
) -> HttpResponse:
    """The frozen snapshot in its canonical bytes: `sha256sum` of it is the edition's SHA-256."""
    edition = (
        Edition.objects.public()
        .filter(bulletin__slug=bulletin_slug(slug), date=date)
        .only("snapshot", "snapshot_sha256", "updated_at")
        .first()
    )
    if edition is None:
        raise Http404(_("找不到這個公告版本。"))
    response = HttpResponse(canonical_bytes(edition.snapshot), content_type="application/json")
    response["ETag"] = f'"{edition.snapshot_sha256}"'
    response["Cache-Control"] = FILE_CACHE_CONTROL
    return response


@require_safe
@condition(etag_func=caching.edition_etag, last_modified_func=caching.edition_last_modified)
def edition_manifest(
    request: HttpRequest, date: datetime.date, slug: str | None = None
) -> HttpResponse:
    """What a citizen checks an edition against: its hashes, its files and the previous one."""
    edition = selectors.public_edition(request, date, slug)
    previous = edition.previous
    here = edition.bulletin.slug
    manifest = {
        "date": edition.date.isoformat(),
        "roc_date": edition.roc_date,
        "status": edition.status,
        "snapshot_url": request.build_absolute_uri(public_url("snapshot", here, edition.date)),
        "snapshot_sha256": edition.snapshot_sha256,
        "previous_date": previous.date.isoformat() if previous else None,
        "previous_manifest_url": request.build_absolute_uri(
            public_url("manifest", here, previous.date)
        )
        if previous
        else None,
        "previous_sha256": edition.previous_sha256 or None,
        "files": [
            {
                "format": item["file"].format,
                "url": request.build_absolute_uri(item["url"]),
                "size": item["file"].size,
                "sha256": item["file"].sha256,
                **_seal_manifest(item["file"]),
            }
            for item in _downloads(edition)
        ],
    }
    body = json.dumps(manifest, ensure_ascii=False, indent=2) + "\n"
    response = HttpResponse(body.encode(), content_type="application/json")
    response.language_independent = True  # type: ignore[attr-defined]
    patch_cache_control(response, public=True, max_age=PAGE_MAX_AGE)
    return response


def _seal_manifest(file: EditionFile) -> dict[str, Any]:
    """A sealed PDF's signature: who, when, and the approved (unsigned) file it starts with."""
    if not file.is_sealed:
        return {}
    return {
        "signed_by": file.signed_by,
        "signed_at": file.signed_at.isoformat(),
        "signer_certificate_sha256": file.signer_certificate_sha256,
        "unsigned_size": file.unsigned_size,
        "unsigned_sha256": file.unsigned_sha256,
    }


def content_disposition(disposition: str, ascii_name: str, name: str) -> str:
    """Both forms of the name (RFC 6266): an ASCII fallback, and the UTF-8 one as filename*."""
    return f"{disposition}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"


@require_safe
@language_independent
@condition(etag_func=caching.file_etag, last_modified_func=caching.file_last_modified)
def download(
    request: HttpRequest, date: datetime.date, filename: str, slug: str | None = None
) -> HttpResponse:
    file = selectors.public_file(request, date, filename, slug)
    try:
        content = verified_content(file)
    except FileUnavailable:
        return _file_unavailable(request, file)
    response = HttpResponse(content, content_type=file.content_type)
    response["Content-Length"] = str(len(content))
    disposition = "inline" if file.format in INLINE_FORMATS else "attachment"
    response["Content-Disposition"] = content_disposition(
        disposition,
        public_filename(file.edition, file.format),
        download_name(file.edition, file.format),
    )
    response["Cache-Control"] = FILE_CACHE_CONTROL
    return response


def _file_unavailable(request: HttpRequest, file: EditionFile) -> HttpResponse:
    """503: the stored file is not what was published; the public gets none of its bytes."""
    context = {
        "edition": file.edition,
        "format": file.get_format_display(),
        "bulletin_slug": file.edition.bulletin.slug,
    }
    response = render(request, "public/file_unavailable.html", context, status=503)
    response["Cache-Control"] = "no-store"
    response["Retry-After"] = "3600"
    return response


@never_cache
def choose_language(request: HttpRequest, code: str) -> HttpResponse:
    """The language links of the public pages: remember the choice in a cookie, go back.

    A link, not Django's set_language form, so that public pages carry no CSRF token and set
    no cookie until a visitor asks for another language.
    """
    languages = {language for language, _name in settings.LANGUAGES}
    if code not in languages:
        raise Http404(_("沒有這個語言。"))
    target = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("public:home")
    response = HttpResponseRedirect(target)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response


@require_safe
@language_independent
def latest_file(request: HttpRequest, fmt: str, slug: str | None = None) -> HttpResponse:
    """/latest.csv: a redirect (302) to that file of the bulletin's edition in force.

    Kept a minute by caches, so a new edition is found soon after it is published; the files
    it leads to are kept a year (they never change).
    """
    file = (
        EditionFile.objects.filter(
            edition__bulletin__slug=bulletin_slug(slug),
            edition__status=Edition.Status.PUBLISHED,
            format=fmt,
        )
        .select_related("edition__bulletin")
        .only("format", "edition__date", "edition__bulletin__slug")
        .order_by("-edition__date", "-edition__pk")
        .first()
    )
    if file is None:
        raise Http404(_("目前沒有現行版本的這個檔案。"))
    edition = file.edition
    target = public_url("download", slug, edition.date, public_filename(edition, fmt))
    response = HttpResponseRedirect(target)
    patch_cache_control(response, public=True, max_age=LATEST_MAX_AGE)
    return response


@public_page(caching.bulletins_etag, caching.templates_last_modified)
def bulletin_list(request: HttpRequest) -> HttpResponse:
    """/b/: every bulletin with public editions, at its own address."""
    context = {
        "nav": "bulletins",
        "bulletins": _bulletin_entries(selectors.public_bulletins(request)),
    }
    return render(request, "public/bulletin_list.html", context)


@public_page(caching.data_etag, caching.templates_last_modified)
def open_data(request: HttpRequest) -> HttpResponse:
    """/data/: the open data explained to those who reuse it (formats, addresses, licence)."""
    from .rendering.opendata import FIELDS, LICENCE

    bulletins = _bulletin_entries(selectors.public_bulletins(request))
    latest = [
        {
            "title": entry["title"],
            "links": [
                {
                    "format": fmt,
                    "url": request.build_absolute_uri(public_url("latest", entry["slug"], fmt)),
                }
                for fmt in LATEST_FORMATS
            ]
            + [
                {
                    "format": "datapackage",
                    "url": request.build_absolute_uri(
                        public_url("latest_datapackage", entry["slug"])
                    ),
                }
            ],
        }
        for entry in bulletins
    ]
    context = {
        "nav": "data",
        "latest": latest,
        "licence": LICENCE,
        "fields": [
            {"key": f.key, "label": _(f.label), "csv_type": f.csv_type, "json_type": f.json_type}
            for f in FIELDS
        ],
    }
    return render(request, "public/data.html", context)


# The formats a latest-file address exists for (the data package has its own address).
LATEST_FORMATS = ("pdf", "csv", "json", "xlsx", "ods", "html")
