"""How the public pages and files are kept by caches: headers, validators, the page cache.

Every public page and file may be kept by a shared cache: none sets a cookie, all carry
`Cache-Control: public` with an ETag and a Last-Modified. Pages vary with the language cookie
of a visitor who chose English; files are the same for everyone (`language_independent`).

A page's ETag names everything it shows (the editions' state, the language, the templates'
version: `page_etag`), so a request that sends it back is answered 304 (`public_page`), and a
page whose ETag is already known is served from this process's copy (`kept_page`) without
rendering. The validators of publishing.views' pages are here; those of the look-up, which
name the question asked, are beside it in publishing.lookup.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
from collections.abc import Callable
from typing import Any

from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control
from django.utils.translation import get_language
from django.views.decorators.http import condition, require_safe

from . import selectors
from .links import bulletin_slug
from .memo import once_per_request
from .models import Edition
from .pages import CACHE_ALIAS, page_version

# Edition files never change once published: a year, and browsers need not revalidate.
FILE_CACHE_CONTROL = "public, max-age=31536000, immutable"
# Pages change when an edition is published or withdrawn: a shared cache keeps them 5 minutes.
PAGE_MAX_AGE = 300
# A latest-file address changes its target at each publication: caches keep it one minute.
LATEST_MAX_AGE = 60

View = Callable[..., HttpResponse]


def language_independent(view: View) -> View:
    """Mark a view's responses as the same in every language (config.middleware: no Vary)."""

    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> HttpResponse:
        response = view(*args, **kwargs)
        response.language_independent = True  # type: ignore[attr-defined]
        return response

    return wrapped


def public_page(
    etag: Callable[..., str], last_modified: Callable[..., datetime.datetime]
) -> Callable[[View], View]:
    """GET/HEAD only, answered 304 when unchanged, and kept by shared caches for PAGE_MAX_AGE."""

    def decorator(view: View) -> View:
        conditional = condition(etag_func=etag, last_modified_func=last_modified)(view)
        conditional = require_safe(conditional)

        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            response = conditional(request, *args, **kwargs)
            if response.status_code in (200, 304):
                patch_cache_control(response, public=True, max_age=PAGE_MAX_AGE)
            return response

        return wrapped

    return decorator


def kept_page(etag: Callable[..., str]) -> Callable[[View], View]:
    """Keep a page's bytes under its ETag and path: an unchanged page is not rendered again.

    The ETag already names everything the page shows (the edition's state, the language, the
    templates' version); the path is the rest (the language links point back to it). The
    copy is kept in the `public_pages` cache, beside the tables of publishing.pages.
    """

    def decorator(view: View) -> View:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            key = f"page:{etag(request, *args, **kwargs)}:{request.path}"
            cache = caches[CACHE_ALIAS]
            content = cache.get(key)
            if content is not None:
                return HttpResponse(content)
            response = view(request, *args, **kwargs)
            if response.status_code == 200:
                cache.set(key, response.content, None)
            return response

        return wrapped

    return decorator


def page_etag(*parts: Any) -> str:
    """A strong ETag from what a page shows, the language and the templates' version."""
    text = "|".join(str(p) for p in (*parts, get_language(), page_version()[0]))
    return '"' + hashlib.sha256(text.encode()).hexdigest()[:32] + '"'


def page_last_modified(*times: datetime.datetime | None) -> datetime.datetime:
    """The latest of the data's times and the templates' time."""
    return max([*(t for t in times if t is not None), page_version()[1]])


# The validators of publishing.views' pages and files. An ETag is asked for twice (by
# condition, then by kept_page): once_per_request computes it once.


def _edition_state(edition: Edition) -> tuple[Any, ...]:
    return (edition.pk, edition.snapshot_sha256, edition.status, edition.updated_at)


@once_per_request
def home_etag(request: HttpRequest, slug: str | None = None) -> str:
    edition = selectors.edition_in_force(request, slug)
    state = _edition_state(edition) if edition else ()
    bulletins = selectors.public_bulletins(request)
    return page_etag("home", bulletin_slug(slug), bulletins, *state)


def home_last_modified(request: HttpRequest, slug: str | None = None) -> datetime.datetime:
    edition = selectors.edition_in_force(request, slug)
    return page_last_modified(edition.updated_at if edition else None)


@once_per_request
def list_etag(request: HttpRequest, slug: str | None = None) -> str:
    state = selectors.list_state(request, slug)
    return page_etag("editions", bulletin_slug(slug), state["count"], state["changed"])


def list_last_modified(request: HttpRequest, slug: str | None = None) -> datetime.datetime:
    return page_last_modified(selectors.list_state(request, slug)["changed"])


@once_per_request
def edition_etag(request: HttpRequest, date: datetime.date, slug: str | None = None) -> str:
    """An edition's page and manifest: its state, and which edition is in force instead."""
    edition = selectors.public_edition(request, date, slug)
    current = selectors.current_for(edition)
    return page_etag("edition", *_edition_state(edition), current.pk if current else "")


def edition_last_modified(
    request: HttpRequest, date: datetime.date, slug: str | None = None
) -> datetime.datetime:
    return page_last_modified(selectors.public_edition(request, date, slug).updated_at)


def file_etag(
    request: HttpRequest, date: datetime.date, filename: str, slug: str | None = None
) -> str:
    """A file's SHA-256: the same bytes have the same ETag at every address."""
    return f'"{selectors.public_file(request, date, filename, slug).sha256}"'


def file_last_modified(
    request: HttpRequest, date: datetime.date, filename: str, slug: str | None = None
) -> datetime.datetime:
    return selectors.public_file(request, date, filename, slug).created_at


def bulletins_etag(request: HttpRequest) -> str:
    return page_etag("bulletins", selectors.public_bulletins(request))


def data_etag(request: HttpRequest) -> str:
    return page_etag("data", selectors.public_bulletins(request))


def templates_last_modified(request: HttpRequest) -> datetime.datetime:
    """The templates' time: the list of bulletins has no time of its own (its ETag names it)."""
    return page_last_modified()
