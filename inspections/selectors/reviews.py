"""Cycles, reviews, self-reports and decisions."""

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from accounts import policy
from accounts.models import Region
from inspections.models import (
    AnnualReview,
    Area,
    AreaExemption,
    Finding,
    FindingItem,
    RectificationOrder,
    ReviewCycle,
    SelfReport,
)
from inspections.services.checklists import review_required_areas

# A self-report not (or no longer) submitted.
UNSUBMITTED = (SelfReport.Status.DRAFT, SelfReport.Status.RETURNED)


# Values of the self-report filter of the review list (see ``review_list``).
SELF_REPORT_FILTERS = ("submitted", "late", "not_submitted", "missing", "returned")


# Values of the decision filter: a result, or none yet.
RESULT_FILTERS = ("pass", "fail", "undecided")


def cycle_list(*, actor) -> list[ReviewCycle]:
    """The review cycles (every member sees them, rule 16), newest first, each with ``stats``:
    counts over the reviews *the user sees* in it, so a township's page counts its territory."""
    cycles = list(ReviewCycle.objects.visible_to(actor).select_related("opened_by", "closed_by"))
    if not cycles:
        return cycles
    rows = (
        AnnualReview.objects.visible_to(actor)
        .filter(cycle__in=[cycle.pk for cycle in cycles])
        .values("cycle_id")
        .annotate(
            total=Count("pk"),
            awaiting=Count("pk", filter=Q(self_report__status__in=UNSUBMITTED)),
            submitted=Count("pk", filter=Q(self_report__status=SelfReport.Status.SUBMITTED)),
            late=Count("pk", filter=Q(self_report__late=True)),
            decided=Count("pk", filter=~Q(result=AnnualReview.Result.NONE)),
            passed=Count("pk", filter=Q(result=AnnualReview.Result.PASS)),
            failed=Count("pk", filter=Q(result=AnnualReview.Result.FAIL)),
        )
        .order_by()
    )
    stats = {row.pop("cycle_id"): row for row in rows}
    empty = dict.fromkeys(("total", "awaiting", "submitted", "late", "decided", "passed", "failed"), 0)
    for cycle in cycles:
        cycle.stats = stats.get(cycle.pk, empty)
        cycle.stats["undecided"] = cycle.stats["total"] - cycle.stats["decided"]
    return cycles


def cycle_get(*, actor, pk: int) -> ReviewCycle:
    return policy.get_visible_or_404(actor, ReviewCycle.objects.all(), pk=pk)


def cycle_years(*, actor) -> list[int]:
    """The years of the cycles the user sees, newest first (the year filter's choices)."""
    return list(ReviewCycle.objects.visible_to(actor).order_by("-year").values_list("year", flat=True))


def review_township_choices(*, actor) -> list[Region]:
    """The townships the review list may be filtered by: those of the reviews the user sees."""
    townships = AnnualReview.objects.visible_to(actor).values("institution__township")
    return list(Region.objects.filter(level=Region.Level.TOWNSHIP, pk__in=townships).order_by("code"))


def review_list(
    *,
    actor,
    year: int | None = None,
    status: str = "",
    result: str = "",
    self_report: str = "",
    township: str = "",
    text: str = "",
) -> QuerySet:
    """The review queue in the user's sight (rule 17), each row with its self-report and the
    findings the user may see (rule 18) in ``visible_findings``; a fixed number of queries.

    ``self_report``: ``submitted``, ``late`` (submitted after the due date), ``not_submitted``
    (draft or returned), ``missing`` (not submitted and past the due date), ``returned``.
    ``result``: ``pass``, ``fail`` or ``undecided``."""
    queryset = AnnualReview.objects.visible_to(actor).select_related("cycle", "institution__township", "self_report")
    if year:
        queryset = queryset.filter(cycle__year=year)
    if status:
        queryset = queryset.filter(status=status)
    queryset = reviews_with_result(queryset, result)
    queryset = reviews_with_self_report(queryset, self_report)
    if township:
        queryset = queryset.filter(institution__township__code=township)
    if text:
        queryset = queryset.filter(Q(institution__name__icontains=text) | Q(institution__credit_code__icontains=text))
    findings = Finding.objects.visible_to(actor).order_by("area", "pk")
    return queryset.prefetch_related(Prefetch("findings", queryset=findings, to_attr="visible_findings")).order_by(
        "-cycle__year", "institution__township__code", "institution__name", "pk"
    )


def reviews_with_result(queryset: QuerySet, result: str) -> QuerySet:
    """``result``: ``pass``, ``fail``, ``undecided`` or empty (any)."""
    if result == "undecided":
        return queryset.filter(result=AnnualReview.Result.NONE)
    return queryset.filter(result=result) if result else queryset


def reviews_with_self_report(queryset: QuerySet, self_report: str) -> QuerySet:
    """``self_report``: one of ``SELF_REPORT_FILTERS`` or empty (any)."""
    if self_report == "submitted":
        return queryset.filter(self_report__status=SelfReport.Status.SUBMITTED)
    if self_report == "late":
        return queryset.filter(self_report__late=True)
    if self_report == "not_submitted":
        return queryset.filter(self_report__status__in=UNSUBMITTED)
    if self_report == "missing":
        return queryset.filter(self_report__status__in=UNSUBMITTED, cycle__self_report_due__lt=timezone.localdate())
    if self_report == "returned":
        return queryset.filter(self_report__status=SelfReport.Status.RETURNED)
    return queryset


def review_get(*, actor, pk: int) -> AnnualReview:
    """One review in the user's sight (404 otherwise), with its cycle, institution and report."""
    queryset = AnnualReview.objects.select_related(
        "cycle", "institution__township", "institution__village", "institution__organisation", "self_report",
        "decided_by",
    )  # fmt: skip
    return policy.get_visible_or_404(actor, queryset, pk=pk)


def review_findings(*, actor, review: AnnualReview) -> list[Finding]:
    """The findings of the review that the user may see (a department: its own areas only),
    each with its checklist results."""
    items = FindingItem.objects.select_related("item").order_by("item__order", "item__code")
    return list(
        Finding.objects.visible_to(actor)
        .filter(review=review)
        .select_related("department", "inspector")
        .prefetch_related(Prefetch("items", queryset=items))
        .order_by("area", "pk")
    )


def review_orders(*, actor, review: AnnualReview) -> list[RectificationOrder]:
    """The rectification orders that followed the review, as far as the user sees them."""
    return list(RectificationOrder.objects.visible_to(actor).filter(review=review).order_by("issued_at", "pk"))


def failed_checklist_items(findings) -> list[dict]:
    """The checklist items the findings failed, as items of a rectification order
    (``{"key", "area", "code", "text", "note", "severity"}``; ``key`` is ``<area>:<code>``)."""
    failed = []
    for finding in findings:
        for result in finding.items.all():
            if result.result == FindingItem.Result.FAIL:
                failed.append(
                    {
                        "key": f"{finding.area}:{result.item.code}",
                        "area": finding.area,
                        "code": result.item.code,
                        "text": result.item.text,
                        "note": result.note,
                        "severity": result.item.severity,
                    }
                )
    return failed


def review_areas(*, actor, review: AnnualReview, findings: list[Finding] | None = None) -> list[dict]:
    """The areas the decision on the review rests on, in the order of ``Area``, with what
    covers each: ``{"area", "label", "recorded", "passed", "department", "inspected_on",
    "exemption"}``; ``recorded`` is False and ``exemption`` None for an area still missing.

    An area whose finding the actor may not read (a department: another department's
    area, rule 18) is left out; the health bureau, the institution and its township get
    every area. ``findings``: the review's findings in the actor's sight, if already loaded
    (``review_findings``). Three or four queries."""
    if findings is None:
        findings = Finding.objects.visible_to(actor).filter(review=review).select_related("department")
    findings = {finding.area: finding for finding in findings}
    hidden = set(Finding.objects.filter(review=review).values_list("area", flat=True)) - set(findings)
    exemptions = {
        exemption.area: exemption
        for exemption in AreaExemption.objects.filter(review=review).select_related("department", "recorded_by")
    }
    rows = []
    for area in review_required_areas(review=review):
        if area in hidden:
            continue
        finding = findings.get(area)
        rows.append(
            {
                "area": area,
                "label": Area(area).label,
                "recorded": finding is not None,
                "passed": finding.passed if finding else None,
                "department": finding.department if finding else None,
                "inspected_on": finding.inspected_on if finding else None,
                "exemption": exemptions.get(area),
            }
        )
    return rows
