"""The public pages: no login, only published, superseded and withdrawn editions, from snapshots.

An edition that is not public, or a file of one, answers 404 whatever its URL: every file is
served by `download`, which checks the edition first (edition files never get a MEDIA_URL) and
sends only bytes whose SHA-256 is the published one (publishing.integrity).

Every public page and file may be kept by a shared cache: none sets a cookie, all carry
`Cache-Control: public` with an ETag and a Last-Modified. Pages vary with the language cookie of
a visitor who chose English; files are the same for everyone.
"""

import datetime
import json
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.db.models import Count, Max
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

from .integrity import FileUnavailable, verified_content
from .models import Edition, EditionFile
from .pages import (
    PAGE_DEFERRED,
    frozen_diff,
    kept_page,
    page_etag,
    page_last_modified,
    render_with_table,
)
from .rendering.wording import labels
from .snapshot import canonical_bytes

# The order and the names of the downloads on a page.
DOWNLOAD_ORDER = ("pdf", "html", "csv", "xlsx", "ods", "json")
# Edition files never change once published: a year, and browsers need not revalidate.
FILE_CACHE_CONTROL = "public, max-age=31536000, immutable"
INLINE_FORMATS = {"pdf", "html"}
# Pages change when an edition is published or withdrawn: a shared cache keeps them 5 minutes.
PAGE_MAX_AGE = 300


def language_independent(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Mark a view's responses as the same in every language (config.middleware: no Vary)."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> HttpResponse:
        response = view(*args, **kwargs)
        response.language_independent = True  # type: ignore[attr-defined]
        return response

    return wrapped


def public_page(
    etag: Callable[..., str], last_modified: Callable[..., datetime.datetime]
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """GET/HEAD only, answered 304 when unchanged, and kept by shared caches for PAGE_MAX_AGE."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        conditional = condition(etag_func=etag, last_modified_func=last_modified)(view)
        conditional = require_safe(conditional)

        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            response = conditional(request, *args, **kwargs)
            if response.status_code in (200, 304):
                patch_cache_control(response, public=True, max_age=PAGE_MAX_AGE)
            return response

        return wrapped

    return decorator


def _download_labels() -> dict[str, str]:
    return {
        "pdf": _("PDF（列印版）"),
        "html": _("HTML（網頁版）"),
        "csv": _("CSV（開放資料）"),
        "xlsx": _("Excel 試算表（XLSX）"),
        "ods": _("OpenDocument 試算表（ODS）"),
        "json": _("JSON（開放資料）"),
    }


def _public_editions() -> Any:
    """The public bulletin's public editions, without their snapshot and diff."""
    return (
        Edition.objects.public()
        .filter(bulletin__slug=settings.PUBLIC_BULLETIN_SLUG)
        .defer(*PAGE_DEFERRED)
        .select_related("bulletin")
    )


def _home_edition(request: HttpRequest) -> Edition | None:
    """The edition in force (looked up once per request), or None."""
    if not hasattr(request, "_home_edition"):
        request._home_edition = _public_editions().published().newest_first().first()  # type: ignore[attr-defined]
    return request._home_edition  # type: ignore[attr-defined]


def _get_public_edition(request: HttpRequest, date: datetime.date) -> Edition:
    """The public bulletin's edition of that date (once per request), if public; else 404."""
    if not hasattr(request, "_public_edition"):
        edition = (
            _public_editions()
            .filter(date=date)
            .select_related("previous")
            .defer(*(f"previous__{field}" for field in PAGE_DEFERRED))
            .first()
        )
        if edition is None:
            raise Http404(_("找不到這個公告版本。"))
        request._public_edition = edition  # type: ignore[attr-defined]
    return request._public_edition  # type: ignore[attr-defined]


def _current_for(edition: Edition) -> Edition | None:
    """The edition in force, for a page of one that is no longer in force."""
    if edition.status == Edition.Status.PUBLISHED:
        return None
    in_force = _public_editions().published().newest_first().select_related(None)
    return in_force.only("pk", "date").first()


def download_name(edition: Edition, fmt: str) -> str:
    """政策性產業彙整表-114-12-30.pdf: the Chinese name a saved file gets; its date written as
    in every file name (catalogue.roc.roc_date_filename)."""
    return f"{labels()['download_name']}-{roc_date_filename(edition.date)}.{fmt}"


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


def _once_per_request(func: Callable[..., str]) -> Callable[..., str]:
    """A page's ETag is asked for twice (condition, kept_page): compute it once."""

    @wraps(func)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> str:
        memo = request.__dict__.setdefault("_etags", {})
        key = (func.__name__, args, tuple(sorted(kwargs.items())))
        if key not in memo:
            memo[key] = func(request, *args, **kwargs)
        return memo[key]

    return wrapped


@_once_per_request
def _home_etag(request: HttpRequest) -> str:
    edition = _home_edition(request)
    return page_etag("home", *(_edition_state(edition) if edition else ()))


def _home_last_modified(request: HttpRequest) -> datetime.datetime:
    edition = _home_edition(request)
    return page_last_modified(edition.updated_at if edition else None)


def _edition_state(edition: Edition) -> tuple[Any, ...]:
    return (edition.pk, edition.snapshot_sha256, edition.status, edition.updated_at)


@public_page(_home_etag, _home_last_modified)
@kept_page(_home_etag)
def home(request: HttpRequest) -> HttpResponse:
    edition = _home_edition(request)
    context: dict[str, Any] = {"nav": "home", "edition": edition}
    if edition is not None:
        context["downloads"] = _downloads(edition)
        context["diff"] = frozen_diff(edition)
        return render_with_table(request, "public/home.html", context, edition)
    return render(request, "public/home.html", context)


def _list_state(request: HttpRequest) -> dict[str, Any]:
    if not hasattr(request, "_list_state"):
        request._list_state = _public_editions().aggregate(  # type: ignore[attr-defined]
            count=Count("pk"), changed=Max("updated_at")
        )
    return request._list_state  # type: ignore[attr-defined]


@_once_per_request
def _list_etag(request: HttpRequest) -> str:
    state = _list_state(request)
    return page_etag("editions", state["count"], state["changed"])


def _list_last_modified(request: HttpRequest) -> datetime.datetime:
    return page_last_modified(_list_state(request)["changed"])


# The columns the list shows: its cost does not grow with the size of the bulletin.
LIST_COLUMNS = ("pk", "date", "status", "change_note", "withdrawn_reason")


@public_page(_list_etag, _list_last_modified)
@kept_page(_list_etag)
def edition_list(request: HttpRequest) -> HttpResponse:
    editions = _public_editions().select_related(None).only(*LIST_COLUMNS).newest_first()
    return render(request, "public/edition_list.html", {"nav": "editions", "editions": editions})


@_once_per_request
def _detail_etag(request: HttpRequest, date: datetime.date) -> str:
    edition = _get_public_edition(request, date)
    current = _current_for(edition)
    return page_etag("edition", *_edition_state(edition), current.pk if current else "")


def _detail_last_modified(request: HttpRequest, date: datetime.date) -> datetime.datetime:
    return page_last_modified(_get_public_edition(request, date).updated_at)


@public_page(_detail_etag, _detail_last_modified)
@kept_page(_detail_etag)
def edition_detail(request: HttpRequest, date: datetime.date) -> HttpResponse:
    edition = _get_public_edition(request, date)
    context = {
        "edition": edition,
        "downloads": _downloads(edition),
        "diff": frozen_diff(edition),
        "previous": edition.previous,
        "current": _current_for(edition),
    }
    return render_with_table(request, "public/edition_detail.html", context, edition)


@require_safe
@language_independent
def edition_snapshot(request: HttpRequest, date: datetime.date) -> HttpResponse:
    """The frozen snapshot in its canonical bytes: `sha256sum` of it is the edition's SHA-256."""
    edition = (
        Edition.objects.public()
        .filter(bulletin__slug=settings.PUBLIC_BULLETIN_SLUG, date=date)
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
@condition(etag_func=_detail_etag, last_modified_func=_detail_last_modified)
def edition_manifest(request: HttpRequest, date: datetime.date) -> HttpResponse:
    """What a citizen checks an edition against: its hashes, its files and the previous one."""
    edition = _get_public_edition(request, date)
    previous = edition.previous
    manifest = {
        "date": edition.date.isoformat(),
        "roc_date": edition.roc_date,
        "status": edition.status,
        "snapshot_url": request.build_absolute_uri(reverse("public:snapshot", args=[edition.date])),
        "snapshot_sha256": edition.snapshot_sha256,
        "previous_date": previous.date.isoformat() if previous else None,
        "previous_manifest_url": request.build_absolute_uri(
            reverse("public:manifest", args=[previous.date])
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
        .defer(*(f"edition__{field}" for field in PAGE_DEFERRED))
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
@language_independent
@condition(etag_func=_etag, last_modified_func=_last_modified)
def download(request: HttpRequest, date: datetime.date, filename: str) -> HttpResponse:
    file = _get_public_file(request, date, filename)
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
    context = {"edition": file.edition, "format": file.get_format_display()}
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
