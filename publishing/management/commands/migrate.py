"""Django's migrate, checking the PostgreSQL triggers after migrating instead of before.

migrate runs the system checks first, and publishing.E001 reports triggers that differ from
what publishing/triggers.py generates; but the post_migrate handler at the end of this very
command is what installs them, so a life-cycle change would stop the one command that brings
it to the database. Here the checks run as Django's do, that one excepted, and once the
migrations and post_migrate are done, the database checks run again, that one included.
"""

from typing import Any

from django.core.checks import Tags
from django.core.management.commands import migrate

from publishing import triggers


class Command(migrate.Command):
    def check(self, *args: Any, **kwargs: Any) -> None:
        with triggers.check_deferred():
            super().check(*args, **kwargs)

    def handle(self, *args: Any, **options: Any) -> None:
        super().handle(*args, **options)
        if not options["skip_checks"]:
            super().check(tags=[Tags.database], databases=[options["database"]])
