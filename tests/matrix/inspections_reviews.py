"""Cycles, reviews, self-reports and decisions in the permission matrix (policy rules 16-17).

- Cycles are facts every member sees; only the health bureau (``review.lead``) opens and
  closes them: other members get 403 on a cycle they see, those with no organisation 404.
- A review is seen by the institution's own members, the township around it, the health
  bureau, and the departments whose check areas cover it: fire (``check.fire``) and market
  supervision (``check.food_safety``, ``check.fees``) cover every institution, education
  (``check.education``) kindergarten nursery classes only. Civil affairs, human resources, the
  leading group and the public-institution registrar see none (404).
- Among those who see a review, only the institution's officers save and submit its
  self-report; only the health bureau returns it (``review.lead``) and decides the review
  (``review.decide``): the others get 403.

In the demo neither nursery1's nor nursery2's institution is filed, so they have no review:
the targets give each one in the current year's cycle, put into the state the case needs each
time a requester asks (inside the test's transaction).
"""

from datetime import date

from django.utils import timezone

from accounts.models import Organisation, User
from inspections.models import AnnualReview, AreaExemption, ReviewCycle, SelfReport
from inspections.services import checklists
from registry.models import Institution
from tests.permission_matrix import LOGGED_IN, MEMBERS, Case, _api

INSTITUTION_A = "demo-simen-xingxing"  # nursery1, a stand-alone nursery in 泗门镇 (simen)
INSTITUTION_B = "demo-lizhou-yangguang"  # nursery2, a stand-alone nursery in 梨洲街道 (lizhou)
KINDERGARTEN_A = "【演示】泗门镇中心幼儿园托班"  # filed: has a review in the demo cycle
CHECKERS = frozenset({"fire", "amr"})  # departments whose areas cover every institution
REVIEW_A_SIGHT = frozenset({"health", "simen", "nursery1"}) | CHECKERS
REVIEW_B_SIGHT = frozenset({"health", "lizhou", "nursery2"}) | CHECKERS
KINDERGARTEN_A_SIGHT = frozenset({"health", "simen", "edu"}) | CHECKERS
LEAD = frozenset({"health"})


def _cycle() -> ReviewCycle:
    year = timezone.localdate().year
    cycle = ReviewCycle.objects.filter(year=year).first()
    if cycle is None:
        cycle = ReviewCycle.objects.create(
            year=year,
            self_report_due=date(year, 12, 31),
            inspection_due=date(year, 12, 31),
            decision_due=date(year, 12, 31),
            opened_by=User.objects.get(username="health"),
        )
    return cycle


def review_of(code: str, *, submitted: bool = False, uncovered: str = "") -> AnnualReview:
    """The institution's review in the current cycle, undecided, with its report a draft (or
    submitted, the review then under inspection, every area recorded as not applicable so
    that it can be decided, except ``uncovered``)."""
    institution = Institution.objects.get(organisation__code=code)
    review, _created = AnnualReview.objects.get_or_create(cycle=_cycle(), institution=institution)
    AnnualReview.objects.filter(pk=review.pk).update(
        status=AnnualReview.Status.INSPECTING if submitted else AnnualReview.Status.AWAITING_REPORT,
        result="",
        final_result="",
        decided_at=None,
        decided_by=None,
    )
    SelfReport.objects.update_or_create(
        review=review,
        defaults={
            "status": SelfReport.Status.SUBMITTED if submitted else SelfReport.Status.DRAFT,
            "submitted_at": timezone.now() if submitted else None,
        },
    )
    if submitted:
        health = User.objects.get(username="health")
        for area in checklists.review_required_areas(review=review):
            AreaExemption.objects.update_or_create(
                review=review,
                area=area,
                defaults={
                    "reason": "矩阵：不适用",
                    "department": Organisation.objects.get(code="health"),
                    "recorded_by": health,
                },
            )
        AreaExemption.objects.filter(review=review, area=uncovered).delete()
    return review


def _kindergarten_review(username) -> dict:
    return {"pk": AnnualReview.objects.get(institution__name=KINDERGARTEN_A, cycle=_cycle()).pk}


def _open_cycle(username) -> dict:
    cycle, _created = ReviewCycle.objects.get_or_create(
        year=2040,
        defaults={
            "self_report_due": date(2040, 3, 31),
            "inspection_due": date(2040, 6, 30),
            "decision_due": date(2040, 9, 30),
            "opened_by": User.objects.get(username="health"),
        },
    )
    ReviewCycle.objects.filter(pk=cycle.pk).update(status=ReviewCycle.Status.OPEN, closed_at=None, closed_by=None)
    return {"pk": cycle.pk}


TARGETS = {
    "review_a": lambda username: {"pk": review_of(INSTITUTION_A).pk},
    "review_b": lambda username: {"pk": review_of(INSTITUTION_B).pk},
    "review_a_submitted": lambda username: {"pk": review_of(INSTITUTION_A, submitted=True).pk},
    "review_b_submitted": lambda username: {"pk": review_of(INSTITUTION_B, submitted=True).pk},
    "review_a_fees_uncovered": lambda username: {"pk": review_of(INSTITUTION_A, submitted=True, uncovered="fees").pk},
    "review_b_fees_uncovered": lambda username: {"pk": review_of(INSTITUTION_B, submitted=True, uncovered="fees").pk},
    "review_kindergarten_a": _kindergarten_review,
    "cycle_open": _open_cycle,
}

OPEN_DATA = {
    "year": "2030",
    "self_report_due": "2030-03-31",
    "inspection_due": "2030-06-30",
    "decision_due": "2030-09-30",
}
DECISION = {"result": "pass", "reason": "矩阵：各项合格"}


def _sides(url_name: str, suffix: str, *, allowed: str | None = None, api: bool = False, **kwargs) -> list[Case]:
    """The case on institution A's and B's review (``?`` in the target). ``allowed``: ``None``
    (everyone who sees it), ``"own"`` (the institution's head) or ``"lead"`` (the health
    bureau); those who see the review but are not allowed get 403."""
    cases = []
    for side, sight, own in (("a", REVIEW_A_SIGHT, "nursery1"), ("b", REVIEW_B_SIGHT, "nursery2")):
        ok = {None: sight, "own": frozenset({own}), "lead": LEAD, "fees": LEAD | {"amr"}}[allowed]
        make = _api if api else Case
        cases.append(make(url_name, ok, target=suffix.replace("?", side), visible=sight - ok, **kwargs))
    return cases


CASES = [
    # --- pages -------------------------------------------------------------------------
    # Everyone logged in opens the lists; each sees only the reviews in sight (tested in
    # tests/inspections/test_reviews.py). Those without an organisation see empty lists.
    Case("cycle_list", LOGGED_IN),
    Case("cycle_open", LEAD, method="post", ok=302, denied=403, data=OPEN_DATA),
    Case(
        "cycle_close", LEAD, target="cycle_open", method="post", ok=302, data={"note": "矩阵"}, visible=MEMBERS - LEAD
    ),
    Case("review_list", LOGGED_IN),
    Case("review_export", LOGGED_IN),
    *_sides("review_detail", "review_?"),
    Case("review_detail", KINDERGARTEN_A_SIGHT, target="review_kindergarten_a"),
    *_sides("self_report_save", "review_?", allowed="own", method="post", ok=302, data={"staff-total": "12"}),
    *_sides("self_report_submit", "review_?", allowed="own", method="post", ok=302),
    *_sides("self_report_return", "review_?_submitted", allowed="lead", method="post", ok=302, data={"comment": "补"}),
    *_sides("review_decide", "review_?_submitted", allowed="lead", method="post", ok=302, data=DECISION),
    # An area recorded as not applicable: its department (fees: market supervision) or health.
    *_sides(
        "review_area_exempt",
        "review_?_fees_uncovered",
        allowed="fees",
        method="post",
        ok=302,
        data={"area": "fees", "reason": "矩阵：不收费"},
    ),  # fmt: skip
    # --- API ---------------------------------------------------------------------------
    _api("api_cycle_list", LOGGED_IN),
    _api("api_review_list", LOGGED_IN),
    *_sides("api_review_detail", "review_?", api=True),
    _api("api_review_detail", KINDERGARTEN_A_SIGHT, target="review_kindergarten_a"),
    *_sides("api_review_decide", "review_?_submitted", allowed="lead", api=True, method="post", data=DECISION),
]
