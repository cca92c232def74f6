"""Reads of the registry that leave it: keyword-only, actor required, scoped by the policy."""

from datetime import timedelta

from django.db.models import Case, Count, DateField, F, IntegerField, Prefetch, Q, QuerySet, Sum, Value, When
from django.utils import timezone

from accounts import policy
from accounts.models import User
from registry import parameters
from registry.models import (
    CalendarDay,
    ClassGroup,
    FeeSchedule,
    Filing,
    FilingAttachment,
    GuidanceSite,
    ImportJob,
    Institution,
    Parameter,
    PricingGuidance,
    Registration,
    ResidentialArea,
)


def institution_list(
    *,
    actor: User,
    township: str = "",
    status: str = "",
    filing_status: str = "",
    provider_type: str = "",
    inclusive: bool | None = None,
    demonstration: bool | None = None,
    text: str = "",
) -> QuerySet:
    queryset = (
        Institution.objects.visible_to(actor)
        .select_related("township", "village")
        .annotate(slots=Sum("class_groups__places"), enrolled=Sum("class_groups__enrolled"))
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
    if text:
        queryset = queryset.filter(
            Q(name__icontains=text) | Q(credit_code__icontains=text) | Q(address__icontains=text)
        )
    return queryset.order_by("township__code", "name")


def institution_get(*, actor: User, pk: int) -> Institution:
    queryset = Institution.objects.select_related("township", "village", "organisation").prefetch_related(
        "class_groups",
        Prefetch("registrations", queryset=Registration.objects.select_related("authority")),
        "fees",
    )
    return policy.get_visible_or_404(actor, queryset, pk=pk)


def institution_for_member(*, actor: User) -> Institution | None:
    """The institution the user acts for, if any (an institution's own staff)."""
    own = [org.pk for org in policy.organisations_of(actor)]
    return Institution.objects.filter(organisation__in=own).select_related("township", "village").first()


def class_group_get(*, actor: User, pk: int) -> ClassGroup:
    return policy.get_visible_or_404(actor, ClassGroup.objects.select_related("institution__organisation"), pk=pk)


def registration_list(*, actor: User, status: str = "") -> QuerySet:
    queryset = Registration.objects.visible_to(actor).select_related("institution__township", "authority")
    return queryset.filter(status=status) if status else queryset


def registration_get(*, actor: User, pk: int) -> Registration:
    queryset = Registration.objects.select_related("institution__organisation", "authority")
    return policy.get_visible_or_404(actor, queryset, pk=pk)


def unfiled_registered_institutions(*, actor: User) -> QuerySet:
    """Registered institutions without a filing after the set number of days (the health
    bureau's queue)."""
    days = int(parameters.get("filing.unfiled_alert_days", 30))
    cutoff = timezone.localdate() - timedelta(days=days)
    return (
        Institution.objects.visible_to(actor)
        .filter(
            filing_status=Institution.FilingStatus.NOT_FILED,
            registrations__status=Registration.Status.ACTIVE,
            registrations__registered_on__lte=cutoff,
        )
        .select_related("township")
        .distinct()
    )


def filing_list(*, actor: User, status: str = "", overdue: bool = False, institution: Institution | None = None):
    queryset = Filing.objects.visible_to(actor).select_related("institution__township", "decided_by")
    if status:
        queryset = queryset.filter(status=status)
    if overdue:
        queryset = queryset.filter(status=Filing.Status.SUBMITTED, due_on__lt=timezone.localdate())
    if institution is not None:
        queryset = queryset.filter(institution=institution)
    return queryset


def filing_queue(*, actor: User, status: str = "", overdue: bool = False, text: str = "") -> QuerySet:
    """The filing list page and API: ``filing_list`` with a search on the institution's name,
    filings waiting for review first (the one due soonest on top), then the newest."""
    queryset = filing_list(actor=actor, status=status, overdue=overdue)
    if text:
        queryset = queryset.filter(institution__name__icontains=text)
    waiting = Q(status=Filing.Status.SUBMITTED)
    return queryset.annotate(
        queue_rank=Case(When(waiting, then=Value(0)), default=Value(1), output_field=IntegerField()),
        queue_due=Case(When(waiting, then=F("due_on")), default=None, output_field=DateField()),
    ).order_by("queue_rank", "queue_due", "-created_at", "-id")


def filing_open_for(*, actor: User, institution: Institution) -> Filing | None:
    """The institution's filing still in progress (draft, submitted or returned), if any."""
    return filing_list(actor=actor, institution=institution).filter(status__in=Filing.OPEN_STATUSES).first()


def filing_class_groups(*, actor: User, filing: Filing) -> list[ClassGroup]:
    """The class groups of the filing's institution, for the standards warnings on the filing."""
    return list(ClassGroup.objects.visible_to(actor).filter(institution_id=filing.institution_id))


def filing_get(*, actor: User, pk: int) -> Filing:
    queryset = Filing.objects.select_related(
        "institution__township", "institution__village", "institution__organisation", "decided_by"
    ).prefetch_related(Prefetch("attachments", queryset=FilingAttachment.objects.select_related("uploaded_by")))
    return policy.get_visible_or_404(actor, queryset, pk=pk)


def attachment_get(*, actor: User, pk: int) -> FilingAttachment:
    return policy.get_visible_or_404(
        actor, FilingAttachment.objects.select_related("filing__institution__organisation"), pk=pk
    )


def residential_area_list(*, actor: User, township: str = "") -> QuerySet:
    queryset = ResidentialArea.objects.visible_to(actor).select_related("township", "village")
    return queryset.filter(township__code=township) if township else queryset


def residential_area_get(*, actor: User, pk: int) -> ResidentialArea:
    return policy.get_visible_or_404(actor, ResidentialArea.objects.select_related("township", "village"), pk=pk)


def guidance_site_list(*, actor: User, level: str = "") -> QuerySet:
    queryset = (
        GuidanceSite.objects.visible_to(actor)
        .select_related("region")
        .annotate(villages_covered=Count("covered_villages"))
    )
    return queryset.filter(level=level) if level else queryset


def guidance_site_get(*, actor: User, pk: int) -> GuidanceSite:
    queryset = GuidanceSite.objects.select_related("region").prefetch_related("covered_villages")
    return policy.get_visible_or_404(actor, queryset, pk=pk)


def fee_list(*, actor: User, institution: Institution) -> QuerySet:
    return FeeSchedule.objects.visible_to(actor).filter(institution=institution)


def pricing_guidance_list(*, actor: User) -> QuerySet:
    return PricingGuidance.objects.visible_to(actor)


def import_job_list(*, actor: User) -> QuerySet:
    return ImportJob.objects.visible_to(actor).select_related("created_by")


def import_job_get(*, actor: User, pk: int) -> ImportJob:
    return policy.get_visible_or_404(actor, ImportJob.objects.all(), pk=pk)


def parameter_list(*, actor: User) -> QuerySet:
    """Standards and limits; shown to holders of ``targets.manage``, who may change them."""
    policy.require_duty(actor, "targets.manage")
    return Parameter.objects.all()


def calendar_day_list(*, actor: User, year: int) -> QuerySet:
    policy.require_duty(actor, "targets.manage")
    return CalendarDay.objects.filter(date__year=year)
