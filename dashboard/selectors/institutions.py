"""A township's own institutions on its dashboard: each with its state and what it is waiting
for, in one query whatever the number of institutions.

"Waiting for" names what stands open, each a subquery of that one query:

- ``unfiled``: registered or preparing, never filed (no filing accepted yet, none under review);
- ``filing_returned``: a filing returned to the institution for correction;
- ``self_report_due``: its self-report of an open review cycle not submitted (a draft, or
  returned);
- ``order_open``: a rectification order not closed (waiting for its answer or verification);
- ``certificate_expired``: an active staff member's certificate expired with no later one of
  the same kind still valid, or an expired health certificate.

Closed and revoked institutions are left out: they wait for nothing. The rows are those of the
institutions the user sees in the township (the policy's), so a township official sees their
own, a department the ones its duties show it.
"""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Region, User
from inspections.models import RectificationOrder, ReviewCycle, SelfReport
from registry.models import Filing, Institution
from training.models import Certificate, StaffMember

WAITING = {
    "unfiled": _("Not filed"),
    "filing_returned": _("Filing returned for correction"),
    "self_report_due": _("Self-report due"),
    "order_open": _("Rectification order open"),
    "certificate_expired": _("Certificate expired"),
}


@dataclass
class InstitutionRow:
    institution: Institution
    waiting: list[tuple[str, str]]  # (code, label)


def township_institutions(*, actor: User, region: Region, today=None) -> list[InstitutionRow]:
    """The township's institutions in the user's sight, those waiting for something first."""
    today = today or timezone.localdate()
    active = StaffMember.active_q(today, prefix="staff__")
    still_valid = Certificate.objects.filter(staff=OuterRef("staff"), kind=OuterRef("kind")).filter(
        Q(expires_on__isnull=True) | Q(expires_on__gte=today)
    )
    expired_certificates = (
        Certificate.objects.filter(active, staff__institution=OuterRef("pk"), expires_on__lt=today)
        .exclude(status=Certificate.Status.REJECTED)
        .filter(~Exists(still_valid.exclude(status=Certificate.Status.REJECTED)))
    )
    expired_health = StaffMember.objects.filter(
        StaffMember.active_q(today), institution=OuterRef("pk"), health_certificate_expires__lt=today
    )
    institutions = (
        Institution.objects.visible_to(actor)
        .filter(township=region)
        .exclude(status__in=[Institution.Status.CLOSED, Institution.Status.REVOKED])
        .annotate(
            w_filing_returned=Exists(Filing.objects.filter(institution=OuterRef("pk"), status=Filing.Status.RETURNED)),
            w_self_report_due=Exists(
                SelfReport.objects.filter(
                    review__institution=OuterRef("pk"),
                    review__cycle__status=ReviewCycle.Status.OPEN,
                    status__in=(SelfReport.Status.DRAFT, SelfReport.Status.RETURNED),
                )
            ),
            w_order_open=Exists(
                RectificationOrder.objects.filter(
                    institution=OuterRef("pk"), status__in=RectificationOrder.ACTIVE_STATUSES
                )
            ),
            w_certificate_expired=Exists(expired_certificates) | Exists(expired_health),
        )
        .select_related("village")
        .order_by("name", "pk")
    )
    rows = []
    for institution in institutions:
        flags = {
            "unfiled": institution.filing_status == Institution.FilingStatus.NOT_FILED
            and not institution.w_filing_returned,
            "filing_returned": institution.w_filing_returned,
            "self_report_due": institution.w_self_report_due,
            "order_open": institution.w_order_open,
            "certificate_expired": institution.w_certificate_expired,
        }
        waiting = [(code, str(label)) for code, label in WAITING.items() if flags[code]]
        rows.append(InstitutionRow(institution=institution, waiting=waiting))
    rows.sort(key=lambda row: not row.waiting)  # stable: waiting first, then by name
    return rows
