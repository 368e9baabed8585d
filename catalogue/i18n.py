"""Texts that are stored, not shown: always in the site's language, whoever is browsing."""

from typing import Any

from django.conf import settings
from django.utils import translation


def site_language(text: Any, **kwargs: Any) -> str:
    """text (a lazy or plain msgid) in the site's language, with {placeholders} filled in.

    Revision reasons and audit-trail notes are data: an approver who browses in English must
    not write English into the record that everyone else reads in Chinese.
    """
    with translation.override(settings.LANGUAGE_CODE):
        result = translation.gettext(text) if isinstance(text, str) else str(text)
    return result.format(**kwargs) if kwargs else result
