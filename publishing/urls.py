"""The public site: the bulletin in force, every public edition, their files and a feed."""

import datetime

from django.urls import path, register_converter
from django.views.decorators.cache import cache_control

from . import lookup, views
from .feeds import EditionFeed


class IsoDateConverter:
    """2025-12-30 in the URL, a date in the view; anything else does not match (404)."""

    regex = r"\d{4}-\d{2}-\d{2}"

    def to_python(self, value: str) -> datetime.date:
        return datetime.date.fromisoformat(value)

    def to_url(self, value: datetime.date | str) -> str:
        return value if isinstance(value, str) else value.isoformat()


register_converter(IsoDateConverter, "isodate")

app_name = "public"

urlpatterns = [
    path("", views.home, name="home"),
    path("language/<str:code>/", views.choose_language, name="language"),
    path("editions/", views.edition_list, name="editions"),
    path("search/", lookup.search_page, name="search"),
    path("scopes/<int:scope_id>/", lookup.scope_page, name="scope"),
    path(
        "editions/feed.atom",
        cache_control(public=True, max_age=views.PAGE_MAX_AGE)(EditionFeed()),
        name="feed",
    ),
    path("editions/<isodate:date>/", views.edition_detail, name="edition"),
    path("editions/<isodate:date>/manifest.json", views.edition_manifest, name="manifest"),
    path("editions/<isodate:date>/snapshot.json", views.edition_snapshot, name="snapshot"),
    path("editions/<isodate:date>/<str:filename>", views.download, name="download"),
]
