"""Where a bulletin's public pages and files live.

The default bulletin (settings.PUBLIC_BULLETIN_SLUG) keeps the addresses it has always had
(`/`, `/editions/…`); every bulletin with public editions, the default one included, also has
them under `/b/<slug>/`. Links always name the shortest address of a bulletin, so the default
bulletin's pages keep linking to the addresses already cited and cached.
"""

from typing import Any

from django.conf import settings
from django.urls import reverse


def is_default(slug: str | None) -> bool:
    return not slug or slug == settings.PUBLIC_BULLETIN_SLUG


def bulletin_slug(slug: str | None) -> str:
    """The bulletin a URL names: its slug, or the default bulletin's when it names none."""
    return settings.PUBLIC_BULLETIN_SLUG if is_default(slug) else str(slug)


def public_url(name: str, slug: str | None, *args: Any) -> str:
    """The path of one of a bulletin's pages or files ("home", "edition", "download", …)."""
    if is_default(slug):
        return reverse(f"public:{name}", args=args)
    return reverse(f"public:bulletin_{name}", args=[slug, *args])
