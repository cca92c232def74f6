"""What the objection pages read, always through the access policy."""

from django.db.models import QuerySet

from accounts import policy
from accounts.models import Membership
from inspections.models import AnnualReview, Finding
from supervision.models import Objection


def objection_list(*, actor, status: str = "") -> QuerySet:
    objections = Objection.objects.visible_to(actor).select_related(
        "institution__township", "department", "review__cycle"
    )
    return objections.filter(status=status) if status else objections


def objection_get(*, actor, pk: int) -> Objection:
    queryset = Objection.objects.select_related(
        "institution__organisation", "institution__township", "department", "finding", "review__cycle",
        "evidence", "submitted_by", "answered_by",
    )  # fmt: skip
    return policy.get_visible_or_404(actor, queryset, pk=pk)


def objections_of_review(*, actor, review: AnnualReview) -> QuerySet:
    return Objection.objects.visible_to(actor).filter(review=review).select_related("department", "finding")


def contested_subject_get(*, actor, subject: str, pk: int):
    """The finding or review an objection is about: 404 when out of the actor's sight."""
    model = Finding if subject == Objection.Subject.FINDING else AnnualReview
    return policy.get_visible_or_404(actor, model.objects.select_related("institution"), pk=pk)


def pending_finding_objections(*, review: AnnualReview) -> QuerySet:
    return Objection.objects.filter(
        review=review, subject=Objection.Subject.FINDING, status=Objection.Status.PENDING
    ).select_related("finding")


def waiting_for_answer(*, actor) -> QuerySet | None:
    """Objections waiting for an answer from one of the actor's departments (acting roles), to be
    counted by the work queue. Only departments that decide reviews or record findings are asked:
    ``None`` (nothing to count) for anyone else."""
    if not any(code == "review.decide" or code.startswith("check.") for code in policy.duties(actor)):
        return None
    acting = [m.organisation_id for m in policy.memberships(actor) if m.role in Membership.ACTING_ROLES]
    if not acting:
        return None
    return Objection.objects.filter(status=Objection.Status.PENDING, department__in=acting)
