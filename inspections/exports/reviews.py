"""The Excel export of the review list (openpyxl, through ``paperwork.spreadsheets``).

Like every export of the portal, its headers are fixed Chinese names and its values are
written in Simplified Chinese whatever the interface language: the file is passed around the
city's offices and read again. The caller passes the list as the user sees it (scoped by the
policy and filtered), so the findings columns show only the areas the user may see.
"""

from django.http import HttpResponse
from django.utils import timezone

from inspections.forms.reviews import REPORT_STATUS_LABELS, REVIEW_STATUS_LABELS
from inspections.models import AnnualReview, Area, SelfReport
from paperwork.spreadsheets import workbook_response


def _report(review: AnnualReview) -> SelfReport | None:
    try:
        return review.self_report
    except SelfReport.DoesNotExist:
        return None


def _report_status(review: AnnualReview) -> str:
    report = _report(review)
    return str(REPORT_STATUS_LABELS.get(report.status, report.status)) if report is not None else ""


def _submitted_at(review: AnnualReview):
    report = _report(review)
    if report is None or report.submitted_at is None:
        return None
    return timezone.localtime(report.submitted_at).date()


def _late(review: AnnualReview) -> str:
    report = _report(review)
    if report is not None and report.late:
        return "是"
    if report is not None and report.status != SelfReport.Status.SUBMITTED:
        return "逾期未报" if timezone.localdate() > review.cycle.self_report_due else ""
    return "否"


def _findings(review: AnnualReview) -> str:
    labels = dict(Area.choices)
    return "；".join(
        f"{labels.get(finding.area, finding.area)}：{'合格' if finding.passed else '不合格'}"
        for finding in getattr(review, "visible_findings", [])
    )


def _decided_on(review: AnnualReview):
    return timezone.localtime(review.decided_at).date() if review.decided_at else None


REVIEW_COLUMNS = [
    ("年度", 8, lambda r: r.cycle.year),
    ("机构名称", 36, lambda r: r.institution.name),
    ("统一社会信用代码", 22, lambda r: r.institution.credit_code),
    ("乡镇（街道）", 14, lambda r: r.institution.township.name),
    ("机构类型", 16, lambda r: r.institution.get_provider_type_display()),
    ("年审状态", 20, lambda r: str(REVIEW_STATUS_LABELS.get(r.status, r.status))),
    ("自查报告", 14, _report_status),
    ("报告提交日期", 14, _submitted_at),
    ("逾期提交", 10, _late),
    ("检查结果", 48, _findings),
    ("审核结论", 10, lambda r: r.get_result_display() if r.result else "未审核"),
    ("结论日期", 12, _decided_on),
    ("审核理由", 40, lambda r: r.decision_reason),
    ("最终结果", 10, lambda r: r.get_final_result_display() if r.final_result else ""),
]


def reviews_xlsx(queryset) -> HttpResponse:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    title = "年审名单"
    # In chunks, each with its findings prefetched (an iterator without a chunk size skips them).
    rows = queryset.iterator(chunk_size=1000)
    return workbook_response(filename=f"{title}-{stamp}.xlsx", title=title, columns=REVIEW_COLUMNS, rows=rows)
