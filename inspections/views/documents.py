"""Printable documents of the annual review, and the cycle statistics page.

- The rectification order (整改通知书) and the annual review result notice (年审结果通知书)
  in the layout of a government notice: the issuing organ's red header, the document number,
  the addressee, the body, the items, the deadline, the legal basis, the date and a place for
  the seal; A4 print CSS. Each has a print page and a PDF made from the same template
  (``inspections.pdf``). Whoever sees the order or the review may print it (policy rules 17
  and 19); anyone else gets 404, and a review has no notice until it is decided (404 too).
- The statistics of a cycle (counts only), as last computed by the schedule, with a
  recompute button for the health bureau.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_POST

from inspections import pdf, rules, selectors, statistics
from inspections.models import AnnualReview, Area, RectificationOrder, ReviewCycle

ORDER_TEMPLATE = "inspections/documents/order.html"
NOTICE_TEMPLATE = "inspections/documents/review_notice.html"

# The city's policy, quoted as the legal basis of both documents (a quotation stays in the
# language it was written in, like the title of a law).
POLICY_TITLE = "《余姚市人民政府办公室关于促进3岁以下婴幼儿照护服务发展的实施意见》"
POLICY_CLAUSE_REVIEW = (
    "实行年检制度。……每年由市卫生健康局牵头，按事权组织相关部门对婴幼儿照护服务机构进行年审，"
    "对年审不合格者限期整改；连续两年年审不合格者，由发证机关收回登记注册书。"
)
POLICY_CLAUSE_INSPECTION = (
    "实行年检制度。定期对婴幼儿照护服务机构进行执业校验和专项检查。……凡未登记注册或设施条件差、"
    "管理混乱、存在严重安全隐患的机构，相关部门责令其限期整改，整改不合格的依法予以处罚或取缔。"
)


def review_notice_number(review: AnnualReview) -> str:
    """The notice's document number, derived from the review (one notice per review)."""
    return f"余卫托审〔{review.cycle.year}〕{review.pk:04d}号"


def _url_or_none(name: str, pk: int) -> str | None:
    """The page of another area (the order or the review itself), if that page exists."""
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:
        return None


def _area_label(area: str) -> str:
    return str(Area(area).label) if area in Area.values else area


def _order_context(order) -> dict:
    items = [
        {
            "number": index,
            "area": _area_label(item.get("area", "")),
            "code": item.get("code", ""),
            "text": item.get("text", ""),
            "note": item.get("note", ""),
        }
        for index, item in enumerate(order.items or [], start=1)
    ]
    return {
        "order": order,
        "institution": order.institution,
        "number": order.number,
        "items": items,
        "issued_on": timezone.localdate(order.issued_at),
        "year": order.review.cycle.year if order.review_id else None,
        "policy_title": POLICY_TITLE,
        "policy_clause": POLICY_CLAUSE_REVIEW if order.review_id else POLICY_CLAUSE_INSPECTION,
        "pdf_url": reverse("order_pdf", args=[order.pk]),
        "back_url": _url_or_none("order_detail", order.pk),
    }


def _notice_context(request, review: AnnualReview) -> dict:
    # Every area the decision rested on, as far as the reader may see findings (rule 18).
    findings = [
        {
            "area": str(row["label"]),
            "department": row["department"].name if row["department"] else "",
            "inspected_on": row["inspected_on"],
            "passed": row["passed"],
            "recorded": row["recorded"],
            "exemption": row["exemption"],
        }
        for row in selectors.review_areas(actor=request.user, review=review)
    ]
    return {
        "review": review,
        "institution": review.institution,
        "number": review_notice_number(review),
        "findings": findings,
        "orders": selectors.review_orders(actor=request.user, review=review),
        "passed": review.result == AnnualReview.Result.PASS,
        "final_result": review.get_final_result_display() if review.final_result else "",
        "issued_on": timezone.localdate(review.decided_at) if review.decided_at else timezone.localdate(),
        "policy_title": POLICY_TITLE,
        "policy_clause": POLICY_CLAUSE_REVIEW,
        "pdf_url": reverse("review_notice_pdf", args=[review.pk]),
        "back_url": _url_or_none("review_detail", review.pk),
    }


def _pdf_response(request, template: str, context: dict, filename: str, fallback: str):
    """The PDF of the print page; where the engine is missing, back to the print page with a
    message rather than an error."""
    html = render_to_string(template, {**context, "for_pdf": True}, request=request)
    try:
        content = pdf.html_to_pdf(html)
    except pdf.PdfUnavailable as error:
        messages.error(request, str(error))
        return redirect(fallback)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(as_attachment=False, filename=filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def order_print(request, pk: int):
    order = selectors.order_get(actor=request.user, pk=pk)
    return render(request, ORDER_TEMPLATE, _order_context(order))


@login_required
@require_GET
def order_pdf(request, pk: int):
    order = selectors.order_get(actor=request.user, pk=pk)
    filename = _("Rectification order %(number)s.pdf") % {"number": order.number}
    return _pdf_response(
        request, ORDER_TEMPLATE, _order_context(order), filename, reverse("order_print", args=[order.pk])
    )


@login_required
@require_GET
def review_notice_print(request, pk: int):
    review = selectors.document_review_get(actor=request.user, pk=pk)
    return render(request, NOTICE_TEMPLATE, _notice_context(request, review))


@login_required
@require_GET
def review_notice_pdf(request, pk: int):
    review = selectors.document_review_get(actor=request.user, pk=pk)
    context = _notice_context(request, review)
    filename = _("Annual review result notice %(number)s.pdf") % {"number": context["number"]}
    return _pdf_response(request, NOTICE_TEMPLATE, context, filename, reverse("review_notice_print", args=[review.pk]))


# --- Cycle statistics ---------------------------------------------------------------------


def _statistics_context(request, cycle: ReviewCycle, figures: dict) -> dict:
    """The figures as labelled rows: (label, value, key) per section; ``key`` names the figure."""
    results, reports, orders = figures["results"], figures["self_reports"], figures["orders"]
    Status = RectificationOrder.Status
    sections = [
        (
            _("Reviews by status"),
            [
                (label, figures["by_status"].get(value, 0), f"status-{value}")
                for value, label in AnnualReview.Status.choices
            ],
        ),
        (
            _("Decisions"),
            [
                (_("Passed"), results["passed"], "passed"),
                (_("Failed"), results["failed"], "failed"),
                (_("Not decided"), results["undecided"], "undecided"),
                (_("Final result: passed"), results["final_passed"], "final-passed"),
                (_("Final result: failed"), results["final_failed"], "final-failed"),
            ],
        ),
        (
            _("Self-reports"),
            [
                (pgettext("self-reports counted", "Submitted"), reports["submitted"], "reports-submitted"),
                (_("Submitted late"), reports["submitted_late"], "reports-submitted-late"),
                (_("Not submitted"), reports["not_submitted"], "reports-not-submitted"),
                (_("Missing after the due date"), reports["missing_after_due"], "reports-missing"),
                (_("Returned with comments"), reports["returned"], "reports-returned"),
                (_("Late in all"), reports["late"], "reports-late"),
            ],
        ),
        (
            _("Rectification orders"),
            [
                (_("All orders"), orders["total"], "orders-total"),
                (Status.OPEN.label, orders["open"], "orders-open"),
                (Status.ANSWERED.label, orders["answered"], "orders-answered"),
                (Status.VERIFIED.label, orders["verified"], "orders-verified"),
                (Status.FAILED.label, orders["failed"], "orders-failed"),
                # Figures cached before this state existed have no count of it.
                (Status.UNMET.label, orders.get("unmet", 0), "orders-unmet"),
                (_("Overdue"), orders["overdue"], "orders-overdue"),
            ],
        ),
    ]
    findings = [
        (_area_label(area), counts["total"], counts["failed"], area) for area, counts in figures["findings"].items()
    ]
    return {
        "cycle": cycle,
        "figures": figures,
        "computed_at": parse_datetime(figures["computed_at"]),
        "sections": sections,
        "findings": findings,
        "can_refresh": rules.can_refresh_cycle_statistics(request.user),
    }


@login_required
@require_GET
def cycle_statistics(request, pk: int):
    cycle = selectors.cycle_get(actor=request.user, pk=pk)
    figures = selectors.cycle_statistics_get(actor=request.user, cycle=cycle)
    return render(request, "inspections/documents/statistics.html", _statistics_context(request, cycle, figures))


@login_required
@require_POST
def cycle_statistics_refresh(request, pk: int):
    cycle = selectors.cycle_get(actor=request.user, pk=pk)
    statistics.cycle_statistics_refresh(actor=request.user, cycle=cycle)
    messages.success(request, _("The figures were recomputed."))
    return redirect("cycle_statistics", pk=cycle.pk)


urlpatterns = [
    path("orders/<int:pk>/print/", order_print, name="order_print"),
    path("orders/<int:pk>/pdf/", order_pdf, name="order_pdf"),
    path("reviews/<int:pk>/notice/", review_notice_print, name="review_notice_print"),
    path("reviews/<int:pk>/notice/pdf/", review_notice_pdf, name="review_notice_pdf"),
    path("cycles/<int:pk>/statistics/", cycle_statistics, name="cycle_statistics"),
    path("cycles/<int:pk>/statistics/refresh/", cycle_statistics_refresh, name="cycle_statistics_refresh"),
]
