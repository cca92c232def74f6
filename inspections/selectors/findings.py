"""Checklists, findings, supervision visits and inspection photos."""

from django.db.models import Count, Prefetch, Q, QuerySet

from accounts import policy
from inspections.models import (
    AnnualReview,
    ChecklistItem,
    ChecklistTemplate,
    Finding,
    FindingItem,
    InspectionFile,
)
from inspections.services.checklists import checklist_for_year
from registry.models import Institution


def _checklist_items():
    return Prefetch("items", queryset=ChecklistItem.objects.order_by("order", "code", "pk"))


def checklist_list(*, actor, area: str = "", year: int | None = None) -> QuerySet:
    """The checklists (every member sees them, rule 16) with their items in order, newest
    year first; two queries whatever their number."""
    queryset = ChecklistTemplate.objects.visible_to(actor)
    if area:
        queryset = queryset.filter(area=area)
    if year:
        queryset = queryset.filter(year=year)
    return queryset.prefetch_related(_checklist_items()).order_by("-year", "area", "pk")


def checklist_years(*, actor) -> list[int]:
    """The years that have a checklist, newest first (the year filter's choices)."""
    return list(ChecklistTemplate.objects.visible_to(actor).order_by("-year").values_list("year", flat=True).distinct())


def checklist_get(*, actor, pk: int):
    """One checklist with its items in order (404 for those who see none)."""
    return policy.get_visible_or_404(actor, ChecklistTemplate.objects.prefetch_related(_checklist_items()), pk=pk)


def checklist_for(*, actor, area: str, year: int):
    """The checklist a finding of ``area`` in ``year`` is recorded on (the year's own, else the
    latest earlier one), with its items; None if there is none or the user sees none."""
    template = checklist_for_year(area=area, year=year)
    if template is None:
        return None
    return (
        ChecklistTemplate.objects.visible_to(actor).filter(pk=template.pk).prefetch_related(_checklist_items()).first()
    )


def checklist_items_in_use(*, actor, template) -> set[int]:
    """Ids of the checklist's items that recorded findings point to (they cannot be removed).
    The owner of an area sees every finding of it (rule 18), so the answer is complete for
    the only people who edit."""
    return set(
        FindingItem.objects.visible_to(actor)
        .filter(item__template=template)
        .values_list("item_id", flat=True)
        .distinct()
    )


def finding_list(*, actor, area: str = "", text: str = "", passed: bool | None = None) -> QuerySet:
    """The findings in the user's sight (rule 18), latest inspection first, each with the
    number of items it failed (``failed_count``); a fixed number of queries."""
    queryset = Finding.objects.visible_to(actor)
    if area:
        queryset = queryset.filter(area=area)
    if text:
        queryset = queryset.filter(Q(institution__name__icontains=text) | Q(institution__credit_code__icontains=text))
    if passed is not None:
        queryset = queryset.filter(passed=passed)
    return (
        queryset.select_related("institution__township", "department", "inspector", "review__cycle")
        .annotate(failed_count=Count("items", filter=Q(items__result=FindingItem.Result.FAIL)))
        .order_by("-inspected_on", "-pk")
    )


def finding_get(*, actor, pk: int) -> Finding:
    """One finding in sight (404 otherwise) with its checklist results in the checklist's
    order and its photos."""
    items = FindingItem.objects.select_related("item").order_by("item__order", "item__code", "pk")
    photos = InspectionFile.objects.select_related("uploaded_by", "stored").order_by("uploaded_at", "pk")
    queryset = Finding.objects.select_related(
        "institution__township", "institution__organisation", "department", "inspector", "review__cycle"
    ).prefetch_related(Prefetch("items", queryset=items), Prefetch("photos", queryset=photos))
    return policy.get_visible_or_404(actor, queryset, pk=pk)


def finding_current(*, actor, review: AnnualReview, area: str) -> Finding | None:
    """The finding already recorded for the review and area (recording again replaces it)."""
    items = FindingItem.objects.select_related("item")
    return (
        Finding.objects.visible_to(actor)
        .filter(review=review, area=area)
        .select_related("inspector", "department")
        .prefetch_related(Prefetch("items", queryset=items))
        .first()
    )


def finding_institution_get(*, actor, pk: int) -> Institution:
    """An institution in sight (404 otherwise), for an ad-hoc inspection or a supervision visit."""
    return policy.get_visible_or_404(actor, Institution.objects.select_related("township", "organisation"), pk=pk)


def supervision_institutions(*, actor) -> QuerySet:
    """The institutions in the territory of the user's township governments, by name."""
    codes = policy.township_codes(actor)
    if not codes:
        return Institution.objects.none()
    return (
        Institution.objects.visible_to(actor)
        .filter(township__code__in=codes)
        .select_related("township")
        .order_by("name", "pk")
    )


def inspection_file_get(*, actor, pk: int) -> InspectionFile:
    """A photo of a finding or evidence of an order, where its finding or order is in sight."""
    return policy.get_visible_or_404(actor, InspectionFile.objects.select_related("finding", "order", "stored"), pk=pk)


def finding_adhoc_institutions(*, actor) -> QuerySet:
    """The institutions in sight an inspector may visit ad hoc (not closed or withdrawn)."""
    return (
        Institution.objects.visible_to(actor)
        .exclude(status__in=[Institution.Status.CLOSED, Institution.Status.REVOKED])
        .select_related("township")
        .order_by("township__code", "name", "pk")
    )
