"""The public site: each bulletin's editions, their files, feeds and latest-file addresses.

The default bulletin (settings.PUBLIC_BULLETIN_SLUG) answers at the addresses published since
the first edition (`/`, `/editions/…`); every bulletin with public editions answers under
`/b/<slug>/` with the same pages (see publishing.links). The look-up, the scopes' pages, the
open-data page, the list of bulletins and the language links have one address each; the
look-up and the scopes' pages read the default bulletin.
"""

import datetime

from django.urls import URLPattern, include, path, register_converter
from django.views.decorators.cache import cache_control

from . import caching, lookup, views
from .feeds import EditionFeed


class IsoDateConverter:
    """2025-12-30 in the URL, a date in the view; anything else does not match (404)."""

    regex = r"\d{4}-\d{2}-\d{2}"

    def to_python(self, value: str) -> datetime.date:
        return datetime.date.fromisoformat(value)

    def to_url(self, value: datetime.date | str) -> str:
        return value if isinstance(value, str) else value.isoformat()


class LatestFormatConverter:
    """pdf, csv, json, xlsx, ods or html: the formats with a latest-file address."""

    regex = "|".join(views.LATEST_FORMATS)

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(IsoDateConverter, "isodate")
register_converter(LatestFormatConverter, "latestformat")

app_name = "public"


def bulletin_pages(prefix: str = "", wrap: object = None) -> list[URLPattern]:
    """One bulletin's pages; names begin with prefix, views pass through wrap (if any)."""

    def view(function: object) -> object:
        return wrap(function) if wrap else function  # type: ignore[operator]

    feed = cache_control(public=True, max_age=caching.PAGE_MAX_AGE)(EditionFeed())
    return [
        path("", view(views.home), name=f"{prefix}home"),
        path("editions/", view(views.edition_list), name=f"{prefix}editions"),
        path("editions/feed.atom", view(feed), name=f"{prefix}feed"),
        path("editions/<isodate:date>/", view(views.edition_detail), name=f"{prefix}edition"),
        path(
            "editions/<isodate:date>/manifest.json",
            view(views.edition_manifest),
            name=f"{prefix}manifest",
        ),
        path(
            "editions/<isodate:date>/snapshot.json",
            view(views.edition_snapshot),
            name=f"{prefix}snapshot",
        ),
        path(
            "editions/<isodate:date>/<str:filename>",
            view(views.download),
            name=f"{prefix}download",
        ),
        path("latest.<latestformat:fmt>", view(views.latest_file), name=f"{prefix}latest"),
        path(
            "latest/datapackage.json",
            view(views.latest_file),
            {"fmt": "datapackage"},
            name=f"{prefix}latest_datapackage",
        ),
    ]


urlpatterns = [
    path("language/<str:code>/", views.choose_language, name="language"),
    path("search/", lookup.search_page, name="search"),
    path("scopes/<int:scope_id>/", lookup.scope_page, name="scope"),
    path("data/", views.open_data, name="data"),
    path("b/", views.bulletin_list, name="bulletins"),
    path("b/<slug:slug>/", include(bulletin_pages("bulletin_", views.public_bulletin))),
    *bulletin_pages(),
]
