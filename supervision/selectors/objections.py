"""What the objection pages read, always through the access policy."""

from django.db import models
from django.db.models import QuerySet
from django.utils import timezone

from accounts import policy
from accounts.models import Membership
from inspections.models import AnnualReview, Case, Finding
from supervision.models import Objection


def objection_list(*, actor) -> QuerySet:
    """The objections in the actor's sight, latest first (the list's filters are
    ``supervision.lists.ObjectionFilterSet``)."""
    objections = Objection.objects.visible_to(actor).select_related(
        "institution__township", "department", "review__cycle"
    )
    return objections.order_by("-submitted_at", "-pk")


def objection_get(*, actor, pk: int) -> Objection:
    queryset = Objection.objects.select_related(
        "institution__organisation", "institution__township", "department", "finding", "review__cycle",
        "evidence", "submitted_by", "answered_by", "case",
    )  # fmt: skip
    return policy.get_visible_or_404(actor, queryset, pk=pk)


def objections_of_review(*, actor, review: AnnualReview) -> QuerySet:
    return Objection.objects.visible_to(actor).filter(review=review).select_related("department", "finding")


def contested_subject_get(*, actor, subject: str, pk: int):
    """The finding, review or case decision an objection is about: 404 when out of the actor's
    sight (a case decision: its notice, rule 37, for the institution it is about)."""
    if subject == Objection.Subject.CASE:
        return case_notice_get(actor=actor, pk=pk)
    model = Finding if subject == Objection.Subject.FINDING else AnnualReview
    return policy.get_visible_or_404(actor, model.objects.select_related("institution"), pk=pk)


# What the party reads of a case: the decision notice, never the investigation (``found``, the
# place, the order, the complainant) nor the scan's path.
NOTICE_FIELDS = (
    "id", "institution__id", "institution__name", "institution__organisation_id", "status", "closing_note",
    "decision_facts", "decision_basis", "decision_number", "decision_date", "decision_department__id",
    "decision_department__name", "closed_at", "objection_deadline", "in_force_at",
)  # fmt: skip


def _notices(actor) -> QuerySet:
    cases = Case.objects.select_related("institution", "decision_department").only(*NOTICE_FIELDS)
    return policy.decisions_about_own_institution(
        actor, cases, organisation="institution__organisation", notified="objection_deadline"
    )


def case_notice_list(*, actor) -> QuerySet:
    """The case decisions about the actor's own institutions, newest first."""
    return _notices(actor).order_by("-closed_at", "-pk")


def case_notice_get(*, actor, pk: int) -> Case:
    return policy.get_from_sight_or_404(actor, _notices(actor), Case.objects.all(), pk=pk)


def objections_of_case(*, actor, case: Case) -> QuerySet:
    return Objection.objects.visible_to(actor).filter(case=case.pk).select_related("department", "submitted_by")


def pending_case_objection_exists(*, case_id: int) -> bool:
    return Objection.objects.filter(case=case_id, status=Objection.Status.PENDING).exists()


def cases_due_to_take_effect(*, today) -> QuerySet:
    """Case decisions whose last day to object has passed with no objection waiting."""
    pending = Objection.objects.filter(status=Objection.Status.PENDING, case=models.OuterRef("pk"))
    return (
        Case.objects.filter(in_force_at__isnull=True, objection_deadline__lt=today, status__in=Case.SANCTIONS)
        .exclude(models.Exists(pending))
        .order_by("pk")
    )


def notices_open(*, actor) -> QuerySet:
    """Decisions about the actor's institutions it may still object to (none in force yet), to be
    counted by the work queue."""
    today = timezone.localdate()
    return (
        _notices(actor)
        .filter(in_force_at__isnull=True, objection_deadline__gte=today)
        .exclude(pk__in=Objection.objects.filter(case__isnull=False).values("case"))
    )


def pending_finding_objections(*, review: AnnualReview) -> QuerySet:
    return Objection.objects.filter(
        review=review, subject=Objection.Subject.FINDING, status=Objection.Status.PENDING
    ).select_related("finding")


def waiting_for_answer(*, actor) -> QuerySet | None:
    """Objections waiting for an answer from one of the actor's departments (acting roles), to be
    counted by the work queue. Only departments that decide reviews or record findings are asked:
    ``None`` (nothing to count) for anyone else."""
    if not any(code in ("review.decide", "case.manage") or code.startswith("check.") for code in policy.duties(actor)):
        return None
    acting = [m.organisation_id for m in policy.memberships(actor) if m.role in Membership.ACTING_ROLES]
    if not acting:
        return None
    return Objection.objects.filter(status=Objection.Status.PENDING, department__in=acting)
