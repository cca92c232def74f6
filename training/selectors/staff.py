"""Staff: the rosters of the institutions."""

from datetime import date

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from accounts import policy
from accounts.models import Region, User
from registry.models import Institution
from training import rules
from training.models import Certificate, StaffMember


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
        queryset = queryset.filter(staff_text_condition(search))
    if policy.holds(actor, rules.OVERSEE_DUTY):
        queryset = queryset.annotate(employed_elsewhere=_employed_elsewhere(today))
    return queryset


def staff_text_condition(text: str) -> Q:
    """The roster's search: part of the person's or the institution's name."""
    return Q(name__icontains=text) | Q(institution__name__icontains=text)


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


def roster_townships(*, actor: User) -> list[Region]:
    """The townships holding an institution whose roster the actor sees, in code order (a
    filter's choices: a few dozen at most, whatever the number of institutions)."""
    institutions = roster_institutions(actor=actor).order_by().values("township")
    return list(Region.objects.filter(pk__in=institutions).order_by("code"))


def duplicate_employment_list(*, actor: User) -> list[StaffMember]:
    """Active staff on the roster of more than one institution (health bureau only)."""
    policy.require_duty(actor, rules.OVERSEE_DUTY)
    return list(staff_list(actor=actor).filter(employed_elsewhere=True).order_by("id_hash", "institution__name"))


def roster_matches(*, id_hash: str) -> list[dict]:
    """Where the person with this ID-number hash is on an active roster today, for the ban
    list's look back (the ``roster_lookup`` hook): ``{"institution_id", "institution",
    "staff_id"}`` each. No actor: the portal screens every roster for the health bureau, and
    the answer goes to it only."""
    return [
        {"institution_id": institution_id, "institution": name, "staff_id": staff_id}
        for staff_id, institution_id, name in StaffMember.objects.filter(
            StaffMember.active_q(timezone.localdate()), id_hash=id_hash
        )
        .order_by("institution__name", "pk")
        .values_list("pk", "institution_id", "institution__name")
    ]
