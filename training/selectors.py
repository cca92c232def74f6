"""What the workforce pages, the API and the dashboard read. Every list goes through the access
policy; the rates and checks are computed from live data in a fixed number of queries."""

import math
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import policy
from accounts.models import Region, User
from registry import parameters
from registry.models import ClassGroup, Institution
from training import rules
from training.models import Certificate, CertificateKind, Participant, StaffMember, TrainingProgramme, TrainingSession

# --- Staff ----------------------------------------------------------------------------------


def staff_list(
    *, actor: User, institution: Institution | None = None, active: bool | None = True, role: str = "",
    township: str = "", search: str = "",
) -> QuerySet:  # fmt: skip
    today = timezone.localdate()
    queryset = (
        StaffMember.objects.visible_to(actor)
        .select_related("institution__township", "class_group")
        .prefetch_related(Prefetch("certificates", queryset=Certificate.objects.select_related("kind")))
    )
    if institution is not None:
        queryset = queryset.filter(institution=institution)
    if active is True:
        queryset = queryset.filter(StaffMember.active_q(today))
    elif active is False:
        queryset = queryset.exclude(StaffMember.active_q(today))
    if role:
        queryset = queryset.filter(role=role)
    if township:
        queryset = queryset.filter(institution__township__code=township)
    if search:
        queryset = queryset.filter(Q(name__icontains=search) | Q(institution__name__icontains=search))
    if policy.holds(actor, rules.OVERSEE_DUTY):
        queryset = queryset.annotate(employed_elsewhere=_employed_elsewhere(today))
    return queryset


def _employed_elsewhere(day: date) -> Exists:
    others = StaffMember.objects.filter(StaffMember.active_q(day), id_hash=OuterRef("id_hash")).exclude(
        institution=OuterRef("institution")
    )
    return Exists(others)


def staff_get(*, actor: User, pk: int) -> StaffMember:
    queryset = StaffMember.objects.select_related("institution__organisation", "institution__township", "class_group")
    queryset = queryset.prefetch_related(
        Prefetch("certificates", queryset=Certificate.objects.select_related("kind", "verified_by"))
    )
    if policy.holds(actor, rules.OVERSEE_DUTY):
        queryset = queryset.annotate(employed_elsewhere=_employed_elsewhere(timezone.localdate()))
    return policy.get_visible_or_404(actor, queryset, pk=pk)


def roster_institutions(*, actor: User) -> QuerySet:
    """The institutions whose roster the actor sees (policy rule 23), for filters and the rate
    by institution: the city for the health and HR bureaus, a township's own, one's own."""
    if not policy.organisations_of(actor):
        return Institution.objects.none()
    queryset = Institution.objects.select_related("township").order_by("township__code", "name")
    if policy.holds(actor, rules.OVERSEE_DUTY) or policy.holds(actor, rules.VERIFY_DUTY):
        return queryset
    own = [org.pk for org in policy.organisations_of(actor)]
    return queryset.filter(Q(organisation__in=own) | Q(township__code__in=policy.township_codes(actor)))


def duplicate_employment_list(*, actor: User) -> list[StaffMember]:
    """Active staff on the roster of more than one institution (health bureau only)."""
    policy.require_duty(actor, rules.OVERSEE_DUTY)
    return list(staff_list(actor=actor).filter(employed_elsewhere=True).order_by("id_hash", "institution__name"))


# --- Certificates ---------------------------------------------------------------------------


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


def expiry_list(*, actor: User, institution: Institution | None = None, day: date | None = None) -> list[ExpiryItem]:
    """Certificates and health certificates of active staff that expired or expire within the
    warning period, in sight of the actor. Two queries."""
    day = day or timezone.localdate()
    horizon = day + timedelta(days=int(parameters.get("certificate.warning_days", 60)))
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


# --- The certification rate -----------------------------------------------------------------


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


# --- Rules on the roster --------------------------------------------------------------------


@dataclass
class RosterCheck:
    ok: bool
    subject: str
    message: str


@dataclass
class RosterReport:
    checks: list[RosterCheck] = field(default_factory=list)

    @property
    def problems(self) -> list[RosterCheck]:
        return [check for check in self.checks if not check.ok]


def roster_checks(*, institution: Institution, day: date | None = None, params: dict | None = None) -> RosterReport:
    """What the institution lacks, in plain words: each class group's caregivers (from the
    roster) against its enrolment and the ratio standard; a person in charge with a college
    degree; a health worker (full-time from the bureau's threshold); valid health
    certificates. Three queries."""
    day = day or timezone.localdate()
    params = parameters.load() if params is None else params
    staff = list(
        StaffMember.objects.filter(StaffMember.active_q(day), institution=institution).only(
            "role", "education", "class_group_id", "health_certificate_expires", "name"
        )
    )
    groups = list(ClassGroup.objects.filter(institution=institution).order_by("age_band", "name"))
    report = RosterReport()

    def add(ok: bool, subject, message: str) -> None:
        report.checks.append(RosterCheck(ok, str(subject), message))

    family = institution.is_family_care_point
    for group in groups:
        assigned = sum(1 for m in staff if m.role == StaffMember.Role.CAREGIVER and m.class_group_id == group.pk)
        key = "family_point.children_per_caregiver" if family else f"class.{group.age_band}.children_per_caregiver"
        per_caregiver = params.get(key)
        if not per_caregiver:
            add(
                True,
                group.name,
                _("%(n)d caregivers on the roster; no national ratio for this class.") % {"n": assigned},
            )
            continue
        needed = math.ceil(group.enrolled / per_caregiver) if group.enrolled else 0
        figures = {"enrolled": group.enrolled, "needed": needed, "ratio": int(per_caregiver), "have": assigned,
                   "missing": needed - assigned}  # fmt: skip
        if assigned < needed:
            add(False, group.name, _(
                "%(enrolled)d children need at least %(needed)d caregivers (1 for every %(ratio)d); the roster "
                "assigns %(have)d to this class. Add %(missing)d caregiver(s) or assign them to the class."
            ) % figures)  # fmt: skip
        else:
            add(True, group.name, _("%(have)d caregivers for %(enrolled)d children: meets 1 : %(ratio)d.") % figures)
    heads = [m for m in staff if m.role == StaffMember.Role.PERSON_IN_CHARGE]
    subject = _("Person in charge")
    if not heads:
        add(False, subject, _("No person in charge is on the roster."))
    elif not any(m.education in StaffMember.COLLEGE_OR_ABOVE for m in heads):
        add(False, subject, _("The person in charge needs a college degree (大专) or above."))
    else:
        add(True, subject, _("A person in charge with a college degree or above."))
    if not family:
        health_workers = sum(1 for m in staff if m.role == StaffMember.Role.HEALTH_WORKER)
        enrolled = sum(group.enrolled for group in groups)
        threshold = params.get("staff.full_time_health_worker_from")
        subject = _("Health worker")
        if not health_workers:
            add(False, subject, _("No health worker is on the roster; at least one is required."))
        elif threshold and enrolled >= threshold:
            add(True, subject, _("%(n)d children: the health worker must be full-time.") % {"n": enrolled})
        else:
            add(True, subject, _("A health worker is on the roster."))
    lacking = [m.name for m in staff if m.health_certificate_expires is None or m.health_certificate_expires < day]
    subject = _("Health certificates")
    if lacking:
        add(False, subject, _("No valid health certificate: %(names)s.") % {"names": "、".join(sorted(lacking))})
    else:
        add(True, subject, _("Every active staff member has a valid health certificate."))
    return report


# --- Training -------------------------------------------------------------------------------


def programme_list(*, actor: User, kind: str = "", organiser: int | None = None, township: str = "") -> QuerySet:
    queryset = (
        TrainingProgramme.objects.visible_to(actor)
        .select_related("organiser", "region")
        .annotate(
            participant_count=Count("participants", distinct=True),
            completed_count=Count("participants", filter=Q(participants__completed_on__isnull=False), distinct=True),
            session_count=Count("sessions", distinct=True),
        )
    )
    if kind:
        queryset = queryset.filter(kind=kind)
    if organiser:
        queryset = queryset.filter(organiser_id=organiser)
    if township:
        queryset = queryset.filter(region__code__startswith=township)
    return queryset


def programme_get(*, actor: User, pk: int) -> TrainingProgramme:
    queryset = TrainingProgramme.objects.select_related("organiser__jurisdiction", "region").prefetch_related(
        "sessions"
    )
    return policy.get_visible_or_404(actor, queryset, pk=pk)


def participant_list(*, actor: User, programme: TrainingProgramme | None = None) -> QuerySet:
    queryset = (
        Participant.objects.visible_to(actor)
        .select_related("programme", "staff__institution", "village", "township")
        .prefetch_related("sessions_attended")
    )
    if programme is not None:
        queryset = queryset.filter(programme=programme)
    return queryset


def participant_get(*, actor: User, pk: int) -> Participant:
    queryset = Participant.objects.select_related("programme__organiser", "staff__institution", "village")
    return policy.get_visible_or_404(actor, queryset, pk=pk)


def session_get(*, actor: User, pk: int) -> TrainingSession:
    queryset = TrainingSession.objects.select_related("programme__organiser")
    return policy.get_visible_or_404(actor, queryset, pk=pk)


def trained(kinds, *, since: date | None = None, region_code: str = "") -> QuerySet:
    """Participants who completed a programme of these kinds (people counted once by the
    caller as it needs): trainers trained, village instructors trained."""
    queryset = Participant.objects.filter(programme__kind__in=kinds, completed_on__isnull=False)
    if since is not None:
        queryset = queryset.filter(completed_on__gte=since)
    if region_code:
        queryset = queryset.filter(
            Q(township__code__startswith=region_code) | Q(programme__region__code__startswith=region_code)
        )
    return queryset


@dataclass
class VillageCoverage:
    township: Region
    villages: int
    covered: int
    uncovered: list[Region]
    instructors: int

    @property
    def percent(self) -> Decimal | None:
        return (Decimal(100) * self.covered / self.villages).quantize(Decimal("0.1")) if self.villages else None


def village_coverage(*, township_codes: list[str] | None = None) -> list[VillageCoverage]:
    """Which villages and communities have at least one trained (completed) village health
    instructor, by township. Three queries whatever the number of villages."""
    townships = Region.objects.filter(level=Region.Level.TOWNSHIP).order_by("code")
    villages = Region.objects.filter(level=Region.Level.VILLAGE).order_by("code")
    if township_codes is not None:
        townships = townships.filter(code__in=township_codes)
        condition = Q(pk__in=[])
        for code in township_codes:
            condition |= Q(code__startswith=code)
        villages = villages.filter(condition)
    counts = dict(
        trained([TrainingProgramme.Kind.VILLAGE_INSTRUCTOR])
        .filter(village__isnull=False)
        .values("village_id")
        .annotate(n=Count("pk"))
        .values_list("village_id", "n")
    )
    by_township: dict[str, list[Region]] = {}
    for village in villages:
        by_township.setdefault(village.code[:9], []).append(village)
    result = []
    for township in townships:
        members = by_township.get(township.code, [])
        covered = [v for v in members if counts.get(v.pk)]
        result.append(
            VillageCoverage(
                township=township,
                villages=len(members),
                covered=len(covered),
                uncovered=[v for v in members if not counts.get(v.pk)],
                instructors=sum(counts.get(v.pk, 0) for v in members),
            )
        )
    return result


def village_coverage_for(*, actor: User) -> list[VillageCoverage]:
    """The coverage the actor may see: a township its own; any other member the city."""
    if not policy.organisations_of(actor):
        return []
    codes = policy.township_codes(actor)
    own_kinds = {org.kind for org in policy.organisations_of(actor)}
    if codes and own_kinds == {"township"}:
        return village_coverage(township_codes=codes)
    if "institution" in own_kinds and len(own_kinds) == 1:
        return []
    return village_coverage()


# --- Programme pages and village coverage (training/views/programmes.py, villages.py) --------


def programme_sessions(*, actor: User, programme: TrainingProgramme) -> QuerySet:
    """The programme's sessions with how many attended each: a count, not who (rule 24)."""
    return (
        TrainingSession.objects.visible_to(actor)
        .filter(programme=programme)
        .annotate(attendance=Count("attendees"))
        .order_by("held_on", "pk")
    )


def programme_organisers(*, actor: User) -> QuerySet:
    """The organisations that organise a programme the actor sees (the list's filter)."""
    organisers = TrainingProgramme.objects.visible_to(actor).values("organiser")
    return policy.organisations_visible_to(actor).filter(pk__in=organisers).order_by("name")


def programme_township_choices() -> QuerySet:
    """Every township: programmes are facts every member sees, and so are the areas they serve."""
    return Region.objects.filter(level=Region.Level.TOWNSHIP).order_by("code")


def programme_area_choices(*, actor: User) -> QuerySet:
    """The areas a new programme of the actor may serve: the jurisdiction of each organisation
    through which the actor runs a kind of programme, and the townships inside it (so a
    township government offers its own township only). The service judges the one chosen."""
    codes = {rules.running_organisation(actor, kind).jurisdiction.code for kind in rules.runnable_kinds(actor)}
    condition = Q(pk__in=[])
    for code in codes:
        condition |= Q(code=code) | Q(code__startswith=code, level=Region.Level.TOWNSHIP)
    return Region.objects.filter(condition).order_by("code")


def programme_villages(*, actor: User, programme: TrainingProgramme) -> QuerySet:
    """Villages and communities inside the programme's area and the actor's sight (a village
    health instructor's village)."""
    villages = Region.objects.filter(level=Region.Level.VILLAGE, code__startswith=programme.region.code)
    return policy.regions_visible_to(actor, villages).select_related("parent").order_by("code")


def village_coverage_total(rows: list[VillageCoverage]) -> VillageCoverage:
    """The sum of townships' rows (the city's, or one township's own): ``township`` is None."""
    return VillageCoverage(
        township=None,
        villages=sum(row.villages for row in rows),
        covered=sum(row.covered for row in rows),
        uncovered=[village for row in rows for village in row.uncovered],
        instructors=sum(row.instructors for row in rows),
    )


def certificate_numbers_recorded(*, kind_ids: set[int], numbers: set[str]) -> set[tuple[int, str]]:
    """The (kind, number) pairs among these already recorded, whoever recorded them: an import
    must not record a certificate twice. It learns only that a number is taken, not where."""
    return set(Certificate.objects.filter(kind__in=kind_ids, number__in=numbers).values_list("kind_id", "number"))
