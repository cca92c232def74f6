"""Excel exports of the dashboards (openpyxl), made from the snapshots.

A region's export (``dashboard_xlsx``) is cheap: it reads the same rows as the page, so it is
made while the user waits. The background export (``export_job_start`` → the Celery task →
``export_job_run``) builds the whole picture the requester may see — the region and, for the
city, a sheet for every township — saves it under MEDIA_ROOT and tells the requester.

As with the registry's exports, the column headers and the status words are fixed Chinese
(a data file the offices pass around), whatever the language of the interface; every text is
written as text, so a name beginning with "=" never becomes a formula (``paperwork.spreadsheets``).
"""

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import audit
from accounts.models import Region, User
from accounts.services import notification_send
from dashboard import selectors
from dashboard.models import ExportJob
from dashboard.services import export_jobs as services
from dashboard.tasks import export_run_task
from paperwork import spreadsheets
from paperwork.spreadsheets import new_sheet, text_safe
from yuyao_childcare.replica import replica_reads

STATUS_WORDS = {"met": "达标", "on_track": "接近目标", "behind": "未达标", "": "无目标或无数据"}
UNIT_WORDS = {"count": "个", "percent": "%", "per_1000": "每千人", "slot_rate": "每千托位"}

INDICATOR_COLUMNS = [
    ("指标", 34), ("单位", 8), ("数值", 10), ("分子", 10), ("分母", 10), ("目标年份", 10), ("目标值", 10),
    ("目标来源", 40), ("状态", 14), ("数据时间", 18),
]  # fmt: skip
RANKING_COLUMNS = [
    ("排名", 6), ("乡镇（街道）", 16), ("每千人口托位数", 14), ("托位数", 10), ("机构数", 10),
    ("普惠托位占比（%）", 16), ("持证上岗率（%）", 14), ("村（社区）指导员覆盖率（%）", 22),
]  # fmt: skip


def _number(value):
    """A Decimal as a spreadsheet number (an int when whole)."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def _stamp(board: selectors.Dashboard) -> str:
    return timezone.localtime(board.computed_at).strftime("%Y-%m-%d %H:%M") if board.computed_at else "未计算"


def _indicator_sheet(workbook, title: str, board: selectors.Dashboard) -> None:
    sheet = new_sheet(workbook, title=title, headers=INDICATOR_COLUMNS)
    stamp = _stamp(board)
    for row in board.rows:
        target = row.target
        values = [
            row.indicator.name, UNIT_WORDS.get(row.indicator.unit, row.indicator.unit), _number(row.value),
            _number(row.numerator), _number(row.denominator), target.year if target else None,
            _number(target.value) if target else None, target.source if target else "", STATUS_WORDS[row.status],
            stamp,
        ]  # fmt: skip
        sheet.append([text_safe(sheet, value) for value in values])


def _trend_sheet(workbook, title: str, board: selectors.Dashboard) -> None:
    years = sorted({year for row in board.rows for year, _value in row.trend})
    sheet = new_sheet(
        workbook, title=title, headers=[("指标", 34), ("单位", 8), *[(f"{year}年", 10) for year in years]]
    )
    for row in board.rows:
        by_year = dict(row.trend)
        values = [row.indicator.name, UNIT_WORDS.get(row.indicator.unit, ""), *[_number(by_year.get(y)) for y in years]]
        sheet.append([text_safe(sheet, value) for value in values])


def _ranking_sheet(workbook, ranking: list[dict]) -> None:
    sheet = new_sheet(workbook, title="乡镇排名", headers=RANKING_COLUMNS)
    for entry in ranking:
        values = [entry["rank"], entry["region"].name, *[_number(entry[code]) for code in selectors.RANKED]]
        sheet.append([text_safe(sheet, value) for value in values])


def dashboard_workbook(*, actor: User, board: selectors.Dashboard, every_township: bool = False) -> bytes:
    """The region's indicators, their trend and (city) the township ranking; with
    ``every_township``, an indicator sheet for each township in the actor's sight too."""

    def fill(workbook) -> None:
        _indicator_sheet(workbook, "指标", board)
        _trend_sheet(workbook, "趋势", board)
        if board.region.level == Region.Level.CITY:
            _ranking_sheet(workbook, board.ranking)
            if every_township:
                for entry in board.ranking:
                    township = selectors.dashboard(actor=actor, region=entry["region"])
                    _indicator_sheet(workbook, f"指标-{entry['region'].name}", township)

    return spreadsheets.workbook_bytes(fill)


def _filename(region: Region) -> str:
    return f"目标看板-{region.name}-{timezone.localtime().strftime('%Y%m%d-%H%M')}.xlsx"


def dashboard_xlsx(*, actor: User, region: Region) -> HttpResponse:
    """The download of one region's dashboard (the caller has checked the region is in sight)."""
    board = selectors.dashboard(actor=actor, region=region)
    return spreadsheets.xlsx_response(dashboard_workbook(actor=actor, board=board), filename=_filename(region))


# --- In the background ------------------------------------------------------------------------


@transaction.atomic
def export_job_start(*, actor: User, region: Region) -> ExportJob:
    """Queue a full export of a region in the actor's sight (checked again when it runs)."""
    selectors.dashboard_region(actor=actor, code=region.code)
    job = services.export_job_create(actor=actor, region=region)
    audit.record(actor=actor, event="dashboard.export_requested", obj=job, details={"region": region.code})
    transaction.on_commit(lambda: export_run_task.delay(job.pk), robust=True)  # a broker away: the job waits
    return job


def export_job_run(*, job_id: int) -> str:
    """Build the export of a job and notify its requester; returns the job's status.

    Idempotent: a job that is already done (or failed) is left alone, so a retried or repeated
    task neither rebuilds the file nor sends a second message. The requester's sight is asked
    again, as it is now: someone who lost it gets a failed job and no file."""
    with transaction.atomic():
        job = selectors.export_job_lock(job_id=job_id)
        if job is None:
            return "missing"
        if job.status != ExportJob.Status.PENDING:
            return job.status
        actor = job.requested_by
        try:
            region = selectors.dashboard_region(actor=actor, code=job.region.code)
        except (PermissionDenied, Http404):
            job.status, job.finished_at = ExportJob.Status.FAILED, timezone.now()
            job.save(update_fields=["status", "finished_at"])
            return job.status
        with replica_reads():  # the figures only; the job row stays locked on the primary
            board = selectors.dashboard(actor=actor, region=region)
            content = dashboard_workbook(actor=actor, board=board, every_township=True)
        job.file.save(f"dashboard-{region.code}-{job.pk}.xlsx", ContentFile(content), save=False)
        job.status, job.finished_at = ExportJob.Status.DONE, timezone.now()
        job.save(update_fields=["file", "status", "finished_at"])
        notification_send(
            recipient=actor,
            title=_("Your dashboard export is ready: %(region)s") % {"region": region.name},
            link=reverse("export_job_download", args=[job.pk]),
        )
    return job.status


def export_job_filename(job: ExportJob) -> str:
    return f"目标看板-{job.region.name}-{timezone.localtime(job.created_at).strftime('%Y%m%d-%H%M')}.xlsx"
