"""Each live indicator computed on a small known data set, the number asserted.

The data set lives in 大岚镇 (330281115), a township the demo data leaves empty, so its
figures are exactly what these tests put there. Report-based figures count only when approved."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import Organisation, Region, User
from accounts.services import institution_organisation_create
from dashboard import indicators
from dashboard.models import PeriodicReport, Snapshot
from dashboard.services import reports as report_services
from dashboard.services import snapshots as snapshot_services
from inspections.models import AnnualReview, Finding, RectificationOrder, ReviewCycle
from registry.models import ClassGroup, Filing, GuidanceSite, Institution, ResidentialArea
from supervision.models import Complaint, Incident, RiskScore, SpotCheckPlan, SpotCheckTask
from tests.factories import CertificateFactory, StaffMemberFactory, UserFactory
from tests.helpers import shipped_regions
from training.models import CertificateKind, Participant, TrainingProgramme

pytestmark = pytest.mark.django_db

DALAN = "330281115"
TODAY = timezone.localdate()


def _institution(index, village, *, opened_on, inclusive=False, demonstration=False, provider_type="standalone",
                 status=Institution.Status.OPERATING, places=(10, 15), enrolled=(8, 12)) -> Institution:  # fmt: skip
    organisation = institution_organisation_create(
        actor=None, code=f"test-dalan-{index}", name=f"测试{index}", village=village
    )
    institution = Institution.objects.create(
        organisation=organisation, name=f"测试大岚{index}", legal_form="company", provider_type=provider_type,
        inclusive=inclusive, demonstration=demonstration, village=village, township=village.parent,
        address="测试路", opened_on=opened_on, status=status,
    )  # fmt: skip
    for band, place, child in zip(("infant", "toddler"), places, enrolled, strict=False):
        ClassGroup.objects.create(institution=institution, name=band, age_band=band, places=place, enrolled=child)
    return institution


@pytest.fixture
def dalan(cast):
    """The known data set; returns the computed figures of 大岚镇 and of the city."""
    township = Region.objects.get(code=DALAN)
    villages = list(Region.objects.filter(parent=township).order_by("code"))
    assert len(villages) == len(shipped_regions(parent=DALAN))
    health = cast["health"]
    # Institutions: two operating (one since 2024, one since 2019: before the 2020 baseline),
    # one preparing (not counted). 25 + 20 slots; 20 + 15 children.
    new = _institution(1, villages[0], opened_on=date(2024, 3, 1), inclusive=True)
    old = _institution(2, villages[1], opened_on=date(2019, 9, 1), demonstration=True,
                       provider_type="kindergarten_class", places=(20,), enrolled=(15,))  # fmt: skip
    _institution(3, villages[2], opened_on=None, status=Institution.Status.PREPARING, places=(30,), enrolled=(0,))
    # Residential areas: a new one meeting 9 per 1,000 (2,000 people, 18 slots), an old one
    # short of 6 per 1,000 (3,000 people need 18, 10 planned).
    ResidentialArea.objects.create(name="测试新区", kind="new", village=villages[0], township=township,
                                   population=2000, planned_slots=18)  # fmt: skip
    ResidentialArea.objects.create(name="测试老区", kind="old", village=villages[1], township=township,
                                   population=3000, planned_slots=10)  # fmt: skip
    # A guidance site covering 3 villages.
    site = GuidanceSite.objects.create(name="测试指导站", level=GuidanceSite.Level.values[0], region=township)
    site.covered_villages.set(villages[:3])
    # Filings decided this year: one within its limit, one after it.
    for institution, late in ((new, False), (old, True)):
        decided_at = timezone.now() - timedelta(days=5 if late else 12)
        Filing.objects.create(institution=institution, status="accepted", submitted_at=timezone.now(),
                              due_on=TODAY - timedelta(days=10), decided_at=decided_at, decided_by=health)  # fmt: skip
    # Staff: 4 caregivers, 3 with a verified counted certificate (one not counted: a cook's).
    kind = CertificateKind.objects.get(code="infant-carer")
    head = UserFactory(member_of=new.organisation, member_of__role="head")
    for n in range(4):
        member = StaffMemberFactory(actor=head, institution=new, hired_on=date(2024, 3, 1))
        if n < 3:
            CertificateFactory(staff=member, kind=kind, status="verified")
    # Training: 2 village instructors completed in 2 villages, 1 enrolled only; 1 trainer.
    bureau = Organisation.objects.get(code="health")
    programme = TrainingProgramme.objects.create(
        kind="village_instructor", title="测试", organiser=bureau, region=township, starts_on=date(2026, 1, 5),
        ends_on=date(2026, 1, 6),
    )  # fmt: skip
    for n, village in enumerate(villages[3:6]):
        Participant.objects.create(programme=programme, kind="village_instructor", name=f"指导员{n}", village=village,
                                   township=township, completed_on=date(2026, 1, 6) if n < 2 else None)  # fmt: skip
    trainers = TrainingProgramme.objects.create(
        kind="trainer_township", title="测试师资", organiser=bureau, region=township, starts_on=date(2026, 2, 1),
        ends_on=date(2026, 2, 2),
    )  # fmt: skip
    Participant.objects.create(
        programme=trainers, kind="public", name="师资", township=township, completed_on=date(2026, 2, 2)
    )
    # The annual review: one passed, one failed with an order past its deadline.
    cycle = ReviewCycle.objects.filter(year__lte=TODAY.year).order_by("-year").first()
    AnnualReview.objects.create(cycle=cycle, institution=new, status="decided", result="pass")
    failed = AnnualReview.objects.create(cycle=cycle, institution=old, status="rectifying", result="fail")
    RectificationOrder.objects.create(
        review=failed, institution=old, number="测试整改0001", deadline=TODAY - timedelta(days=1), issued_by=health
    )
    # Incidents: one this year (counted), one on the last day of last year (not counted).
    for occurred_at in (timezone.now() - timedelta(hours=1), timezone.make_aware(datetime(TODAY.year - 1, 12, 31, 12))):
        Incident.objects.create(institution=new, kind="injury", occurred_at=occurred_at, reported_by=head,
                                description="测试")  # fmt: skip
    # Complaints about 大岚镇: two this year, concluded by and after their deadline, one still
    # open; one from last year (none counted of it).
    now = timezone.now()
    for n, (submitted, concluded, due) in enumerate((
        (now - timedelta(days=3), now - timedelta(days=1), TODAY),
        (now - timedelta(days=3), now, TODAY - timedelta(days=1)),
        (now - timedelta(days=2), None, TODAY + timedelta(days=10)),
        (timezone.make_aware(datetime(TODAY.year - 1, 12, 30, 12)), now, TODAY),
    )):  # fmt: skip
        Complaint.objects.create(
            tracking_code=f"TEST{n}", category="other", township=township, provider_name="测试看护点",
            description="测试", submitted_at=submitted, acknowledge_due=due, conclude_due=due,
            status="concluded" if concluded else "received", concluded_at=concluded,
            outcome="not_substantiated" if concluded else "",
        )  # fmt: skip
    # Risk: the bureau's band before the computed one (new: computed high, set to medium; old:
    # computed low, set to high): one high-risk institution.
    RiskScore.objects.create(institution=new, score=12, computed_band="high", override_band="medium")
    RiskScore.objects.create(institution=old, score=1, computed_band="low", override_band="high")
    # Spot checks: the new institution checked this year, the old one drawn but not yet checked.
    plan = SpotCheckPlan.objects.create(title="测试抽查", organiser=bureau, percent_low=100, percent_medium=100,
                                        percent_high=100, inspectors_per_department=1, created_by=health)  # fmt: skip
    finding = Finding.objects.create(institution=new, area="health_care", department=bureau, inspector=health,
                                     inspected_on=TODAY)  # fmt: skip
    SpotCheckTask.objects.create(plan=plan, institution=new, department=bureau, band="low", area="health_care",
                                 status="concluded", finding=finding)  # fmt: skip
    SpotCheckTask.objects.create(plan=plan, institution=old, department=bureau, band="low", area="health_care")
    # Reports (the demo's of 大岚镇 removed): the approved one counts; a later submitted one does not.
    PeriodicReport.objects.filter(region=township).delete()
    organisation = Organisation.objects.get(code=f"township-{DALAN}")
    figures = {"population": 20000, "children_under_3": 400, "children_health_managed": 380, "parents_surveyed": 100,
               "parents_knowing": 85, "kindergartens": 4}  # fmt: skip
    PeriodicReport.objects.create(region=township, year=TODAY.year - 1, figures=figures, status="approved",
                                  source="测试", organisation=organisation)  # fmt: skip
    PeriodicReport.objects.create(region=township, year=TODAY.year, figures={**figures, "population": 1000},
                                  status="submitted", source="测试", organisation=organisation)  # fmt: skip
    computed = snapshot_services.compute_all(TODAY)
    return {code: {name: Decimal(v["value"]) if v["value"] is not None else None for name, v in values.items()}
            for code, values in computed.items()}  # fmt: skip


EXPECTED = {
    "institutions": "2",
    "new_institutions": "1",  # opened since the 2020 baseline
    "slots": "45",
    "new_slots": "25",
    "demonstration_institutions": "1",
    "inclusive_share": "55.6",  # 25 of 45
    "slots_per_1000": "2.3",  # 45 / 20,000 (approved report) × 1,000 = 2.25
    "residential_areas_meeting": "50.0",  # 1 of 2
    "community_coverage": "14.3",  # 2 of 14 villages have an operating institution
    "kindergarten_class_rate": "25.0",  # 1 nursery class, 4 kindergartens
    "enrolment_rate": "8.8",  # 35 children of 400
    "certification_rate": "75.0",  # 3 of 4 caregivers
    "trainers_trained": "1",
    "village_instructors_trained": "2",
    "village_coverage": "14.3",  # 2 of 14
    "guidance_coverage": "21.4",  # 3 of 14
    "filing_on_time": "50.0",
    "review_pass_rate": "50.0",
    "overdue_rectifications": "1",
    "incidents_per_1000_slots": "22.2",  # 1 this year / 45 slots × 1,000
    "complaints_received": "3",  # this year's three, not last year's
    "complaints_concluded_on_time": "50.0",  # 1 of the 2 concluded this year
    "high_risk_institutions": "1",  # the bureau's band counts, not the computed one
    "spot_check_coverage": "50.0",  # 1 of the 2 operating institutions checked this year
    "health_management_rate": "95.0",  # 380 / 400
    "parenting_knowledge_rate": "85.0",
    "children_under_3": "400",
    "kindergartens": "4",
}


def test_each_indicator_on_a_known_data_set(dalan):
    computed = {code: dalan[DALAN][code] for code in EXPECTED}
    assert computed == {code: Decimal(value) for code, value in EXPECTED.items()}


def test_every_live_computation_is_tested():
    assert set(indicators.LIVE) <= set(EXPECTED)


def test_the_city_adds_up_the_townships_counts(dalan):
    for code in ("institutions", "slots", "new_slots", "trainers_trained", "overdue_rectifications"):
        townships = sum(values[code] or 0 for region, values in dalan.items() if len(region) == 9)
        assert dalan["330281"][code] == townships, code


def test_an_unapproved_report_does_not_count_and_approval_makes_it_count(dalan, cast):
    # The submitted report of this year says 1,000 people: not counted (still 20,000).
    assert dalan[DALAN]["slots_per_1000"] == Decimal("2.3")
    report = PeriodicReport.objects.get(region__code=DALAN, year=TODAY.year)
    report_services.report_approve(actor=cast["health"], report=report)
    values = snapshot_services.compute_all(TODAY)[DALAN]
    assert values["slots_per_1000"]["value"] == "45.0"  # 45 / 1,000 × 1,000


def test_the_refresh_writes_a_snapshot_per_region_with_this_years_history(dalan):
    assert snapshot_services.snapshots_refresh() == 1 + len(
        shipped_regions(level="township")
    )  # the city and each township
    snapshot = Snapshot.objects.get(region__code=DALAN)
    assert snapshot.values["slots"]["value"] == "45"
    assert snapshot.history["slots"][str(TODAY.year)] == "45"
    before = snapshot.computed_at
    snapshot_services.snapshots_refresh()
    snapshot.refresh_from_db()
    assert snapshot.values["slots"]["value"] == "45" and snapshot.computed_at >= before


@pytest.mark.parametrize(
    "value, target, direction, expected",
    [
        ("95", "90", "higher", "met"),
        ("85", "90", "higher", "on_track"),  # within 90% of the target
        ("70", "90", "higher", "behind"),
        ("0", "1", "lower", "met"),
        ("3", "1", "lower", "behind"),
        (None, "90", "higher", ""),
        ("50", None, "higher", ""),
    ],
)
def test_status_against_target(value, target, direction, expected):
    to_decimal = lambda text: None if text is None else Decimal(text)  # noqa: E731
    assert snapshot_services.status_against(to_decimal(value), to_decimal(target), direction, 90) == expected


def test_the_demo_snapshots_exist_for_the_city_and_every_township():
    assert Snapshot.objects.filter(region__level="township").count() == len(shipped_regions(level="township"))
    city = Snapshot.objects.get(region__level="city")
    assert city.values["institutions"]["value"] == str(Institution.objects.filter(status="operating").count())
    assert User.objects.filter(username="leader").exists()
