"""The printable documents and the cycle statistics in the permission matrix.

A document is printed by whoever sees its object: a rectification order by the health bureau,
the institution, the township around it and the departments with findings on its review
(policy rule 19); a review's result notice by the health bureau, the institution, the
township and the departments whose ``check.<area>`` covers it (rule 17). Everyone else gets
404, and an undecided review has no notice (404 for everyone).

The statistics are counts for ``review.lead`` and ``dashboard.view`` holders; other members
see the cycle (a public fact) and get 403; those without an organisation 404. Only the health
bureau recomputes.

The targets give institution A (nursery1's, in 泗门镇) and institution B (nursery2's, in 梨洲街道)
a failed review in the demo cycle, with a failed fire finding and a rectification order, made
inside each case's transaction.
"""

from datetime import timedelta

from django.utils import timezone

from accounts.models import Organisation, User
from inspections.models import AnnualReview, Finding, RectificationOrder, ReviewCycle, SelfReport
from registry.models import Institution
from tests.permission_matrix import MEMBERS, Case

INSTITUTION_A = "demo-simen-xingxing"
INSTITUTION_B = "demo-lizhou-yangguang"
# Rule 19: the health bureau, the township, the institution, the department with a finding
# (and the one whose area the items name: here the same fire brigade).
ORDER_A_SIGHT = frozenset({"health", "simen", "nursery1", "fire"})
ORDER_B_SIGHT = frozenset({"health", "lizhou", "nursery2", "fire"})
# Rule 17: also every department whose check area covers a stand-alone nursery (fire, amr).
REVIEW_A_SIGHT = frozenset({"health", "simen", "nursery1", "fire", "amr"})
REVIEW_B_SIGHT = frozenset({"health", "lizhou", "nursery2", "fire", "amr"})
STATISTICS_READERS = frozenset({"health", "leader", "simen", "lizhou", "edu", "hrss"})


def _failed_review(code: str) -> AnnualReview:
    institution = Institution.objects.get(organisation__code=code)
    cycle = ReviewCycle.objects.get(year=timezone.localdate().year)
    health, fire = User.objects.get(username="health"), User.objects.get(username="fire")
    review, created = AnnualReview.objects.get_or_create(
        cycle=cycle,
        institution=institution,
        defaults={
            "status": AnnualReview.Status.RECTIFYING,
            "result": AnnualReview.Result.FAIL,
            "decision_reason": "矩阵：消防不合格",
            "decided_by": health,
            "decided_at": timezone.now(),
        },
    )
    if created:
        SelfReport.objects.create(review=review, status=SelfReport.Status.SUBMITTED, submitted_at=timezone.now())
        Finding.objects.create(
            review=review, institution=institution, area="fire", department=Organisation.objects.get(code="fire"),
            inspector=fire, inspected_on=timezone.localdate(), passed=False,
        )  # fmt: skip
        RectificationOrder.objects.create(
            review=review, institution=institution, number=f"矩阵〔{cycle.year}〕{institution.pk:04d}号",
            items=[{"area": "fire", "code": "F3", "text": "清理疏散通道"}],
            deadline=timezone.localdate() + timedelta(days=20), issued_by=health,
        )  # fmt: skip
    return review


def _order(code: str) -> dict:
    return {"pk": _failed_review(code).orders.get().pk}


def _undecided_review(username: str) -> dict:
    return {"pk": AnnualReview.objects.filter(result="", cycle__year=timezone.localdate().year).first().pk}


def _cycle(username: str) -> dict:
    return {"pk": ReviewCycle.objects.get(year=timezone.localdate().year).pk}


TARGETS = {
    "documents_order_a": lambda username: _order(INSTITUTION_A),
    "documents_order_b": lambda username: _order(INSTITUTION_B),
    "documents_review_a": lambda username: {"pk": _failed_review(INSTITUTION_A).pk},
    "documents_review_b": lambda username: {"pk": _failed_review(INSTITUTION_B).pk},
    "documents_review_undecided": _undecided_review,
    "documents_cycle": _cycle,
}

CASES = [
    Case("order_print", ORDER_A_SIGHT, target="documents_order_a"),
    Case("order_print", ORDER_B_SIGHT, target="documents_order_b"),
    Case("order_pdf", ORDER_A_SIGHT, target="documents_order_a"),
    Case("order_pdf", ORDER_B_SIGHT, target="documents_order_b"),
    Case("review_notice_print", REVIEW_A_SIGHT, target="documents_review_a"),
    Case("review_notice_print", REVIEW_B_SIGHT, target="documents_review_b"),
    Case("review_notice_print", frozenset(), target="documents_review_undecided"),
    Case("review_notice_pdf", REVIEW_A_SIGHT, target="documents_review_a"),
    Case("review_notice_pdf", REVIEW_B_SIGHT, target="documents_review_b"),
    Case("review_notice_pdf", frozenset(), target="documents_review_undecided"),
    Case("cycle_statistics", STATISTICS_READERS, target="documents_cycle", visible=MEMBERS - STATISTICS_READERS),
    Case(
        "cycle_statistics_refresh",
        frozenset({"health"}),
        target="documents_cycle",
        method="post",
        ok=302,
        visible=MEMBERS - {"health"},
    ),
]
