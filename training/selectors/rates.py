"""The certification rate: the share of staff holding the certificates their post requires."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.module_loading import import_string

from accounts.hooks import app_hooks
from accounts.models import Region, User
from registry import parameters
from registry.models import Institution
from training.models import Certificate, CertificateKind, StaffMember
from training.selectors.staff import roster_institutions, roster_townships

GONE = (Institution.Status.CLOSED, Institution.Status.REVOKED)


@dataclass(frozen=True)
class Rate:
    certified: int
    total: int

    @property
    def percent(self) -> Decimal | None:
        if not self.total:
            return None
        return (Decimal(100) * self.certified / self.total).quantize(Decimal("0.1"))


def rate_definition() -> dict:
    """The bureau's definition: caregivers in the denominator; a valid certificate of a kind
    that counts in the numerator; verification by HR required unless the parameter says 0."""
    requires = parameters.get("certification.requires_verification", 1)
    return {
        "requires_verification": bool(requires),
        "kinds": list(CertificateKind.objects.filter(counts_for_rate=True).values_list("name", flat=True)),
        "target": parameters.get("certification.target_percent"),
    }


def _certified(day: date, requires_verification: bool) -> Exists:
    return Exists(
        Certificate.objects.filter(
            Certificate.valid_q(day, require_verification=requires_verification),
            staff=OuterRef("pk"),
            kind__counts_for_rate=True,
        )
    )


def certification_rates(staff: QuerySet, *, by: str | None, day: date | None = None) -> dict:
    """Rates of the given staff grouped by a field path (``institution``,
    ``institution__township__code``) or, with ``by=None``, one Rate under the key None. Two
    queries whatever the number of staff."""
    day = day or timezone.localdate()
    requires = bool(parameters.get("certification.requires_verification", 1))
    caregivers = staff.filter(StaffMember.active_q(day), role=StaffMember.Role.CAREGIVER).order_by()
    # The staff of a closed or revoked institution no longer count: nobody cares for children there.
    caregivers = caregivers.exclude(institution__status__in=GONE)
    counted = Count("pk", filter=_certified(day, requires))
    if by is None:
        row = caregivers.aggregate(total=Count("pk"), certified=counted)
        return {None: Rate(row["certified"], row["total"])}
    rows = caregivers.values(by).annotate(total=Count("pk"), certified=counted)
    return {row[by]: Rate(row["certified"], row["total"]) for row in rows}


def staff_summary(*, institution: Institution, day: date | None = None) -> dict:
    """Head counts of the active roster by role, for the annual self-report."""
    day = day or timezone.localdate()
    active = StaffMember.objects.filter(StaffMember.active_q(day), institution=institution).order_by()
    by_role = dict(active.values("role").annotate(n=Count("pk")).values_list("role", "n"))
    healthy = active.filter(health_certificate_expires__gte=day).count()
    return {
        "total": sum(by_role.values()),
        "caregivers": by_role.get(StaffMember.Role.CAREGIVER, 0),
        "caregivers_certified": institution_rate(institution=institution, day=day).certified,
        "health_workers": by_role.get(StaffMember.Role.HEALTH_WORKER, 0),
        "cooks": by_role.get(StaffMember.Role.COOK, 0),
        "security_guards": by_role.get(StaffMember.Role.GUARD, 0),
        "health_certificates": healthy,
    }


def institution_rate(*, institution: Institution, day: date | None = None) -> Rate:
    return certification_rates(StaffMember.objects.filter(institution=institution), by=None, day=day)[None]


def township_rates(*, actor: User, day: date | None = None) -> tuple[list[dict], Rate]:
    """Per township in the actor's sight (rows), and their total, for the rate page and the API."""
    rates = certification_rates(StaffMember.objects.visible_to(actor), by="institution__township__code", day=day)
    townships = Region.objects.filter(code__in=[code for code in rates if code]).order_by("code")
    rows = [{"township": township, "rate": rates[township.code]} for township in townships]
    total = Rate(sum(r.certified for r in rates.values()), sum(r.total for r in rates.values()))
    return rows, total


# The dashboard's indicator that holds the same figure (``dashboard.indicators.certification_rate``).
RATE_INDICATOR = "certification_rate"


def township_rates_stored(*, actor: User) -> tuple[list[dict], Rate, datetime | None]:
    """``township_rates`` read from the figures the dashboard's snapshots keep (refreshed every
    15 minutes and after a roster change), with the time they were computed: counting every
    caregiver of the city live took half a second at province scale. The townships are those
    whose rosters the actor sees, with caregivers, as live. Live (time None) while a township
    has no stored figure yet, or without the dashboard's ``stored_figures`` hook."""
    townships = roster_townships(actor=actor)
    stored = None
    hooks = [path for _label, path in app_hooks("stored_figures")]
    if townships and hooks:
        codes = [township.code for township in townships]
        stored = import_string(hooks[0])(indicator=RATE_INDICATOR, region_codes=codes)
    if stored is None:
        rows, total = township_rates(actor=actor)
        return rows, total, None
    rows = []
    for township in townships:
        figure = stored.by_region[township.code]
        rate = Rate(int(Decimal(figure["numerator"] or 0)), int(Decimal(figure["denominator"] or 0)))
        if rate.total:  # as live: a township without caregivers has no row
            rows.append({"township": township, "rate": rate})
    total = Rate(sum(row["rate"].certified for row in rows), sum(row["rate"].total for row in rows))
    return rows, total, stored.computed_at


def institution_rates(
    *, actor: User, township_code: str = "", township: str = "", day: date | None = None
) -> list[dict]:
    """The rate of each institution of a township whose roster the actor sees (an institution
    without caregivers has no rate; ``township`` is another name for ``township_code``). Two
    queries whatever the number of institutions."""
    township_code = township_code or township
    institutions = list(roster_institutions(actor=actor).filter(township__code=township_code))
    staff = StaffMember.objects.visible_to(actor).filter(institution__in=[i.pk for i in institutions])
    rates = certification_rates(staff, by="institution", day=day) if institutions else {}
    return [{"institution": i, "rate": rates.get(i.pk, Rate(0, 0))} for i in institutions]


def city_rate(*, day: date | None = None) -> Rate:
    """The city's rate from all institutions' live data (for the dashboard's snapshot)."""
    return certification_rates(StaffMember.objects.all(), by=None, day=day)[None]
