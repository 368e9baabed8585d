"""The catalogue's rules hold in the database itself, and full_clean explains them in Chinese."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from catalogue.models import Agency, Bulletin, Programme, Scope, Section, Strategy, Target


@pytest.fixture
def bulletin(db: None) -> Bulletin:
    agency = Agency.objects.create(name="勞動部勞動力發展署", short_name="勞發署")
    return Bulletin.objects.create(
        title="政府推動之「政策性產業」彙整表", slug="policy-industries", issuing_agency=agency
    )


@pytest.fixture
def programme(bulletin: Bulletin) -> Programme:
    return Programme.objects.create(
        bulletin=bulletin, serial=1, name="五大信賴產業推動方案", period_start=113, period_end=117
    )


@pytest.fixture
def scope(programme: Programme) -> Scope:
    return Scope.objects.create(
        programme=programme, order=1, title="半導體", description="包括晶片設計"
    )


def _violates(make) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        make()


def test_database_refuses_a_period_that_ends_before_it_starts(bulletin):
    _violates(
        lambda: Programme.objects.create(
            bulletin=bulletin, serial=2, name="計畫", period_start=117, period_end=113
        )
    )


def test_full_clean_explains_a_period_that_ends_before_it_starts_in_chinese(bulletin):
    programme = Programme(
        bulletin=bulletin, serial=2, name="計畫", period_start=117, period_end=113
    )
    with pytest.raises(ValidationError) as error:
        programme.full_clean()
    assert "實施結束年不可早於起始年。" in error.value.message_dict["period_end"]


def test_a_period_of_one_year_is_allowed(bulletin):
    programme = Programme(
        bulletin=bulletin, serial=2, name="計畫", period_start=114, period_end=114
    )
    programme.full_clean()
    programme.save()
    assert programme.period_display == "114年"


def test_database_refuses_an_end_year_together_with_an_open_end(bulletin):
    _violates(
        lambda: Programme.objects.create(
            bulletin=bulletin,
            serial=2,
            name="計畫",
            period_start=114,
            period_end=117,
            open_end="未定",
        )
    )


def test_database_refuses_a_period_without_end_year_or_open_end(bulletin):
    _violates(
        lambda: Programme.objects.create(bulletin=bulletin, serial=2, name="計畫", period_start=114)
    )


def test_full_clean_asks_for_an_end_year_or_an_open_end_in_chinese(bulletin):
    programme = Programme(bulletin=bulletin, serial=2, name="計畫", period_start=114)
    with pytest.raises(ValidationError) as error:
        programme.full_clean()
    assert "請填寫結束年，或選擇「未定」或「迄今」。" in error.value.message_dict["period_end"]


def test_an_open_end_alone_is_allowed_and_shown_as_the_bulletin_writes_it(bulletin):
    programme = Programme(
        bulletin=bulletin, serial=2, name="計畫", period_start=106, open_end="迄今"
    )
    programme.full_clean()
    programme.save()
    assert programme.period_display == "106年-迄今"


def test_database_refuses_a_second_programme_with_the_same_serial_in_a_bulletin(programme):
    _violates(
        lambda: Programme.objects.create(
            bulletin=programme.bulletin, serial=1, name="另一個", period_start=114, open_end="未定"
        )
    )


def test_full_clean_names_a_repeated_serial_in_chinese(programme):
    twin = Programme(
        bulletin=programme.bulletin, serial=1, name="另一個", period_start=114, open_end="未定"
    )
    with pytest.raises(ValidationError) as error:
        twin.full_clean()
    assert "這份彙整表已有相同序號的政策性產業。" in error.value.messages


def test_the_same_serial_is_allowed_in_another_bulletin(programme):
    other = Bulletin.objects.create(
        title="另一份彙整表", slug="other", issuing_agency=programme.bulletin.issuing_agency
    )
    twin = Programme(bulletin=other, serial=1, name="另一個", period_start=114, open_end="未定")
    twin.full_clean()
    twin.save()


@pytest.mark.parametrize(
    ("model", "fields"),
    [
        (Target, {"text": "目標"}),
        (Strategy, {"heading": "策略"}),
        (Section, {"heading": "段落"}),
    ],
)
def test_database_refuses_two_parts_with_the_same_order_in_a_scope(scope, model, fields):
    model.objects.create(scope=scope, order=1, **fields)
    _violates(lambda: model.objects.create(scope=scope, order=1, **fields))


def test_database_refuses_two_scopes_with_the_same_order_in_a_programme(scope):
    _violates(
        lambda: Scope.objects.create(programme=scope.programme, order=1, description="另一個範疇")
    )


def test_full_clean_names_a_repeated_scope_order_in_chinese(scope):
    twin = Scope(programme=scope.programme, order=1, description="另一個範疇")
    with pytest.raises(ValidationError) as error:
        twin.full_clean()
    assert "同一政策性產業內的產業範疇順序不可重複。" in error.value.messages


def test_full_clean_names_a_repeated_target_order_in_chinese(scope):
    Target.objects.create(scope=scope, order=1, text="目標一")
    with pytest.raises(ValidationError) as error:
        Target(scope=scope, order=1, text="目標二").full_clean()
    assert "同一產業範疇內的推動目標順序不可重複。" in error.value.messages


@pytest.mark.parametrize(
    ("make", "field"),
    [
        (lambda b, p, s: Agency(name=""), "name"),
        (
            lambda b, p, s: Programme(bulletin=b, serial=9, name="", period_start=1, period_end=2),
            "name",
        ),
        (lambda b, p, s: Scope(programme=p, order=9, description=""), "description"),
        (lambda b, p, s: Target(scope=s, order=9, text=""), "text"),
        (lambda b, p, s: Strategy(scope=s, order=9, heading=""), "heading"),
        (lambda b, p, s: Section(scope=s, order=9, heading=""), "heading"),
    ],
)
def test_database_refuses_empty_required_texts(bulletin, programme, scope, make, field):
    obj = make(bulletin, programme, scope)
    _violates(obj.save)


def test_full_clean_refuses_an_empty_target_text_in_chinese(scope):
    with pytest.raises(ValidationError) as error:
        Target(scope=scope, order=1, text="").full_clean()
    assert error.value.message_dict["text"] == ["這個欄位不能為空。"]


def test_database_refuses_a_unit_without_a_value(scope):
    _violates(lambda: Target.objects.create(scope=scope, order=1, text="產值成長", unit="億元"))


def test_full_clean_explains_a_unit_without_a_value_in_chinese(scope):
    with pytest.raises(ValidationError) as error:
        Target(scope=scope, order=1, text="產值成長", unit="億元").full_clean()
    assert "填寫單位時也須填寫數值。" in error.value.messages


def test_a_target_with_value_unit_and_deadline_is_allowed(scope):
    target = Target(
        scope=scope,
        order=1,
        text="產值達528億元",
        value=Decimal("528"),
        unit="億元",
        deadline_year=117,
    )
    target.full_clean()
    target.save()


def test_database_refuses_a_target_of_several_lines(scope):
    _violates(lambda: Target.objects.create(scope=scope, order=1, text="產值成長\n人才倍增"))


def test_full_clean_asks_for_one_target_a_line_in_chinese(scope):
    with pytest.raises(ValidationError) as error:
        Target(scope=scope, order=1, text="產值成長\r\n人才倍增").full_clean()
    assert "推動目標須為單行文字；多個目標請分列填寫。" in error.value.messages
