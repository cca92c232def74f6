"""Certificates: the staff's qualifications, their kinds, checks and expiries."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import policy
from accounts.models import User
from registry import parameters
from registry.models import Institution
from training.models import Certificate, CertificateKind, StaffMember


def certificate_get(*, actor: User, pk: int) -> Certificate:
    queryset = Certificate.objects.select_related("kind", "staff__institution__organisation", "verified_by", "scan")
    return policy.get_visible_or_404(actor, queryset, pk=pk)


def certificate_kinds(*, actor: User, active_only: bool = True) -> QuerySet:
    queryset = CertificateKind.objects.visible_to(actor)
    return queryset.filter(is_active=True) if active_only else queryset


def certificate_kind_get(*, actor: User, pk: int) -> CertificateKind:
    return policy.get_visible_or_404(actor, CertificateKind.objects.all(), pk=pk)


def certificate_queue(*, actor: User, status: str = Certificate.Status.PENDING, township: str = "") -> QuerySet:
    """Certificates waiting for (or decided by) the HR bureau, oldest first."""
    queryset = Certificate.objects.visible_to(actor).select_related(
        "kind", "staff__institution__township", "verified_by", "scan"
    )
    if status:
        queryset = queryset.filter(status=status)
    if township:
        queryset = queryset.filter(staff__institution__township__code=township)
    return queryset.order_by("created_at", "pk")


@dataclass
class ExpiryItem:
    staff: StaffMember
    what: str
    expires_on: date
    expired: bool
    certificate: Certificate | None = None


def expiry_list(
    *, actor: User, institution: Institution | None = None, day: date | None = None, params: dict | None = None
) -> list[ExpiryItem]:
    """Certificates and health certificates of active staff that expired or expire within the
    warning period, in sight of the actor. Two queries (and one for the warning period, unless
    ``params`` holds the parameters already loaded)."""
    day = day or timezone.localdate()
    warning_days = (params or {}).get("certificate.warning_days")
    if warning_days is None:
        warning_days = parameters.get("certificate.warning_days", 60)
    horizon = day + timedelta(days=int(warning_days))
    staff = StaffMember.objects.visible_to(actor).filter(StaffMember.active_q(day))
    if institution is not None:
        staff = staff.filter(institution=institution)
    items = []
    for member in staff.filter(health_certificate_expires__lte=horizon).select_related("institution"):
        items.append(ExpiryItem(member, _("Health certificate"), member.health_certificate_expires,
                                member.health_certificate_expires < day))  # fmt: skip
    certificates = (
        Certificate.objects.filter(staff__in=staff.values("pk"), expires_on__lte=horizon)
        .exclude(status=Certificate.Status.REJECTED)
        .select_related("kind", "staff__institution")
    )
    for certificate in certificates:
        items.append(ExpiryItem(certificate.staff, certificate.kind.name, certificate.expires_on,
                                certificate.expires_on < day, certificate))  # fmt: skip
    return sorted(items, key=lambda item: (item.expires_on, item.staff.name))


def expired_querysets(*, actor: User, day: date | None = None) -> dict[str, QuerySet]:
    """What ``expiry_list`` marks expired, as two querysets to count (the work queue counts them
    without loading a row): active staff whose health certificate has expired, and the
    certificates (not rejected) of active staff that have."""
    day = day or timezone.localdate()
    staff = StaffMember.objects.visible_to(actor).filter(StaffMember.active_q(day))
    return {
        "health_expired": staff.filter(health_certificate_expires__lt=day),
        "certificates_expired": Certificate.objects.filter(staff__in=staff.values("pk"), expires_on__lt=day).exclude(
            status=Certificate.Status.REJECTED
        ),
    }


def certificate_numbers_recorded(*, kind_ids: set[int], numbers: set[str]) -> set[tuple[int, str]]:
    """The (kind, number) pairs among these already recorded, whoever recorded them: an import
    must not record a certificate twice. It learns only that a number is taken, not where."""
    return set(Certificate.objects.filter(kind__in=kind_ids, number__in=numbers).values_list("kind_id", "number"))
