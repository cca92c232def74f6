"""Excel exports (openpyxl) of registry lists: their columns (``registry.lists`` builds the files).

An export is a data file the city's offices pass around and re-read, so its column headers
are fixed Chinese names (the same words the import templates use), whatever the language of
the interface; the values (choice labels, yes/no) are written in Simplified Chinese too.
Contact phones are always masked: a spreadsheet leaves the portal and its access rules. The
workbook itself (formula-safe cells) comes from ``paperwork.spreadsheets``.
"""

from collections.abc import Callable

from django.utils.translation import gettext as _

from registry.models import Institution


def _yes_no(value: bool) -> str:
    return _("Yes") if value else _("No")


# (header, width, value of one institution annotated with ``slots`` and ``enrolled``)
INSTITUTION_COLUMNS: list[tuple[str, int, Callable[[Institution], object]]] = [
    ("机构名称", 36, lambda i: i.name),
    ("统一社会信用代码", 22, lambda i: i.credit_code),
    ("法人类型", 16, lambda i: i.get_legal_form_display()),
    ("机构类型", 16, lambda i: i.get_provider_type_display()),
    ("乡镇（街道）", 14, lambda i: i.township.name),
    ("村（社区）", 14, lambda i: i.village.name),
    ("地址", 36, lambda i: i.address),
    ("普惠", 6, lambda i: _yes_no(i.inclusive)),
    ("示范", 6, lambda i: _yes_no(i.demonstration)),
    ("法定代表人", 12, lambda i: i.legal_representative),
    ("负责人", 12, lambda i: i.person_in_charge),
    ("联系电话", 16, lambda i: i.contact_phone_masked),
    ("服务形式", 20, lambda i: "、".join(i.service_modes)),
    ("室内面积（平方米）", 12, lambda i: float(i.indoor_area)),
    ("室外面积（平方米）", 12, lambda i: float(i.outdoor_area)),
    ("托位数", 8, lambda i: i.slots or 0),
    ("在托人数", 8, lambda i: i.enrolled or 0),
    ("开业日期", 12, lambda i: i.opened_on),
    ("运营状态", 12, lambda i: i.get_status_display()),
    ("备案状态", 12, lambda i: i.get_filing_status_display()),
    ("备案号", 24, lambda i: i.filing_number),
]
