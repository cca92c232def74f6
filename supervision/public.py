"""What the public page of a filed institution shows from daily supervision and the annual
review (hooks the registry's public pages call: ``public_results`` and ``public_panel``).

Only public facts: the decided annual reviews of the last three years (result, the areas that
failed, whether the rectification is complete), the number of substantiated complaints, and the
way to complain. No name of an inspector, no finding's notes, nothing about a complainant."""

from dataclasses import dataclass

from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from inspections.models import AnnualReview, Area, Finding, RectificationOrder
from supervision.selectors import spotchecks
from supervision.selectors.complaints import substantiated_counts

YEARS_SHOWN = 3
DONE, FAILED, UNDER_WAY = "done", "failed", "under_way"


@dataclass(frozen=True)
class PublicReview:
    year: int
    result: str
    result_label: str
    failed_areas: list[str]
    # None: nothing to rectify; else DONE, FAILED or UNDER_WAY.
    rectification: str | None
    rectification_label: str


def _rectification(orders) -> tuple[str | None, str]:
    if not orders:
        return None, ""
    statuses = {order.status for order in orders}
    if RectificationOrder.Status.UNMET in statuses:
        return FAILED, _("Rectification failed")
    if statuses == {RectificationOrder.Status.VERIFIED}:
        return DONE, _("Rectification complete")
    return UNDER_WAY, _("Rectification under way")


def reviews_by_institution(*, institution_ids) -> dict[int, list[PublicReview]]:
    """The decided reviews of the last three cycle years, newest first, by institution (three queries)."""
    first_year = timezone.localdate().year - YEARS_SHOWN + 1
    reviews = (
        AnnualReview.objects.filter(institution_id__in=list(institution_ids), cycle__year__gte=first_year)
        .exclude(result="")
        .select_related("cycle")
        .prefetch_related(
            Prefetch("findings", queryset=Finding.objects.filter(passed=False).only("id", "review_id", "area")),
            Prefetch("orders", queryset=RectificationOrder.objects.only("id", "review_id", "status")),
        )
        .order_by("institution_id", "-cycle__year")
    )
    labels = dict(Area.choices)
    result = {}
    for review in reviews:
        final = review.final_result or review.result
        rectification, rectification_label = _rectification(list(review.orders.all()))
        result.setdefault(review.institution_id, []).append(
            PublicReview(
                year=review.cycle.year,
                result=final,
                result_label=str(AnnualReview.Result(final).label),
                failed_areas=sorted({str(labels.get(f.area, f.area)) for f in review.findings.all()}),
                rectification=rectification,
                rectification_label=str(rectification_label),
            )
        )
    return result


def public_results(*, institution_ids) -> dict[int, str]:
    """The last annual review result of each institution, for the public search (one line each)."""
    return {
        pk: _("%(year)s: %(result)s") % {"year": reviews[0].year, "result": reviews[0].result_label}
        for pk, reviews in reviews_by_institution(institution_ids=institution_ids).items()
    }


def public_panel(*, institution, request=None) -> str:
    context = {
        "institution": institution,
        "reviews": reviews_by_institution(institution_ids=[institution.pk]).get(institution.pk, []),
        "substantiated": substantiated_counts(institution_ids=[institution.pk]).get(institution.pk, 0),
        "years_shown": YEARS_SHOWN,
        # 双随机、一公开: the results of concluded spot checks are published here.
        "spot_checks": spotchecks.spot_check_results_for(institution.pk),
    }
    return render_to_string("supervision/public/panel.html", context, request=request)


def public_search_note(*, request=None) -> str:
    """Below the public search: report a provider that is not in it, follow a complaint."""
    return render_to_string("supervision/public/search_note.html", request=request)
