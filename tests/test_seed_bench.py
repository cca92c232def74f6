"""seed_bench: a county of fictional data inside Yuyao's own region tree, on top of the demo;
deterministic and idempotent. Here at a tiny scale; the benchmark runs it at 1 and 10."""

import pytest
from django.core.management import call_command

from accounts import policy
from accounts.models import Notification
from bench import seed
from inspections.models import AnnualReview, Finding, RectificationOrder
from registry.models import Filing, Institution, Registration
from training.models import Certificate, Participant, StaffMember, TrainingProgramme

pytestmark = pytest.mark.django_db


def bench_counts() -> dict[str, int]:
    bench = {"institution__organisation__code__startswith": "bench-"}
    return {
        "institutions": Institution.objects.filter(organisation__code__startswith="bench-").count(),
        "registrations": Registration.objects.filter(**bench).count(),
        "filings": Filing.objects.filter(**bench).count(),
        "staff": StaffMember.objects.filter(**bench).count(),
        "certificates": Certificate.objects.filter(staff__institution__organisation__code__startswith="bench-").count(),
        "reviews": AnnualReview.objects.filter(**bench).count(),
        "findings": Finding.objects.filter(**bench).count(),
        "orders": RectificationOrder.objects.filter(**bench).count(),
        "programmes": TrainingProgramme.objects.filter(title__startswith=seed.MARK).count(),
        "participants": Participant.objects.filter(programme__title__startswith=seed.MARK).count(),
    }


def test_seed_bench_builds_a_county_in_yuyao_villages_that_city_accounts_see(cast):
    demo_institutions = Institution.objects.count()
    call_command("seed_bench", "--institutions", "15")

    counts = bench_counts()
    assert counts["institutions"] == 15
    assert Institution.objects.count() == demo_institutions + 15  # on top of the demo, which stays
    assert 10 * 15 < counts["staff"] < 20 * 15  # about 13 people per institution, as at scale 1
    assert counts["certificates"] > counts["staff"] // 2
    assert 0 < counts["filings"] <= counts["registrations"] <= 15
    assert counts["reviews"] > 15 and counts["findings"] == 2 * counts["reviews"]
    assert counts["programmes"] == 1 and counts["participants"] == seed.PARTICIPANTS_PER_PROGRAMME
    submitted = Filing.objects.filter(institution__organisation__code__startswith="bench-", submitted_at__isnull=False)
    told = Notification.objects.filter(recipient=cast["health"], title__contains=seed.MARK)
    assert told.count() == submitted.count() > 0
    bench = Institution.objects.filter(organisation__code__startswith="bench-")
    assert {i.village.code[:6] for i in bench.select_related("village")} == {"330281"}
    assert len({i.status for i in bench}) > 1 and len({i.provider_type for i in bench}) > 1
    # The worst case of one large tenant: the city-wide account sees all of it, a township its share.
    assert policy.visible(cast["health"], bench).count() == 15
    simen_share = bench.filter(township__code="330281103").count()
    assert policy.visible(cast["simen"], bench).count() == simen_share


def test_seed_bench_is_deterministic_and_a_second_run_adds_nothing(cast):
    call_command("seed_bench", "--institutions", "6")
    first = bench_counts()
    names = list(
        Institution.objects.filter(organisation__code__startswith="bench-")
        .order_by("pk")
        .values_list("name", "provider_type", "status")
    )
    call_command("seed_bench", "--institutions", "6")
    assert bench_counts() == first

    call_command("seed_bench", "--institutions", "8")  # a larger scale adds only the difference
    assert bench_counts()["institutions"] == 8
    again = list(
        Institution.objects.filter(organisation__code__startswith="bench-")
        .order_by("pk")
        .values_list("name", "provider_type", "status")
    )
    assert again[:6] == names
