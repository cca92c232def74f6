"""Reads of the annual review and enforcement that leave the app: keyword-only, actor
required, scoped by the access policy (``accounts.policy``), related rows loaded here."""

from django.db.models import BooleanField, Count, ExpressionWrapper, Prefetch, Q, QuerySet
from django.utils import timezone

from accounts import policy
from accounts.models import Region
from inspections import rules
from inspections.models import (
    AnnualReview,
    BanEntry,
    Case,
    ChecklistItem,
    ChecklistTemplate,
    Finding,
    FindingItem,
    InspectionFile,
    RectificationOrder,
    ReviewCycle,
    RevocationReferral,
    SelfReport,
)
from inspections.services.checklists import checklist_for_year
from registry.models import Institution

# --- Cycles, reviews, self-reports and decisions -----------------------------------------

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
    if result == "undecided":
        queryset = queryset.filter(result=AnnualReview.Result.NONE)
    elif result:
        queryset = queryset.filter(result=result)
    if self_report == "submitted":
        queryset = queryset.filter(self_report__status=SelfReport.Status.SUBMITTED)
    elif self_report == "late":
        queryset = queryset.filter(self_report__late=True)
    elif self_report == "not_submitted":
        queryset = queryset.filter(self_report__status__in=UNSUBMITTED)
    elif self_report == "missing":
        queryset = queryset.filter(self_report__status__in=UNSUBMITTED, cycle__self_report_due__lt=timezone.localdate())
    elif self_report == "returned":
        queryset = queryset.filter(self_report__status=SelfReport.Status.RETURNED)
    if township:
        queryset = queryset.filter(institution__township__code=township)
    if text:
        queryset = queryset.filter(Q(institution__name__icontains=text) | Q(institution__credit_code__icontains=text))
    findings = Finding.objects.visible_to(actor).order_by("area", "pk")
    return queryset.prefetch_related(Prefetch("findings", queryset=findings, to_attr="visible_findings")).order_by(
        "-cycle__year", "institution__township__code", "institution__name", "pk"
    )


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
    (``{"key", "area", "code", "text", "note"}``; ``key`` is ``<area>:<code>``)."""
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
                    }
                )
    return failed


# --- Enforcement: rectification orders, revocation referrals, cases, the ban list ---------


def _order_overdue_flag(queryset: QuerySet) -> QuerySet:
    """``is_overdue``: still waiting for the institution's answer after the deadline."""
    today = timezone.localdate()
    return queryset.annotate(
        is_overdue=ExpressionWrapper(
            Q(status=RectificationOrder.Status.OPEN, deadline__lt=today), output_field=BooleanField()
        )
    )


def order_list(*, actor, status: str = "", overdue: bool = False, text: str = "") -> QuerySet:
    """Orders in the actor's sight (rule 19), newest first, each flagged ``is_overdue``."""
    queryset = _order_overdue_flag(
        RectificationOrder.objects.visible_to(actor).select_related("institution__township", "review__cycle")
    )
    if status:
        queryset = queryset.filter(status=status)
    if overdue:
        queryset = queryset.filter(status=RectificationOrder.Status.OPEN, deadline__lt=timezone.localdate())
    if text:
        queryset = queryset.filter(Q(institution__name__icontains=text) | Q(number__icontains=text))
    return queryset.order_by("-issued_at", "-pk")


def order_escalation_due_list(*, today) -> QuerySet:
    """Open orders past their deadline on ``today`` that were never escalated, for the hourly
    task (no actor: it acts for the portal; escalating is idempotent)."""
    return RectificationOrder.objects.filter(
        status=RectificationOrder.Status.OPEN, deadline__lt=today, escalated_at__isnull=True
    ).select_related("institution__township")


def order_get(*, actor, pk: int) -> RectificationOrder:
    """One order in sight (404 otherwise) with its institution, review and evidence."""
    queryset = _order_overdue_flag(
        RectificationOrder.objects.select_related(
            "institution__organisation", "institution__township", "review__cycle", "issued_by", "verified_by"
        ).prefetch_related(
            Prefetch("evidence", queryset=InspectionFile.objects.select_related("uploaded_by", "stored"))
        )
    )
    return policy.get_visible_or_404(actor, queryset, pk=pk)


def order_evidence_get(*, actor, pk: int) -> InspectionFile:
    """Evidence of an order (never a finding's photo), where its order is in sight."""
    queryset = InspectionFile.objects.filter(order__isnull=False).select_related("order__institution", "stored")
    return policy.get_visible_or_404(actor, queryset, pk=pk)


def order_issue_institutions(*, actor) -> QuerySet:
    """Institutions in sight that can still be ordered to rectify (not closed or withdrawn)."""
    return (
        Institution.objects.visible_to(actor)
        .exclude(status__in=[Institution.Status.CLOSED, Institution.Status.REVOKED])
        .select_related("township")
        .order_by("township__code", "name", "pk")
    )


def referral_list(*, actor, status: str = "") -> QuerySet:
    """Revocation referrals in sight (rule 20), newest first."""
    queryset = RevocationReferral.objects.visible_to(actor).select_related(
        "institution__township", "authority", "registration"
    )
    if status:
        queryset = queryset.filter(status=status)
    return queryset.order_by("-raised_at", "-pk")


def referral_get(*, actor, pk: int) -> RevocationReferral:
    """One referral in sight (404 otherwise) with the failed reviews, oldest year first."""
    reviews = AnnualReview.objects.select_related("cycle").order_by("cycle__year")
    queryset = RevocationReferral.objects.select_related(
        "institution__township", "institution__organisation", "authority", "registration", "raised_by", "decided_by"
    ).prefetch_related(Prefetch("failed_reviews", queryset=reviews))
    return policy.get_visible_or_404(actor, queryset, pk=pk)


def case_list(*, actor, status: str = "", township: str = "", text: str = "") -> QuerySet:
    """Cases within the actor's ``case.manage`` jurisdiction (rule 21), latest found first."""
    queryset = Case.objects.visible_to(actor).select_related("township", "recorded_by")
    if status:
        queryset = queryset.filter(status=status)
    if township:
        queryset = queryset.filter(township__code=township)
    if text:
        queryset = queryset.filter(Q(provider_name__icontains=text) | Q(place__icontains=text))
    return queryset.order_by("-found_on", "-pk")


def case_get(*, actor, pk: int) -> Case:
    queryset = Case.objects.select_related("township", "recorded_by", "institution")
    return policy.get_visible_or_404(actor, queryset, pk=pk)


def case_townships(*, actor) -> QuerySet:
    """The townships where the actor handles cases: its own (a township government) or every
    one (the health bureau). None for anyone whose organisations do not hold ``case.manage``."""
    codes = [
        org.jurisdiction.code
        for org in policy.organisations_of(actor)
        if any(duty.code == "case.manage" for duty in org.duties.all())
    ]
    condition = Q(pk__in=[])
    for code in codes:
        condition |= Q(code__startswith=code)
    return Region.objects.filter(condition, level=Region.Level.TOWNSHIP).order_by("code")


def township_all() -> QuerySet:
    """Every township (public reference data): a form accepts any, the service judges it."""
    return Region.objects.filter(level=Region.Level.TOWNSHIP).order_by("code")


def ban_list(*, actor) -> QuerySet:
    """The lifetime ban list: holders of ``banlist.manage`` only (rule 22)."""
    return BanEntry.objects.visible_to(actor).select_related("recorded_by").order_by("-decided_on", "-pk")


# --- Printable documents and cycle statistics ---------------------------------------------


def document_review_get(*, actor, pk: int) -> AnnualReview:
    """A decided annual review, for its result notice: 404 outside the actor's sight (rule 17)
    and, for everyone, while it is undecided (there is no notice to print yet)."""
    from django.http import Http404

    review = review_get(actor=actor, pk=pk)
    if review.result == AnnualReview.Result.NONE:
        raise Http404
    return review


def cycle_statistics_get(*, actor, cycle: ReviewCycle) -> dict:
    """The cycle's figures as last computed (by the schedule or the health bureau's recompute),
    see ``inspections.statistics``. Only holders of ``review.lead`` or ``dashboard.view`` read
    them: other members get 403. Figures never computed are computed and cached now."""
    from django.core.exceptions import PermissionDenied

    from inspections import statistics

    if not rules.can_read_cycle_statistics(actor):
        raise PermissionDenied("dashboard.view")
    figures = statistics.cycle_statistics_cached(cycle=cycle)
    if figures is None:
        figures = statistics.cycle_statistics_store(cycle=cycle)
    return figures


# --- Checklists, findings, supervision visits and inspection photos ------------------------


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
