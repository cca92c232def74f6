"""``count_each``: several counts in one query, each the same as the queryset's own ``count()``,
and the health bureau's work queue counts the same rows as the lists it links to."""

import pytest
from django.utils import timezone

from accounts.counts import count_each
from accounts.models import Region, User
from registry.models import Institution
from tests.factories import InstitutionFactory
from training import selectors as training_selectors
from training.models import Certificate, StaffMember

pytestmark = pytest.mark.django_db


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
