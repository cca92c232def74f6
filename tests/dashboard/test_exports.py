"""Dashboard exports: a region's Excel file at once, and the full export in the background.

The same scope as the pages: 403 without ``dashboard.view``, 404 for a region out of sight. A
background export is its requester's only (rule 29); running its job twice neither rebuilds
the file nor sends a second message.
"""

from decimal import Decimal
from io import BytesIO

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from accounts.models import Notification, Region
from dashboard.exports import dashboards as exports
from dashboard.models import ExportJob, Indicator, Snapshot
from dashboard.services import targets as services

pytestmark = pytest.mark.django_db

CITY = "330281"
SIMEN = "330281103"  # 泗门镇
LIZHOU = "330281001"  # 梨洲街道
INDICATOR_HEADERS = ("指标", "单位", "数值", "分子", "分母", "目标年份", "目标值", "目标来源", "状态", "数据时间")


def _workbook(response):
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return load_workbook(BytesIO(body))


def _rows(sheet) -> list[tuple]:
    return list(sheet.iter_rows(values_only=True))


def test_the_city_export_holds_indicators_trend_and_ranking(client_as):
    workbook = _workbook(client_as("leader").get(f"/dashboard/{CITY}/export.xlsx"))
    assert workbook.sheetnames == ["指标", "趋势", "乡镇排名"]
    indicators = _rows(workbook["指标"])
    assert indicators[0] == INDICATOR_HEADERS
    snapshot = Snapshot.objects.get(region__code=CITY)
    slots = next(row for row in indicators[1:] if row[0] == Indicator.objects.get(code="slots").name)
    assert Decimal(str(slots[2])) == Decimal(snapshot.values["slots"]["value"])
    rate = next(row for row in indicators[1:] if row[1] == "%" and row[3] is not None)
    assert rate[4] is not None  # a share carries its numerator and denominator
    stamp = snapshot.computed_at
    assert all(row[9] for row in indicators[1:]) and str(stamp.year) in indicators[1][9]
    assert all(row[8] in exports.STATUS_WORDS.values() for row in indicators[1:])
    # The trend: indicator × year, with the snapshot's history.
    trend = _rows(workbook["趋势"])
    years = sorted(snapshot.history["slots"])
    assert trend[0] == ("指标", "单位", *[f"{year}年" for year in years])
    slots_trend = next(row for row in trend[1:] if row[0] == slots[0])
    assert [Decimal(str(v)) for v in slots_trend[2:]] == [Decimal(snapshot.history["slots"][y]) for y in years]
    # The ranking: every township, ranked.
    ranking = _rows(workbook["乡镇排名"])
    assert ranking[0][:3] == ("排名", "乡镇（街道）", "每千人口托位数")
    assert len(ranking) - 1 == Region.objects.filter(level=Region.Level.TOWNSHIP).count()
    assert [row[0] for row in ranking[1:]] == list(range(1, len(ranking)))


def test_a_target_shows_with_its_year_value_and_source(cast, client_as):
    year = timezone.localdate().year
    services.target_set(
        actor=cast["health"], indicator=Indicator.objects.get(code="slots"), region=Region.objects.get(code=CITY),
        year=year, value=Decimal("99999"), source="=测试来源",
    )  # fmt: skip
    workbook = _workbook(client_as("leader").get(f"/dashboard/{CITY}/export.xlsx"))
    name = Indicator.objects.get(code="slots").name
    line = next(r for r in _rows(workbook["指标"])[1:] if r[0] == name)
    assert line[5:9] == (year, 99999, "=测试来源", "未达标")  # the source is text, never a formula


def test_a_township_official_exports_only_their_own_township(client_as):
    client = client_as("simen")
    workbook = _workbook(client.get(f"/dashboard/{SIMEN}/export.xlsx"))
    assert workbook.sheetnames == ["指标", "趋势"]  # no ranking for a township
    snapshot = Snapshot.objects.get(region__code=SIMEN)
    rows = _rows(workbook["指标"])
    values = [Decimal(str(r[2])) for r in rows[1:] if r[2] is not None]
    expected = [Decimal(f["value"]) for f in snapshot.values.values() if f.get("value") is not None]
    assert sorted(values) == sorted(expected)
    assert client.get(f"/dashboard/{LIZHOU}/export.xlsx").status_code == 404
    assert client.get(f"/dashboard/{CITY}/export.xlsx").status_code == 404


@pytest.mark.parametrize("username", ["nursery1", "fire", "stranger"])
def test_no_export_without_dashboard_view(username, client_as):
    client = client_as(username)
    assert client.get(f"/dashboard/{SIMEN}/export.xlsx").status_code == 403
    assert client.post(f"/dashboard/{SIMEN}/export/").status_code == 403
    assert not ExportJob.objects.exists()


def test_the_export_keeps_a_fixed_query_count(client_as, django_assert_max_num_queries):
    client = client_as("leader")
    client.get("/dashboard/")
    with django_assert_max_num_queries(15):
        assert client.get(f"/dashboard/{CITY}/export.xlsx").status_code == 200


# --- In the background --------------------------------------------------------------------------


def _start(client, code: str, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/dashboard/{code}/export/")
    return response


def test_a_background_export_is_made_and_its_requester_notified(cast, client_as, django_capture_on_commit_callbacks):
    health = client_as("health")
    response = _start(health, CITY, django_capture_on_commit_callbacks)
    job = ExportJob.objects.get(requested_by=cast["health"])
    assert response.status_code == 302 and response["Location"] == f"/dashboard/exports/{job.pk}/"
    assert job.status == ExportJob.Status.DONE and job.file and job.finished_at
    messages = Notification.objects.filter(recipient=cast["health"], link=f"/dashboard/exports/{job.pk}/")
    assert messages.count() == 1
    # The file: the city's sheets and one for every township.
    workbook = _workbook(health.get(f"/dashboard/exports/{job.pk}/"))
    townships = Region.objects.filter(level=Region.Level.TOWNSHIP)
    assert workbook.sheetnames[:3] == ["指标", "趋势", "乡镇排名"]
    assert len(workbook.sheetnames) == 3 + townships.count()
    assert f"指标-{Region.objects.get(code=SIMEN).name}" in workbook.sheetnames
    simen_sheet = _rows(workbook[f"指标-{Region.objects.get(code=SIMEN).name}"])
    assert simen_sheet[0] == INDICATOR_HEADERS
    # Running the job again leaves it alone: one file, one message.
    name = job.file.name
    assert exports.export_job_run(job_id=job.pk) == ExportJob.Status.DONE
    job.refresh_from_db()
    assert job.file.name == name and messages.count() == 1


def test_only_the_requester_downloads_a_background_export(cast, client_as, django_capture_on_commit_callbacks):
    _start(client_as("health"), CITY, django_capture_on_commit_callbacks)
    job = ExportJob.objects.get(requested_by=cast["health"])
    for username in ("leader", "hrss", "simen", "nursery1", "auditor", "stranger"):
        assert client_as(username).get(f"/dashboard/exports/{job.pk}/").status_code == 404, username
    assert client_as(None).get(f"/dashboard/exports/{job.pk}/").status_code == 302


def test_a_township_official_exports_their_township_in_the_background(
    cast, client_as, django_capture_on_commit_callbacks
):
    simen = client_as("simen")
    assert _start(simen, LIZHOU, django_capture_on_commit_callbacks).status_code == 404
    assert _start(simen, CITY, django_capture_on_commit_callbacks).status_code == 404
    assert not ExportJob.objects.exists()
    _start(simen, SIMEN, django_capture_on_commit_callbacks)
    job = ExportJob.objects.get(requested_by=cast["simen"])
    assert job.region.code == SIMEN and job.status == ExportJob.Status.DONE
    assert _workbook(simen.get(f"/dashboard/exports/{job.pk}/")).sheetnames == ["指标", "趋势"]


def test_the_leader_may_export_too(cast, client_as, django_capture_on_commit_callbacks):
    """An export changes nothing: the read-only leading group takes its dashboards away."""
    assert _start(client_as("leader"), CITY, django_capture_on_commit_callbacks).status_code == 302
    assert ExportJob.objects.get(requested_by=cast["leader"]).status == ExportJob.Status.DONE


def test_a_pending_job_says_so_and_a_job_whose_requester_lost_sight_fails(cast, client_as):
    job = ExportJob.objects.create(region=Region.objects.get(code=LIZHOU), requested_by=cast["simen"])
    response = client_as("simen").get(f"/dashboard/exports/{job.pk}/")
    assert response.status_code == 200 and 'data-status="pending"' in response.content.decode()
    assert exports.export_job_run(job_id=job.pk) == ExportJob.Status.FAILED
    job.refresh_from_db()
    assert job.status == ExportJob.Status.FAILED and not job.file
    assert not Notification.objects.filter(recipient=cast["simen"], link=f"/dashboard/exports/{job.pk}/").exists()
    assert 'data-status="failed"' in client_as("simen").get(f"/dashboard/exports/{job.pk}/").content.decode()
    assert exports.export_job_run(job_id=999999) == "missing"
