"""Document numbers: one locked counter per kind and year (``registry.services.numbers``)."""

import threading

import pytest
from django.conf import settings
from django.db import connections
from django.utils import timezone

from registry.models import Filing, NumberSequence
from registry.services import filings as filing_services
from registry.services import numbers

pytestmark = pytest.mark.django_db

POSTGRES = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


def test_each_kind_and_year_counts_on_its_own_from_one():
    assert [numbers.next_number(kind="test.a", year=2031) for _ in range(3)] == [1, 2, 3]
    assert numbers.next_number(kind="test.b", year=2031) == 1
    assert numbers.next_number(kind="test.a", year=2032) == 1
    assert numbers.next_number(kind="test.a", year=2031) == 4
    rows = NumberSequence.objects.filter(kind__startswith="test.").order_by("kind", "year")
    assert [(row.kind, row.year, row.last) for row in rows] == [
        ("test.a", 2031, 4), ("test.a", 2032, 1), ("test.b", 2031, 1),
    ]  # fmt: skip


def test_a_counter_created_by_someone_else_meanwhile_is_used_not_duplicated(monkeypatch):
    """The first number of a year asked twice at once: both find no counter, both create one;
    the unique constraint refuses the second, which then counts on the first's counter."""
    NumberSequence.objects.create(kind="test.race", year=2031, last=5)  # made by "the other one"
    real = numbers._locked
    calls = []

    def not_there_yet(kind, year):
        calls.append(kind)
        return None if len(calls) == 1 else real(kind, year)

    monkeypatch.setattr(numbers, "_locked", not_there_yet)
    assert numbers.next_number(kind="test.race", year=2031) == 6
    assert len(calls) == 2
    assert list(NumberSequence.objects.filter(kind="test.race").values_list("last", flat=True)) == [6]


def test_an_accepted_filing_takes_its_number_from_the_filing_counter(cast):
    year = timezone.localdate().year
    NumberSequence.objects.update_or_create(kind=numbers.FILING, year=year, defaults={"last": 41})
    filing = Filing.objects.filter(status="submitted", kind="initial").order_by("pk").first()
    filing = filing_services.filing_accept(actor=cast["health"], filing=filing, note="同意")
    assert filing.number == f"余卫托备〔{year}〕0042号"
    assert NumberSequence.objects.get(kind=numbers.FILING, year=year).last == 42


@pytest.mark.skipif(
    not POSTGRES,
    reason="SQLite lets one writer in at a time (a database-wide lock), so two transactions cannot overlap there",
)
@pytest.mark.django_db(transaction=True)
def test_two_first_numbers_of_a_year_asked_at_once_are_one_and_two():
    barrier = threading.Barrier(2)
    results: dict[int, object] = {}

    def take(index):
        try:
            barrier.wait(timeout=10)
            results[index] = numbers.next_number(kind="test.concurrent", year=2031)
        except Exception as error:  # reported by the assertion below
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=take, args=(index,)) for index in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads)
    assert sorted(results.values()) == [1, 2], results
    assert NumberSequence.objects.get(kind="test.concurrent", year=2031).last == 2
