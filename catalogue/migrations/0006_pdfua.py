"""A scope's agencies in order: the agency's table lists 經濟部 first in programme 2 and
國科會 first in programme 3. The many-to-many gets a through model with a position, kept in the
scope's revisions; the current agencies and every past revision's agencies take their
positions from the global order they were shown in until now (Agency.order, then name).
Django cannot add a through model to an existing many-to-many, so the field is removed and
added again around the copy.
"""

import django.db.models.deletion
import simple_history.models
from django.db import migrations, models


def copy_positions(apps, schema_editor):  # noqa: ANN001, ANN201
    Agency = apps.get_model("catalogue", "Agency")
    Scope = apps.get_model("catalogue", "Scope")
    ScopeAgency = apps.get_model("catalogue", "ScopeAgency")
    OldHistory = apps.get_model("catalogue", "HistoricalScope_agencies")
    NewHistory = apps.get_model("catalogue", "HistoricalScopeAgency")
    rank = {
        pk: i
        for i, pk in enumerate(
            Agency.objects.order_by("order", "name").values_list("pk", flat=True)
        )
    }

    def positioned(rows):  # rows: (owner, agency_id); positions 1.. per owner, in global order
        by_owner = {}
        for owner, agency_id in rows:
            by_owner.setdefault(owner, []).append(agency_id)
        for owner, agency_ids in by_owner.items():
            ordered = sorted(agency_ids, key=lambda pk: (rank.get(pk, len(rank)), pk or 0))
            for position, agency_id in enumerate(ordered, start=1):
                yield owner, agency_id, position

    Through = Scope.agencies.through
    links = Through.objects.values_list("scope_id", "agency_id")
    ScopeAgency.objects.bulk_create(
        ScopeAgency(scope_id=scope_id, agency_id=agency_id, position=position)
        for scope_id, agency_id, position in positioned(links)
    )
    old = {row.m2m_history_id: row for row in OldHistory.objects.all()}
    by_history = positioned((row.history_id, row.agency_id) for row in old.values())
    old_rows = {(row.history_id, row.agency_id): row for row in old.values()}
    NewHistory.objects.bulk_create(
        NewHistory(
            id=old_rows[history_id, agency_id].id,
            history_id=history_id,
            scope_id=old_rows[history_id, agency_id].scope_id,
            agency_id=agency_id,
            position=position,
        )
        for history_id, agency_id, position in by_history
    )


class Migration(migrations.Migration):
    dependencies = [
        ("catalogue", "0005_i8_integrity"),
    ]

    operations = [
        migrations.CreateModel(
            name="HistoricalScopeAgency",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                ("position", models.PositiveIntegerField(verbose_name="排列順序")),
                ("m2m_history_id", models.AutoField(primary_key=True, serialize=False)),
                (
                    "agency",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="catalogue.agency",
                        verbose_name="部會/機關",
                    ),
                ),
                (
                    "history",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        to="catalogue.historicalscope",
                    ),
                ),
                (
                    "scope",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="catalogue.scope",
                        verbose_name="產業範疇",
                    ),
                ),
            ],
            options={
                "verbose_name": "HistoricalScopeAgency",
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="ScopeAgency",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("position", models.PositiveIntegerField(verbose_name="排列順序")),
                (
                    "agency",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="scope_links",
                        to="catalogue.agency",
                        verbose_name="部會/機關",
                    ),
                ),
                (
                    "scope",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="agency_links",
                        to="catalogue.scope",
                        verbose_name="產業範疇",
                    ),
                ),
            ],
            options={
                "verbose_name": "產業範疇的部會/機關",
                "verbose_name_plural": "產業範疇的部會/機關",
                "ordering": ("scope", "position"),
            },
        ),
        migrations.AddConstraint(
            model_name="scopeagency",
            constraint=models.UniqueConstraint(
                fields=("scope", "position"),
                name="scope_agency_position_unique",
                violation_error_message="同一產業範疇內的部會順序不可重複。",
            ),
        ),
        migrations.AddConstraint(
            model_name="scopeagency",
            constraint=models.UniqueConstraint(
                fields=("scope", "agency"),
                name="scope_agency_unique",
                violation_error_message="同一產業範疇不可重複列出同一部會。",
            ),
        ),
        migrations.AddConstraint(
            model_name="scopeagency",
            constraint=models.CheckConstraint(
                condition=models.Q(("position__gte", 1)), name="scope_agency_position_positive"
            ),
        ),
        migrations.RunPython(copy_positions, migrations.RunPython.noop),
        migrations.RemoveField(model_name="scope", name="agencies"),
        migrations.DeleteModel(name="HistoricalScope_agencies"),
        migrations.AddField(
            model_name="scope",
            name="agencies",
            field=models.ManyToManyField(
                related_name="scopes",
                through="catalogue.ScopeAgency",
                to="catalogue.agency",
                verbose_name="部會/機關",
            ),
        ),
    ]
