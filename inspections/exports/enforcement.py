"""The columns of the enforcement lists' Excel exports (``inspections.lists``): rectification
orders, revocation referrals and cases.

Through ``paperwork.spreadsheets``, like every export: fixed Chinese column headers whatever the
language of the interface, values in Simplified Chinese, text never turned into a formula.
The list mechanism passes the rows as the user sees them (scoped and filtered)."""

from django.utils import timezone

from inspections.models import Area, RectificationOrder


def _yes_no(value: bool) -> str:
    return "是" if value else "否"


def _items(order: RectificationOrder) -> str:
    lines = []
    for item in order.items:
        area = item.get("area", "")
        label = str(Area(area).label) if area in Area.values else area
        code = f"{item['code']} " if item.get("code") else ""
        lines.append(f"【{label}】{code}{item.get('text', '')}")
    return "\n".join(lines)


ORDER_COLUMNS = [
    ("通知书编号", 24, lambda o: o.number),
    ("机构名称", 36, lambda o: o.institution.name),
    ("乡镇（街道）", 14, lambda o: o.institution.township.name),
    ("年审年度", 10, lambda o: o.review.cycle.year if o.review_id else "临时检查"),
    ("整改事项", 48, _items),
    ("整改期限", 12, lambda o: o.deadline),
    ("状态", 16, lambda o: o.get_status_display()),
    ("逾期", 6, lambda o: _yes_no(o.is_overdue)),
    ("已升级督办", 10, lambda o: _yes_no(o.escalated_at is not None)),
    ("下发时间", 12, lambda o: timezone.localdate(o.issued_at)),
    ("机构回复", 36, lambda o: o.response),
    ("回复时间", 12, lambda o: timezone.localdate(o.responded_at) if o.responded_at else ""),
    ("复查意见", 36, lambda o: o.verification_note),
    ("复查时间", 12, lambda o: timezone.localdate(o.verified_at) if o.verified_at else ""),
]

CASE_COLUMNS = [
    ("对象名称", 30, lambda c: c.provider_name),
    ("地点", 30, lambda c: c.place),
    ("乡镇（街道）", 14, lambda c: c.township.name),
    ("发现情况", 40, lambda c: c.found),
    ("发现日期", 12, lambda c: c.found_on),
    ("登记单位", 20, lambda c: c.recorded_by.name),
    ("状态", 16, lambda c: c.get_status_display()),
    ("整改要求", 36, lambda c: c.order_text),
    ("整改期限", 12, lambda c: c.deadline or ""),
    ("结案说明", 36, lambda c: c.closing_note),
    ("结案时间", 12, lambda c: timezone.localdate(c.closed_at) if c.closed_at else ""),
]


REFERRAL_COLUMNS = [
    ("机构名称", 36, lambda r: r.institution.name),
    ("乡镇（街道）", 14, lambda r: r.institution.township.name),
    ("登记机关", 20, lambda r: r.authority.name),
    ("登记证书编号", 24, lambda r: r.registration.certificate_number),
    ("提出时间", 12, lambda r: timezone.localdate(r.raised_at)),
    ("状态", 16, lambda r: r.get_status_display()),
    ("决定时间", 12, lambda r: timezone.localdate(r.decided_at) if r.decided_at else ""),
    ("决定意见", 36, lambda r: r.decision_note),
]
