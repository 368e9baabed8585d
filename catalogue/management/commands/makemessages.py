"""makemessages that also collects N_("…") (gettext_noop) and skips folders that are not the site.

Labels stored in data or translated on display (the diff's field names, the open data's column
names) are marked with `from django.utils.translation import gettext_noop as N_`; xgettext does
not know that alias unless told.

    manage.py makemessages -l en
    manage.py compilemessages --ignore=.venv
"""

from typing import Any

from django.core.management.commands import makemessages

# Tests, benchmarks and generated files hold no user-facing text of their own.
PROJECT_IGNORE_PATTERNS = ["tests", "bench", "var", "node_modules"]


class Command(makemessages.Command):
    # site_language("…") (catalogue/i18n.py) translates stored texts into the site's language.
    xgettext_options = [
        *makemessages.Command.xgettext_options,
        "--keyword=N_",
        "--keyword=site_language",
    ]

    def handle(self, *args: Any, **options: Any) -> None:
        options["ignore_patterns"] = [*options["ignore_patterns"], *PROJECT_IGNORE_PATTERNS]
        super().handle(*args, **options)
