"""Issue 13, point 13: a target is judged in its own year. A target whose year has passed is
shown as expired (已到期) with the result of that year's value from the snapshot history; the
current value is judged only against the target in force (this year or later); the card says
which basis each judgement has."""

from decimal import Decimal

import pytest
from django.utils import timezone, translation

from accounts.models import Region
from dashboard import selectors
from dashboard.models import Indicator, Snapshot, Target
from tests.dashboard.test_dashboard_pages import _card

pytestmark = pytest.mark.django_db

CITY = "330281"
YEAR = timezone.localdate().year


@pytest.fixture
def slots_history():
    """The city's slots: today's value, and a kept history of 100 two years ago."""
    snapshot = Snapshot.objects.get(region__code=CITY)
    current = Decimal(snapshot.values["slots"]["value"])
    assert current > 200
    snapshot.history.setdefault("slots", {})[str(YEAR - 2)] = "100"
    snapshot.save(update_fields=["history"])
    Target.objects.filter(indicator__code="slots").delete()
    return current


def _target(year: int, value) -> Target:
    return Target.objects.create(
        indicator=Indicator.objects.get(code="slots"), region=Region.objects.get(code=CITY), year=year,
        value=Decimal(value), source="测试目标",
    )  # fmt: skip


def _row(cast):
    board = selectors.dashboard(actor=cast["leader"], region=Region.objects.get(code=CITY))
    return next(row for row in board.rows if row.indicator.code == "slots")


def test_a_past_target_is_judged_on_its_own_years_value_not_todays(cast, slots_history):
    # 150 slots two years ago: today's value reaches it, the value of that year (100) did not.
    _target(YEAR - 2, 150)
    row = _row(cast)
    assert row.target is None and row.status == ""  # no target in force: today's value is not judged
    [past] = row.expired
    assert (past.target.year, past.value, past.status) == (YEAR - 2, Decimal("100"), "behind")


def test_the_target_in_force_judges_the_current_value_and_an_older_one_keeps_its_result(cast, slots_history):
    _target(YEAR - 2, 90)  # met in its year (100 ≥ 90)
    _target(YEAR + 1, slots_history * 2)  # in force: today's value is behind it
    row = _row(cast)
    assert row.target.year == YEAR + 1 and row.status == "behind"
    assert [(past.target.year, past.status) for past in row.expired] == [(YEAR - 2, "met")]


def test_the_card_says_expired_with_that_years_result_and_which_target_is_in_force(client_as, slots_history):
    _target(YEAR - 2, 150)
    _target(YEAR + 1, 1)
    with translation.override("zh-hans"):
        html = client_as("leader").get("/dashboard/").content.decode()
    card = _card(html, "slots")
    assert "已到期" in card and f"按{YEAR - 2}年数值判定：100" in card
    assert f'data-year="{YEAR - 2}" data-status="behind"' in card
    assert "现行目标，按当前值判定" in card and 'data-status="met"' in card


def test_the_shipped_2020_targets_are_expired_on_the_demo(cast):
    board = selectors.dashboard(actor=cast["leader"], region=Region.objects.get(code=CITY))
    row = next(row for row in board.rows if row.indicator.code == "new_institutions")
    assert 2020 in [past.target.year for past in row.expired]
    assert row.target is None or row.target.year >= YEAR
