from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command

from accounts.roles import APPROVERS, EDITORS
from catalogue.models import Agency, Programme, Scope, Section, Strategy, Target

CATALOGUE_MODELS = (Agency, Programme, Scope, Target, Strategy, Section)


def _history_rows() -> int:
    return sum(model.history.count() for model in CATALOGUE_MODELS)


def test_bootstrap_without_demo_prepares_an_empty_install(db):
    call_command("bootstrap", verbosity=0)
    assert set(Group.objects.values_list("name", flat=True)) >= {EDITORS, APPROVERS}
    assert Programme.objects.count() == 0
    assert not get_user_model().objects.exists()


def test_bootstrap_demo_loads_the_bulletin_and_accounts(db):
    call_command("bootstrap", demo=True, verbosity=0)
    assert Programme.objects.count() == 9
    users = get_user_model().objects
    assert users.get(username="editor").groups.filter(name=EDITORS).exists()
    assert users.get(username="approver").groups.filter(name=APPROVERS).exists()
    assert users.get(username="admin").is_superuser
    assert users.get(username="editor").check_password("editor")


def test_bootstrap_demo_twice_changes_nothing_and_writes_no_history(db):
    call_command("bootstrap", demo=True, verbosity=0)
    history_before = _history_rows()
    rows_before = [model.objects.count() for model in CATALOGUE_MODELS]
    call_command("bootstrap", demo=True, verbosity=0)
    assert _history_rows() == history_before
    assert [model.objects.count() for model in CATALOGUE_MODELS] == rows_before


def test_bootstrap_demo_keeps_what_editors_changed_since(db):
    call_command("bootstrap", demo=True, verbosity=0)
    programme = Programme.objects.get(serial=4)
    programme.name = "新南向政策推動計畫（修訂）"
    programme.save()
    call_command("bootstrap", demo=True, verbosity=0)
    programme.refresh_from_db()
    assert programme.name == "新南向政策推動計畫（修訂）"


def test_demo_load_writes_one_revision_per_object_with_the_admin_as_author(db):
    call_command("bootstrap", demo=True, verbosity=0)
    scope = Scope.objects.get(programme__serial=3, order=1)
    revisions = list(scope.history.all())
    assert len(revisions) == 1
    assert revisions[0].history_user.username == "admin"
    assert revisions[0].history_change_reason.startswith("載入示範資料")
    assert sorted(a.agency.name for a in revisions[0].agencies.all()) == sorted(
        scope.agencies.values_list("name", flat=True)
    )
