"""Rectification-order numbers (余卫托整〔2026〕0001号) come from a locked counter per year
(``registry.NumberSequence``, kind ``rectification_order``), not from counting the orders: two
orders issued at once never get the same number."""

import importlib
import re
import threading
import time
from datetime import timedelta

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connections
from django.utils import timezone, translation

from accounts.models import User
from inspections.models import RectificationOrder
from inspections.services import decisions
from registry.models import Institution, NumberSequence

pytestmark = pytest.mark.django_db

POSTGRES = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
NUMBER = re.compile(r"^余卫托整〔(\d{4})〕(\d{4})号$")
KIND = decisions.ORDER_NUMBER_KIND
INSTITUTION_A = "demo-simen-xingxing"
INSTITUTION_B = "demo-lizhou-yangguang"


def issue(code: str = INSTITUTION_A) -> RectificationOrder:
    return decisions.order_issue(
        actor=User.objects.get(username="health"),
        institution=Institution.objects.get(organisation__code=code),
        items=[{"area": "fire", "code": "F3", "text": "清理疏散通道"}],
        deadline=timezone.localdate() + timedelta(days=10),
    )


def counter(year: int) -> int:
    sequence = NumberSequence.objects.filter(kind=KIND, year=year).first()
    return sequence.last if sequence else 0


def test_orders_are_numbered_on_from_the_year_s_counter_in_the_usual_format():
    year = timezone.localdate().year
    # The last order the demo issued (after a review or, in supervision's demo, a complaint).
    demo = RectificationOrder.objects.filter(number__startswith=f"余卫托整〔{year}〕").order_by("-number").first()
    assert NUMBER.match(demo.number) and counter(year) == int(NUMBER.match(demo.number).group(2))
    first, second = issue(), issue(INSTITUTION_B)
    assert first.number == f"余卫托整〔{year}〕{counter(year) - 1:04d}号"
    assert second.number == f"余卫托整〔{year}〕{counter(year):04d}号"


def test_the_number_follows_the_counter_not_the_count_of_orders():
    year = timezone.localdate().year
    NumberSequence.objects.filter(kind=KIND, year=year).update(last=41)
    assert issue().number == f"余卫托整〔{year}〕0042号"
    assert counter(year) == 42


def test_the_migration_starts_each_year_s_counter_after_its_highest_order_number():
    migration = importlib.import_module("inspections.migrations.0003_order_number_sequence")
    year = timezone.localdate().year
    highest_now = counter(year)
    health = User.objects.get(username="health")
    target = Institution.objects.get(organisation__code=INSTITUTION_A)
    for number in ("余卫托整〔2024〕0007号", "余卫托整〔2024〕0003号", "矩阵整改-X"):
        RectificationOrder.objects.create(
            number=number, institution=target, items=[{"area": "fire", "text": "x"}],
            deadline=timezone.localdate(), issued_by=health,
        )  # fmt: skip
    NumberSequence.objects.filter(kind=KIND).delete()
    NumberSequence.objects.create(kind=KIND, year=2023, last=99)  # higher than its orders: kept

    migration.counters_from_existing_orders(apps, None)

    rows = dict(NumberSequence.objects.filter(kind=KIND).values_list("year", "last"))
    assert rows == {2023: 99, 2024: 7, year: highest_now}
    assert issue().number == f"余卫托整〔{year}〕{highest_now + 1:04d}号"


@pytest.mark.skipif(
    not POSTGRES,
    reason="SQLite lets one writer in at a time (a database-wide lock), so two orders cannot be issued at once there",
)
@pytest.mark.django_db(transaction=True)
def test_two_orders_issued_at_once_get_different_numbers(monkeypatch):
    year = timezone.localdate().year
    before = counter(year)
    real_notify = decisions.notify_organisation

    def slow_notify(*args, **kwargs):
        # Keeps each order's transaction open after its number is taken, so the other order
        # is numbered while the first is not yet committed (counting orders would then give
        # both the same number).
        real_notify(*args, **kwargs)
        time.sleep(0.5)

    monkeypatch.setattr(decisions, "notify_organisation", slow_notify)
    barrier = threading.Barrier(2)
    results: dict[int, object] = {}

    def issue_at_once(index, code):
        try:
            with translation.override("en"):
                barrier.wait(timeout=10)
                results[index] = issue(code)
        except Exception as error:  # reported by the assertion below
            results[index] = error
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=issue_at_once, args=(0, INSTITUTION_A)),
        threading.Thread(target=issue_at_once, args=(1, INSTITUTION_B)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads)

    assert all(isinstance(result, RectificationOrder) for result in results.values()), results
    issued = sorted(result.number for result in results.values())
    assert issued == [f"余卫托整〔{year}〕{before + 1:04d}号", f"余卫托整〔{year}〕{before + 2:04d}号"]
    assert counter(year) == before + 2
    assert RectificationOrder.objects.filter(number__in=issued).count() == 2
