"""How the back office names a person: in revisions, conflicts, the dashboard and mail."""

from typing import Any

from django.utils.translation import gettext


def user_label(user: Any) -> str:
    """Who wrote a revision; 系統 when nobody was signed in (a command or a migration)."""
    if user is None:
        return gettext("系統")
    full_name = user.get_full_name()
    return f"{user.get_username()}（{full_name}）" if full_name else user.get_username()
