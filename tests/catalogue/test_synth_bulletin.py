"""`manage.py synth_bulletin`: N times the real bulletin, the same for a seed, with history."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from catalogue.demo import read_demo_data
from catalogue.models import Agency, Bulletin, Programme, Scope, Section, Strategy, Target
from catalogue.synth import shuffled

pytestmark = pytest.mark.django_db

DEMO = read_demo_data()
SCOPES = sum(len(p["scopes"]) for p in DEMO["programmes"])
TARGETS = sum(len(s.get("targets", [])) for p in DEMO["programmes"] for s in p["scopes"])


def _synth(slug: str, scale: int = 2, seed: int = 7) -> Bulletin:
    call_command("synth_bulletin", scale=scale, slug=slug, seed=seed, stdout=StringIO())
    return Bulletin.objects.get(slug=slug)


def _texts(bulletin: Bulletin) -> list[tuple]:
    scopes = Scope.objects.filter(programme__bulletin=bulletin).order_by(
        "programme__serial", "order"
    )
    return [
        (s.programme.serial, s.programme.name, s.order, s.description, s.note, s.headline)
        for s in scopes.select_related("programme")
    ] + list(
        Strategy.objects.filter(scope__programme__bulletin=bulletin)
        .order_by("scope__programme__serial", "scope__order", "order")
        .values_list("heading", "items")
    )


def test_the_bulletin_is_scale_times_the_real_one():
    bulletin = _synth("synth-2")
    assert Programme.objects.filter(bulletin=bulletin).count() == 2 * len(DEMO["programmes"])
    assert Scope.objects.filter(programme__bulletin=bulletin).count() == 2 * SCOPES
    assert Target.objects.filter(scope__programme__bulletin=bulletin).count() == 2 * TARGETS
    serials = Programme.objects.filter(bulletin=bulletin).values_list("serial", flat=True)
    assert sorted(serials) == list(range(1, 2 * len(DEMO["programmes"]) + 1))


def test_the_same_seed_gives_the_same_bulletin_and_another_seed_another():
    first, second = _synth("synth-a", seed=3), _synth("synth-b", seed=3)
    other = _synth("synth-c", seed=4)
    assert _texts(first) == _texts(second)
    assert _texts(first) != _texts(other)


def test_texts_keep_the_real_lengths_and_characters():
    real = DEMO["programmes"][0]["scopes"][0]["description"]
    bulletin = _synth("synth-len", scale=1)
    scope = Scope.objects.get(programme__bulletin=bulletin, programme__serial=1, order=1)
    assert sorted(scope.description) == sorted(real)
    assert scope.description.endswith("。")


def test_a_shuffled_line_keeps_its_clauses_and_ending():
    import random

    text = "甲、乙、丙，丁。\n單行"
    result = shuffled(text, random.Random(1))
    assert sorted(result) == sorted(text)
    assert result.split("\n")[0].endswith("丁。") and result.endswith("\n單行")


def test_every_row_passes_full_clean_and_has_its_first_revision():
    bulletin = _synth("synth-clean", scale=1)
    for model, lookup in (
        (Programme, "bulletin"),
        (Scope, "programme__bulletin"),
        (Target, "scope__programme__bulletin"),
        (Strategy, "scope__programme__bulletin"),
        (Section, "scope__programme__bulletin"),
    ):
        rows = list(model.objects.filter(**{lookup: bulletin}))
        for row in rows:
            row.full_clean()
        revisions = model.history.filter(id__in=[r.pk for r in rows])
        assert revisions.count() == len(rows)
        assert set(revisions.values_list("history_type", "version")) == {("+", 1)}
        assert all(r.version == 1 for r in rows)


def test_a_scopes_first_revision_holds_its_agencies():
    bulletin = _synth("synth-m2m", scale=1)
    for scope in Scope.objects.filter(programme__bulletin=bulletin).prefetch_related("agencies"):
        (revision,) = scope.history.all()
        held = set(revision.agencies.values_list("agency_id", flat=True))
        assert held == {a.pk for a in scope.agencies.all()} and held


def test_an_existing_slug_is_refused_in_chinese_and_nothing_is_written(demo_bulletin):
    programmes, agencies = Programme.objects.count(), Agency.objects.count()
    with pytest.raises(CommandError, match="已有網址代稱為「policy-industries」的彙整表"):
        _synth(demo_bulletin.slug)
    assert (Programme.objects.count(), Agency.objects.count()) == (programmes, agencies)


def test_a_scale_below_one_is_refused():
    with pytest.raises(CommandError, match="倍數須為 1 以上"):
        _synth("synth-0", scale=0)
    assert not Bulletin.objects.filter(slug="synth-0").exists()
