"""What the incident pages and API read, always through the access policy."""

from django.db.models import QuerySet

from accounts import policy
from accounts.models import Organisation
from registry.models import Institution
from supervision import rules
from supervision.models import BanProposal, Incident


def incident_list(
    *, actor, status: str = "", kind: str = "", late: bool = False, township: str = "", since=None
) -> QuerySet:
    incidents = Incident.objects.visible_to(actor).select_related("institution__township", "reported_by")
    if township:
        incidents = incidents.filter(institution__township__code=township)
    if since is not None:
        incidents = incidents.filter(occurred_at__date__gte=since)
    if status:
        incidents = incidents.filter(status=status)
    if kind:
        incidents = incidents.filter(kind=kind)
    if late:
        incidents = incidents.filter(late=True)
    return incidents


def incident_get(*, actor, pk: int) -> Incident:
    queryset = Incident.objects.select_related(
        "institution__township", "institution__organisation", "reported_by", "acknowledged_by", "closed_by", "case"
    )
    return policy.get_visible_or_404(actor, queryset, pk=pk)


def incident_ban_proposals(*, actor, incident: Incident) -> QuerySet:
    return BanProposal.objects.visible_to(actor).filter(incident=incident).select_related("proposed_by", "decided_by")


def ban_proposal_get(*, actor, pk: int) -> BanProposal:
    return policy.get_visible_or_404(actor, BanProposal.objects.select_related("incident"), pk=pk)


def reporting_institutions(*, actor) -> QuerySet:
    """The institutions the actor may report an incident for: its own, while operating."""
    own = [org.pk for org in rules.reporting_organisations(actor)]
    return Institution.objects.filter(organisation__in=own).exclude(
        status__in=[Institution.Status.CLOSED, Institution.Status.REVOKED]
    )


def case_office() -> Organisation | None:
    """Where a case opened by a report is recorded: the city-wide department that handles
    cases (the health bureau)."""
    return (
        Organisation.objects.filter(duties__code="case.manage", kind=Organisation.Kind.DEPARTMENT, is_active=True)
        .order_by("pk")
        .first()
    )


def waiting_querysets(*, actor) -> dict[str, QuerySet]:
    """What the work queue counts (``accounts.counts.count_each``): incidents waiting for the
    health bureau, proposals waiting for a second keeper of the ban list."""
    waiting = {}
    if rules.can_handle_incident(actor):
        waiting["incidents"] = Incident.objects.visible_to(actor).filter(status=Incident.Status.REPORTED)
    if policy.has_duty(actor, rules.BAN_DUTY):
        waiting["proposals"] = (
            BanProposal.objects.visible_to(actor).filter(status=BanProposal.Status.PENDING).exclude(proposed_by=actor)
        )
    return waiting
