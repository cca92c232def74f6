"""Reads of complaints: the handlers' lists and pages (through the access policy), the
complainant's view by tracking code, and the counts the public page shows."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from accounts import policy
from accounts.models import Organisation
from registry.models import Institution
from supervision.models import Complaint, ComplaintHandler
from supervision.services.complaints import tracking_code_normalise

Status = Complaint.Status


def overdue_condition(today: date) -> Q:
    """Not acknowledged by its day, or not concluded by its day."""
    return Q(status=Status.RECEIVED, acknowledge_due__lt=today) | (
        ~Q(status=Status.CONCLUDED) & Q(conclude_due__lt=today)
    )


def _with_relations(queryset: QuerySet) -> QuerySet:
    return queryset.select_related("institution", "township", "referred_to").prefetch_related(
        Prefetch("handlers", queryset=ComplaintHandler.objects.select_related("organisation"))
    )


def complaint_list(*, actor, status: str = "", overdue: bool = False, category: str = "") -> QuerySet:
    queryset = Complaint.objects.visible_to(actor)
    if status:
        queryset = queryset.filter(status=status)
    if category:
        queryset = queryset.filter(category=category)
    if overdue:
        queryset = queryset.filter(overdue_condition(timezone.localdate()))
    return _with_relations(queryset).defer("contact_name", "contact_phone")


def complaint_get(*, actor, pk: int) -> Complaint:
    return policy.get_visible_or_404(actor, _with_relations(Complaint.objects.all()), pk=pk)


def handled_open_counts(*, actor) -> dict[str, int]:
    """What waits for the actor's organisations as active handlers: to acknowledge, to
    conclude, and how many of those are overdue."""
    acting = [m.organisation_id for m in policy.memberships(actor) if m.role in m.ACTING_ROLES]
    if not acting:
        return {"received": 0, "acknowledged": 0, "overdue": 0}
    mine = Complaint.objects.filter(handlers__organisation__in=acting, handlers__active=True).exclude(
        status=Status.CONCLUDED
    )
    today = timezone.localdate()
    counts = mine.aggregate(
        received=Count("pk", filter=Q(status=Status.RECEIVED), distinct=True),
        acknowledged=Count("pk", filter=Q(status=Status.ACKNOWLEDGED), distinct=True),
        overdue=Count("pk", filter=overdue_condition(today), distinct=True),
    )
    return {key: value or 0 for key, value in counts.items()}


def escalation_due_list(*, today: date) -> QuerySet:
    return Complaint.objects.filter(overdue_condition(today), escalated_at__isnull=True)


def reminder_due_list(*, today: date, until: date) -> QuerySet:
    return Complaint.objects.exclude(status=Status.CONCLUDED).filter(conclude_due__gte=today, conclude_due__lte=until)


@dataclass(frozen=True)
class TrackedComplaint:
    """What the tracking code shows: the complaint's course, never the contact or the findings."""

    tracking_code: str
    category: str
    subject: str
    submitted_at: object
    status: str
    status_label: str
    acknowledge_due: date
    conclude_due: date
    acknowledged_at: object
    concluded_at: object
    outcome: str
    outcome_label: str
    reply: str
    handlers: list[str]
    referred: bool


def complaint_track(*, code: str) -> TrackedComplaint | None:
    code = tracking_code_normalise(code)
    if len(code) != 14:
        return None
    complaint = _with_relations(Complaint.objects.filter(tracking_code=code)).first()
    if complaint is None:
        return None
    return TrackedComplaint(
        tracking_code=complaint.tracking_code,
        category=complaint.get_category_display(),
        subject=complaint.subject,
        submitted_at=complaint.submitted_at,
        status=complaint.status,
        status_label=complaint.get_status_display(),
        acknowledge_due=complaint.acknowledge_due,
        conclude_due=complaint.conclude_due,
        acknowledged_at=complaint.acknowledged_at,
        concluded_at=complaint.concluded_at,
        outcome=complaint.outcome,
        outcome_label=complaint.get_outcome_display() if complaint.outcome else "",
        reply=complaint.reply if complaint.status == Status.CONCLUDED else "",
        handlers=[h.organisation.name for h in complaint.handlers.all() if h.active],
        referred=complaint.referred_to_id is not None,
    )


def substantiated_counts(*, institution_ids) -> dict[int, int]:
    rows = (
        Complaint.objects.filter(institution_id__in=list(institution_ids), outcome=Complaint.Outcome.SUBSTANTIATED)
        .values("institution_id")
        .annotate(n=Count("pk"))
    )
    return {row["institution_id"]: row["n"] for row in rows}


def is_overdue(complaint: Complaint, today: date | None = None) -> bool:
    """The overdue condition above, on a complaint in hand (no query)."""
    today = today or timezone.localdate()
    if complaint.status == Status.CONCLUDED:
        return False
    return (complaint.status == Status.RECEIVED and complaint.acknowledge_due < today) or complaint.conclude_due < today


def referral_targets(*, complaint: Complaint) -> list[Organisation]:
    """The departments and townships a handler may refer the complaint to (its current
    handlers excepted)."""
    current = {h.organisation_id for h in complaint.handlers.all() if h.active}
    organisations = Organisation.objects.filter(
        kind__in=[Organisation.Kind.DEPARTMENT, Organisation.Kind.TOWNSHIP], is_active=True
    ).order_by("kind", "code")
    return [o for o in organisations if o.pk not in current]


def poster_institution_get(*, actor, pk: int) -> Institution:
    """The institution whose poster is asked for, through the access policy (out of sight: 404)."""
    return policy.get_visible_or_404(actor, Institution.objects.all(), pk=pk)
