"""Excel exports of the audit trail and the security log, through ``paperwork.spreadsheets``
like every export: fixed Chinese headers, local times, changes in words (no JSON)."""

from django.http import HttpResponse
from django.utils import timezone

from accounts import audit_display
from paperwork import spreadsheets

# A filtered range, not the whole trail: a larger range is narrowed by dates first.
MAX_EXPORT_ROWS = 5000


def _changes(entry) -> str:
    lines = []
    for change in entry.changes:
        if change.before and change.after:
            lines.append(f"{change.field}：{change.before} → {change.after}")
        else:
            lines.append(f"{change.field}：{change.before or change.after}")
    return "\n".join(lines)


AUDIT_COLUMNS = [
    ("时间", 20, lambda e: e.when),
    ("操作人", 16, lambda e: e.who),
    ("IP地址", 16, lambda e: e.event.ip),
    ("类别", 8, lambda e: e.what),
    ("事件", 28, lambda e: e.event.event),
    ("数据类型", 18, lambda e: e.table),
    ("对象编号", 10, lambda e: e.event.object_id),
    ("变更内容", 80, _changes),
]

SECURITY_COLUMNS = [
    ("时间", 20, lambda e: audit_display.local_time(e.at)),
    ("类别", 16, lambda e: e.get_kind_display()),
    ("用户名", 16, lambda e: e.username),
    ("IP地址", 16, lambda e: e.ip),
    ("路径", 40, lambda e: e.path),
    ("详情", 60, lambda e: "\n".join(f"{label}：{value}" for label, value in audit_display.detail_rows(e.detail))),
]


def _filename(stem: str) -> str:
    return f"{stem}-{timezone.localtime():%Y%m%d-%H%M}.xlsx"


def _entries(events, names):
    # A generator: the rows are put in words inside the export language, not the page's.
    yield from audit_display.entries(events, names=names)


def audit_events_xlsx(events, *, names: dict[int, str]) -> HttpResponse:
    return spreadsheets.workbook_response(
        filename=_filename("审计日志"), title="审计日志", columns=AUDIT_COLUMNS, rows=_entries(events, names)
    )


def security_events_xlsx(events) -> HttpResponse:
    return spreadsheets.workbook_response(
        filename=_filename("安全日志"), title="安全日志", columns=SECURITY_COLUMNS, rows=events
    )
