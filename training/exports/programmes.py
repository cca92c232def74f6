"""Excel export of training programmes: the filtered list, and a second sheet with the
participants of those programmes that the viewer may see.

Through ``paperwork.spreadsheets``, like every export: fixed Chinese column headers whatever the
language of the interface, values in Simplified Chinese, text never turned into a formula. A
spreadsheet leaves the portal and its access rules, so participants' mobile numbers are
masked and staff appear by name and institution only (never an ID number)."""

from django.http import HttpResponse
from django.utils import timezone

from paperwork import spreadsheets
from training.models import Participant, TrainingProgramme


def _date(value):
    return value or ""


PROGRAMME_COLUMNS = [
    ("培训项目", 36, lambda p: p.title),
    ("培训类型", 22, lambda p: p.get_kind_display()),
    ("主办单位", 24, lambda p: p.organiser.name),
    ("服务区域", 14, lambda p: p.region.name),
    ("开始日期", 12, lambda p: p.starts_on),
    ("结束日期", 12, lambda p: p.ends_on),
    ("状态", 10, lambda p: p.get_status_display()),
    ("课次", 8, lambda p: p.session_count),
    ("学员人数", 10, lambda p: p.participant_count),
    ("结业人数", 10, lambda p: p.completed_count),
    ("简介", 40, lambda p: p.description),
]


def _where(participant: Participant) -> str:
    if participant.staff_id:
        return participant.staff.institution.name
    return participant.village.name if participant.village_id else ""


PARTICIPANT_COLUMNS = [
    ("培训项目", 36, lambda r: r.programme.title),
    ("学员类别", 16, lambda r: r.get_kind_display()),
    ("姓名", 12, lambda r: r.name),
    ("所在机构或村（社区）", 30, _where),
    ("乡镇（街道）", 14, lambda r: r.township.name if r.township_id else ""),
    ("手机号码", 14, lambda r: r.phone_masked),
    ("出勤课次", 10, lambda r: len(r.sessions_attended.all())),
    ("总课次", 8, lambda r: r.session_total),
    ("考核结果", 10, lambda r: r.get_assessment_display()),
    ("成绩", 8, lambda r: float(r.score) if r.score is not None else ""),
    ("结业日期", 12, lambda r: _date(r.completed_on)),
    ("结业证书编号", 20, lambda r: r.certificate_number),
]


def programmes_xlsx(programmes: list[TrainingProgramme], participants) -> HttpResponse:
    """``programmes`` as the user sees them (annotated by ``selectors.programme_list``);
    ``participants`` those of these programmes in the user's sight."""
    sessions = {programme.pk: programme.session_count for programme in programmes}
    rows = []
    for participant in participants:
        participant.session_total = sessions.get(participant.programme_id, 0)
        rows.append(participant)

    def fill(workbook) -> None:
        spreadsheets.write_sheet(workbook, title="培训项目", columns=PROGRAMME_COLUMNS, rows=programmes)
        spreadsheets.write_sheet(workbook, title="学员", columns=PARTICIPANT_COLUMNS, rows=rows)

    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return spreadsheets.xlsx_response(spreadsheets.workbook_bytes(fill), filename=f"培训项目-{stamp}.xlsx")
