"""The columns of the finding list's Excel export (``inspections.lists``).

Through ``paperwork.spreadsheets``, like every export: fixed Chinese column headers whatever the
language of the interface, values in Simplified Chinese, text never turned into a formula.
The list mechanism passes the rows as the user sees them (scoped and filtered)."""

from inspections.forms.findings import area_label
from inspections.models import Finding


def _result(finding: Finding) -> str:
    if finding.area == Finding.SUPERVISION:
        return "—"  # a supervision visit is a record, not a check that passes or fails
    return "合格" if finding.passed else f"不合格（{finding.failed_count}项）"


FINDING_COLUMNS = [
    ("机构名称", 36, lambda f: f.institution.name),
    ("乡镇（街道）", 14, lambda f: f.institution.township.name),
    ("检查领域", 16, lambda f: area_label(f.area)),
    ("年审年度", 10, lambda f: f.review.cycle.year if f.review_id else "临时检查"),
    ("检查日期", 12, lambda f: f.inspected_on),
    ("检查部门", 20, lambda f: f.department.name),
    ("检查人", 14, lambda f: str(f.inspector)),
    ("检查结果", 16, _result),
    ("备注", 40, lambda f: f.notes),
]
