"""Institutions, their class groups and fees as the institution pages, exports and API read
them (``registry/views/institutions.py``, ``registry/views/planning.py`` for fees)."""

from dataclasses import dataclass
from datetime import date

from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery, Sum

from accounts import policy
from accounts.models import Region, User
from registry import parameters, rules, standards
from registry.models import ClassGroup, FeeSchedule, Filing, Institution, Registration
from registry.selectors.filings import filing_list


def institution_list(
    *,
    actor: User,
    township: str = "",
    status: str = "",
    filing_status: str = "",
    provider_type: str = "",
    inclusive: bool | None = None,
    demonstration: bool | None = None,
    opened_since: date | None = None,
    text: str = "",
) -> QuerySet:
    queryset = (
        Institution.objects.visible_to(actor)
        .select_related("township", "village")
        .annotate(slots=_class_groups_sum("places"), enrolled=_class_groups_sum("enrolled"))
    )
    if township:
        queryset = queryset.filter(township__code=township)
    if status:
        queryset = queryset.filter(status=status)
    if filing_status:
        queryset = queryset.filter(filing_status=filing_status)
    if provider_type:
        queryset = queryset.filter(provider_type=provider_type)
    if inclusive is not None:
        queryset = queryset.filter(inclusive=inclusive)
    if demonstration is not None:
        queryset = queryset.filter(demonstration=demonstration)
    if opened_since is not None:
        queryset = queryset.filter(opened_on__gte=opened_since)
    if text:
        queryset = queryset.filter(institution_text_condition(text))
    return queryset.order_by("township__code", "name", "pk")


def _class_groups_sum(field: str) -> Subquery:
    """The sum of a field over one institution's class groups (None without any), as a subquery
    per row: a join grouped by institution summed every institution before the page took its
    rows, so the list's cost grew with the register; a subquery runs for the rows read only."""
    groups = ClassGroup.objects.filter(institution=OuterRef("pk")).order_by().values("institution")
    return Subquery(groups.annotate(total=Sum(field)).values("total"))


def institution_text_condition(text: str) -> Q:
    """The institution list's search: part of the name, the credit code or the address."""
    return Q(name__icontains=text) | Q(credit_code__icontains=text) | Q(address__icontains=text)


CHOICES_LIMIT = 20


def institution_choices(*, actor: User, text: str = "") -> list[dict]:
    """At most ``CHOICES_LIMIT`` institutions the user sees whose name holds ``text``, for a
    search-as-you-type field: ``{"id", "name", "township"}`` each, one query, so that no page
    lists every institution."""
    queryset = Institution.objects.visible_to(actor)
    if text:
        queryset = queryset.filter(name__icontains=text)
    rows = queryset.order_by("name", "pk").values_list("pk", "name", "township__name")[:CHOICES_LIMIT]
    return [{"id": pk, "name": name, "township": township} for pk, name, township in rows]


def institution_get(*, actor: User, pk: int) -> Institution:
    queryset = Institution.objects.select_related("township", "village", "organisation").prefetch_related(
        "class_groups",
        Prefetch("registrations", queryset=Registration.objects.select_related("authority")),
        "fees",
    )
    return policy.get_visible_or_404(actor, queryset, pk=pk)


def institution_for_member(*, actor: User) -> Institution | None:
    """The institution the user acts for, if any (an institution's own staff). Kept on the user
    object for the request: the home page's work queue asks for it from several apps."""
    if not hasattr(actor, "_institution_for_member"):
        own = [org.pk for org in policy.organisations_of(actor)]
        actor._institution_for_member = (
            Institution.objects.filter(organisation__in=own).select_related("township", "village").first()
        )
    return actor._institution_for_member


def class_group_get(*, actor: User, pk: int) -> ClassGroup:
    return policy.get_visible_or_404(actor, ClassGroup.objects.select_related("institution__organisation"), pk=pk)


def fee_list(*, actor: User, institution: Institution) -> QuerySet:
    return FeeSchedule.objects.visible_to(actor).filter(institution=institution)


def institution_township_choices(*, actor: User) -> list[Region]:
    """The townships a user may filter institutions by: those inside the regions the user sees
    and those holding an institution the user sees (an institution's staff see their own)."""
    return list(
        Region.objects.filter(level=Region.Level.TOWNSHIP)
        .filter(
            Q(pk__in=policy.regions_visible_to(actor).values("pk"))
            | Q(pk__in=Institution.objects.visible_to(actor).values("township"))
        )
        .order_by("code")
    )


@dataclass(frozen=True)
class InstitutionOverview:
    """Everything the institution page shows, read once."""

    institution: Institution
    class_groups: list[ClassGroup]
    warnings: list[standards.Warning]
    filings: list[Filing]
    can_edit: bool
    is_own: bool
    shows_contact_phone: bool

    @property
    def contact_phone(self) -> str:
        institution = self.institution
        return institution.contact_phone if self.shows_contact_phone else institution.contact_phone_masked

    @property
    def is_filed(self) -> bool:
        return self.institution.filing_status == Institution.FilingStatus.FILED

    @property
    def open_change(self) -> Filing | None:
        """The change filing in progress, whose proposal the registry does not show yet."""
        return next(
            (f for f in self.filings if f.kind == Filing.Kind.CHANGE and f.status in Filing.OPEN_STATUSES), None
        )

    @property
    def places(self) -> int:
        return sum(group.places for group in self.class_groups)

    @property
    def enrolled(self) -> int:
        return sum(group.enrolled for group in self.class_groups)

    @property
    def caregivers(self) -> int:
        return sum(group.caregivers for group in self.class_groups)


def institution_overview(*, actor: User, pk: int) -> InstitutionOverview:
    """One institution with its class groups, the standards warnings, and the filings the user
    may read (filing papers follow their own rule, policy rule 12)."""
    institution = institution_get(actor=actor, pk=pk)
    groups = list(institution.class_groups.all())
    return InstitutionOverview(
        institution=institution,
        class_groups=groups,
        warnings=standards.institution_warnings(institution, groups, parameters.load()),
        filings=list(filing_list(actor=actor, institution=institution)),
        can_edit=rules.can_edit_institution(actor=actor, institution=institution),
        is_own=rules.is_institution_member(actor=actor, institution=institution),
        shows_contact_phone=rules.can_see_contact_phone(actor=actor, institution=institution),
    )


def class_group_warnings(*, group: ClassGroup) -> list[standards.Warning]:
    """The standards warnings of one class group already in hand (the service that saved it
    checked the actor); shown to the institution right after saving, never a refusal."""
    return standards.class_group_warnings(
        group, parameters.load(), family_care_point=group.institution.is_family_care_point
    )


def fee_institution_get(*, actor: User, pk: int) -> Institution:
    """An institution whose fees are read or kept (out of sight: 404)."""
    return policy.get_visible_or_404(actor, Institution.objects.select_related("organisation", "township"), pk=pk)


def fee_get(*, actor: User, pk: int) -> FeeSchedule:
    return policy.get_visible_or_404(actor, FeeSchedule.objects.select_related("institution__organisation"), pk=pk)
