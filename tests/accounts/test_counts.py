"""``count_each``: several counts in one query, each the same as the queryset's own ``count()``,
and the health bureau's work queue counts the same rows as the lists it links to."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.counts import count_each
from accounts.models import Region, User
from registry.models import Institution
from tests.factories import InstitutionFactory
from tests.training.helpers import add_staff
from training import selectors as training_selectors
from training.models import Certificate, StaffMember
from training.queues import work_queue

pytestmark = pytest.mark.django_db

NURSERY2 = "demo-lizhou-yangguang"


def test_count_each_counts_every_queryset_in_one_query(django_assert_num_queries):
    InstitutionFactory.create_batch(3, township_code="330281103")
    querysets = {
        "institutions": Institution.objects.all(),
        "simen": Institution.objects.filter(township__code="330281103"),
        "joined": Region.objects.filter(children__isnull=False).distinct(),  # a join undone by DISTINCT
        "none": Institution.objects.none(),
        "empty_in": Institution.objects.filter(pk__in=[]),
    }
    expected = {name: queryset.count() for name, queryset in querysets.items()}
    assert expected["simen"] >= 3 and expected["joined"] > 0
    with django_assert_num_queries(1):
        assert count_each(**querysets) == expected


def test_count_each_of_nothing_asks_nothing(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert count_each() == {}
        assert count_each(none=Institution.objects.none()) == {"none": 0}


def test_the_expired_counts_are_the_expired_items_of_the_expiring_list(cast):
    health = User.objects.get(username="health")
    day = timezone.localdate()
    member = StaffMember.objects.visible_to(health).filter(StaffMember.active_q(day)).order_by("pk").first()
    StaffMember.objects.filter(pk=member.pk).update(health_certificate_expires=day.replace(year=day.year - 1))
    Certificate.objects.filter(staff__in=StaffMember.objects.filter(StaffMember.active_q(day))).update(
        expires_on=day.replace(year=day.year - 1)
    )
    counts = count_each(**training_selectors.expired_querysets(actor=health))
    expired = [item for item in training_selectors.expiry_list(actor=health) if item.expired]
    assert counts["health_expired"] + counts["certificates_expired"] == len(expired) > 1


def test_the_work_queues_duplicate_count_is_the_duplicate_list(cast):
    """One person on two rosters counts twice (both rows are listed); one who left the first
    roster before joining the second does not count."""
    health = User.objects.get(username="health")
    day = timezone.localdate()
    add_staff(cast["nursery1"], sequence=60)
    add_staff(cast["nursery2"], sequence=60, institution_code=NURSERY2)
    left = add_staff(cast["nursery1"], sequence=61)
    StaffMember.objects.filter(pk=left.pk).update(left_on=day - timedelta(days=1))
    add_staff(cast["nursery2"], sequence=61, institution_code=NURSERY2)
    listed = training_selectors.duplicate_employment_list(actor=health)
    assert {member.name for member in listed} >= {"测试60"} and "测试61" not in {member.name for member in listed}
    counts = {item["url"]: item.get("count") for item in work_queue(actor=health)}
    assert counts[reverse("staff_duplicates")] == len(listed) >= 2
