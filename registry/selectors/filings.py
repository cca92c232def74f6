"""Filings and their attachments: the institution's own list, the health bureau's queue."""

from datetime import datetime

from django.db.models import F, Prefetch, Q, QuerySet
from django.utils import timezone

from accounts import policy
from accounts.models import User
from registry import proposals
from registry.models import ClassGroup, Filing, FilingAttachment, Institution, filing_queue_keys


def filing_overdue_condition(*, today) -> Q:
    """Filings still waiting for review after their due date on ``today`` (the overdue list,
    the work queue and the dashboards count the same)."""
    return Q(status=Filing.Status.SUBMITTED, due_on__lt=today)


def filing_late_condition(*, day) -> Q:
    """Filings that pull 备案按时办结率 down on ``day``: decided this year after their due date,
    or waiting for review past it (the dashboard's ``filing_on_time`` counts the same)."""
    decided_late = Q(
        status__in=Filing.DECIDED_STATUSES, decided_at__year=day.year, decided_at__date__lte=day,
        decided_at__date__gt=F("due_on"),
    )  # fmt: skip
    return decided_late | filing_overdue_condition(today=day)


def filing_list(
    *,
    actor: User,
    status: str = "",
    overdue: bool = False,
    late: bool = False,
    township: str = "",
    institution: Institution | None = None,
):
    queryset = Filing.objects.visible_to(actor).select_related("institution__township", "decided_by")
    if status:
        queryset = queryset.filter(status=status)
    if overdue:
        queryset = queryset.filter(filing_overdue_condition(today=timezone.localdate()))
    if late:
        queryset = queryset.filter(filing_late_condition(day=timezone.localdate()))
    if township:
        queryset = queryset.filter(institution__township__code=township)
    if institution is not None:
        queryset = queryset.filter(institution=institution)
    return queryset


def filing_queue(
    *, actor: User, status: str = "", overdue: bool = False, late: bool = False, township: str = "", text: str = ""
) -> QuerySet:
    """The filing list page and API: ``filing_list`` with a search on the institution's name,
    filings waiting for review first (the one due soonest on top), then the newest."""
    queryset = filing_list(actor=actor, status=status, overdue=overdue, late=late, township=township)
    if text:
        queryset = queryset.filter(institution__name__icontains=text)
    rank, due = filing_queue_keys()
    return queryset.annotate(queue_rank=rank, queue_due=due).order_by("queue_rank", "queue_due", "-created_at", "-id")


def filing_open_for(*, actor: User, institution: Institution) -> Filing | None:
    """The institution's filing still in progress (draft, submitted or returned), if any."""
    return filing_list(actor=actor, institution=institution).filter(status__in=Filing.OPEN_STATUSES).first()


def change_filing_open_for(*, actor: User, institution: Institution) -> Filing | None:
    """The institution's change filing still in progress, whose proposal its pages show."""
    filing = filing_open_for(actor=actor, institution=institution)
    return filing if filing is not None and filing.kind == Filing.Kind.CHANGE else None


def change_rows(*, actor: User, filing: Filing) -> list[proposals.ChangeRow]:
    """Before → after, field by field and class by class, of a change filing (one query)."""
    if filing.kind != Filing.Kind.CHANGE:
        return []
    groups = list(ClassGroup.objects.visible_to(actor).filter(institution_id=filing.institution_id))
    return proposals.change_rows(filing, filing.institution, groups)


def filing_class_groups(*, actor: User, filing: Filing) -> list[ClassGroup]:
    """The class groups of the filing's institution, for the standards warnings on the filing:
    for a change filing still to be decided, as they would be once it is accepted (what the
    reviewer judges)."""
    groups = list(ClassGroup.objects.visible_to(actor).filter(institution_id=filing.institution_id))
    if filing.kind == Filing.Kind.CHANGE and filing.status in Filing.OPEN_STATUSES:
        return proposals.class_groups_after(groups, filing.proposal, institution_id=filing.institution_id)
    return groups


def filing_get(*, actor: User, pk: int) -> Filing:
    queryset = Filing.objects.select_related(
        "institution__township", "institution__village", "institution__organisation", "decided_by"
    ).prefetch_related(
        Prefetch("attachments", queryset=FilingAttachment.objects.select_related("uploaded_by", "stored"))
    )
    return policy.get_visible_or_404(actor, queryset, pk=pk)


def attachment_get(*, actor: User, pk: int) -> FilingAttachment:
    return policy.get_visible_or_404(
        actor, FilingAttachment.objects.select_related("filing__institution__organisation", "stored"), pk=pk
    )


def filing_ledger(*, actor: User, year: int, month: int, township: str = "") -> QuerySet:
    """The filing ledger (备案台账) of a month: the filings accepted in it (local time), in the
    actor's sight, optionally of one township, in the order they were decided (one query;
    ``decided_at`` is indexed)."""
    start = timezone.make_aware(datetime(year, month, 1))
    end = timezone.make_aware(datetime(year + month // 12, month % 12 + 1, 1))
    queryset = (
        Filing.objects.visible_to(actor)
        .filter(status=Filing.Status.ACCEPTED, decided_at__gte=start, decided_at__lt=end)
        .select_related("institution__township", "institution__village")
    )
    if township:
        queryset = queryset.filter(institution__township__code=township)
    return queryset.order_by("decided_at", "id")
