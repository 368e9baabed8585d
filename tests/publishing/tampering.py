"""Change an edition's row behind the model's and the database's back, as an intruder with
direct database access would: the model refuses such writes and the PostgreSQL triggers refuse
them too, so tests that plant bad data (to see what verification, rendering or the publish-time
check do with it) write through a plain queryset with the triggers switched off."""

from typing import Any

from django.db import connection, models, transaction

from publishing.models import Edition, EditionFile


def tamper(edition: Edition | EditionFile, **fields: Any) -> None:
    """UPDATE the edition's (or one of its files') columns without the model's guard or the
    triggers."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL session_replication_role = replica")  # triggers off
        models.QuerySet(model=type(edition)).filter(pk=edition.pk).update(**fields)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL session_replication_role = DEFAULT")
    edition.refresh_from_db()
