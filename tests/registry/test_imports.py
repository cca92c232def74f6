"""Excel imports of registrations and institutions: the template, the all-or-nothing check with
its row-by-row report, the progress, and the refusal of files that are not really workbooks.

The cast (tests/conftest.py): ``amr`` and ``mca`` are registration authorities (companies,
non-profits), ``health`` and the townships ``simen`` (泗门镇) and ``lizhou`` (梨洲街道) import
institutions. Tasks run eagerly in tests; the upload queues the task when its transaction
commits, so the uploads below run inside ``django_capture_on_commit_callbacks(execute=True)``.
"""

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import load_workbook

from accounts.models import Organisation
from registry import imports
from registry.models import ImportJob, Institution, Registration
from registry.services import imports as import_services
from registry.tasks import import_run_task
from registry.validators import credit_code_check_character
from tests.helpers import english, workbook

pytestmark = pytest.mark.django_db

URL = "/registry/imports/"
VILLAGE_SIMEN = "330281103001"
VILLAGE_LIZHOU = "330281001001"
REGISTRATION_HEADERS = ["统一社会信用代码*", "机构名称*", "法人类型*", "机构类型*", "村（社区）代码*", "详细地址*",
                        "登记证书编号*", "登记日期*"]  # fmt: skip
INSTITUTION_HEADERS = ["机构名称*", "统一社会信用代码", "法人类型*", "机构类型*", "村（社区）代码*", "详细地址*",
                       "法定代表人", "负责人", "联系电话", "开办日期"]  # fmt: skip


def code(first17: str) -> str:
    return first17 + credit_code_check_character(first17)


def registration_row(index: int, **changes) -> list:
    values = {
        "credit_code": code(f"91330281MA2X{index:05d}"),
        "name": f"【导入】托育园{index}",
        "legal_form": "营利性企业",
        "provider_type": "独立托育机构",
        "village": VILLAGE_SIMEN,
        "address": f"泗门镇导入路{index}号",
        "certificate_number": f"导入证{index:05d}",
        "registered_on": timezone.localdate() - timedelta(days=3),
    }
    values.update(changes)
    return list(values.values())


def counts() -> tuple[int, int]:
    return Institution.objects.count(), Registration.objects.count()


@pytest.fixture
def upload(client_as, django_capture_on_commit_callbacks):
    """Upload a workbook as one of the cast (in English) and return the response; the import
    task runs when the upload's transaction commits."""

    def post(username: str, content: bytes, kind: str = "registrations", name: str = "导入.xlsx"):
        client = english(client_as(username))
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(URL, {"kind": kind, "file": SimpleUploadedFile(name, content)})

    return post


def last_job() -> ImportJob:
    return ImportJob.objects.order_by("-pk").first()


# --- The template ---------------------------------------------------------------------------


def test_the_registration_template_downloads_with_chinese_headers_an_example_and_instructions(client_as):
    response = client_as("amr").get(URL + "template/registrations/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "attachment" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert book.sheetnames == ["导入数据", "填写说明", "村（社区）代码"]
    data = book["导入数据"]
    assert [cell.value for cell in data[1]] == REGISTRATION_HEADERS
    example = [cell.value for cell in data[2]]
    assert example[2] == "营利性企业"  # the market regulator's own legal form
    assert data.max_row == 2
    codes = [row[0] for row in book["村（社区）代码"].iter_rows(min_row=2, values_only=True)]
    assert VILLAGE_SIMEN in codes and VILLAGE_LIZHOU in codes and len(codes) > 300


def test_a_township_template_lists_only_its_own_villages(client_as):
    response = client_as("simen").get(URL + "template/institutions/")
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert [cell.value for cell in book["导入数据"][1]] == INSTITUTION_HEADERS
    codes = [row[0] for row in book["村（社区）代码"].iter_rows(min_row=2, values_only=True)]
    assert codes and all(code.startswith("330281103") for code in codes)
    assert book["导入数据"]["E2"].value.startswith("330281103")


@pytest.mark.parametrize(("username", "kind"), [("amr", "registrations"), ("mca", "registrations"),
                                                ("health", "institutions"), ("simen", "institutions")])  # fmt: skip
def test_the_untouched_template_imports_its_example_row(username, kind, client_as, upload):
    template = b"".join(client_as(username).get(f"{URL}template/{kind}/").streaming_content)
    before = counts()
    response = upload(username, template, kind=kind, name="模板.xlsx")
    job = last_job()
    assert response.status_code == 302 and response["Location"] == f"{URL}{job.pk}/"
    assert job.status == ImportJob.Status.DONE, job.errors
    assert (job.total_rows, job.processed_rows, job.imported_rows, job.percent) == (1, 1, 1, 100)
    example = load_workbook(io.BytesIO(template))["导入数据"]["A2" if kind == "registrations" else "B2"].value
    institution = Institution.objects.get(credit_code=example)
    if kind == "registrations":
        assert counts() == (before[0] + 1, before[1] + 1)
        registration = institution.registrations.get()
        assert registration.source == Registration.Source.IMPORTED
        assert registration.authority.code == username
    else:
        assert counts() == (before[0] + 1, before[1])
        assert not institution.registrations.exists()


@pytest.mark.parametrize(("username", "kind"), [("amr", "institutions"), ("health", "registrations"),
                                                ("nursery1", "registrations"), ("leader", "institutions")])  # fmt: skip
def test_only_importers_of_a_kind_download_its_template(username, kind, client_as):
    assert client_as(username).get(f"{URL}template/{kind}/").status_code == 403


def test_an_unknown_template_kind_is_not_found(client_as):
    assert client_as("amr").get(URL + "template/staff/").status_code == 404


# --- All or nothing -------------------------------------------------------------------------


def test_an_import_with_bad_rows_reports_each_row_and_saves_nothing(cast, upload, en):
    nursery1 = Institution.objects.get(organisation__code="demo-simen-xingxing")
    future = timezone.localdate() + timedelta(days=5)
    first17 = "91330281MA2X00003"
    wrong_check = first17 + ("0" if credit_code_check_character(first17) != "0" else "1")
    rows = [
        registration_row(1),  # row 2: good
        registration_row(2, credit_code=wrong_check),  # row 3
        registration_row(4, legal_form="合伙企业"),  # row 4
        registration_row(5, legal_form="非营利性社会组织", credit_code=code("52330281MA2X00005")),  # row 5
        registration_row(6, village="330281999999"),  # row 6
        registration_row(7, village="330281103"),  # row 7: a township's code
        registration_row(8, registered_on=future),  # row 8
        registration_row(9, registered_on="明年"),  # row 9
        registration_row(10, name=""),  # row 10
        registration_row(11, credit_code=code("91330281MA2X00001")),  # row 11: same code as row 2
        registration_row(12, credit_code=nursery1.credit_code),  # row 12: already registered
        registration_row(13, certificate_number="导入证00001"),  # row 13: same certificate as row 2
        registration_row(14, provider_type="托儿所"),  # row 14
    ]
    before = counts()
    upload("amr", workbook(REGISTRATION_HEADERS, rows))
    job = last_job()
    assert job.status == ImportJob.Status.FAILED
    assert counts() == before
    assert job.imported_rows == 0 and job.processed_rows == job.total_rows == 13
    report = {(error["row"], error["column"]): error["message"] for error in job.errors}
    assert sorted({row for row, _column in report}) == list(range(3, 15))
    assert "The check character (the last one) of this credit code should be" in report[(3, "统一社会信用代码")]
    assert "Unknown legal form “合伙企业”" in report[(4, "法人类型")]
    assert "does not register 非营利性社会组织" in report[(5, "法人类型")]
    assert report[(6, "村（社区）代码")] == "No village or community has the code 330281999999."
    assert "12 digits" in report[(7, "村（社区）代码")]
    assert report[(8, "登记日期")] == "The registration date is in the future."
    assert report[(9, "登记日期")] == "Not a date: write it as 2026-03-15."
    assert report[(10, "机构名称")] == "Required: this cell is empty."
    assert report[(11, "统一社会信用代码")] == "The same credit code is on row 2 too."
    assert "already has an active registration" in report[(12, "统一社会信用代码")]
    assert report[(13, "登记证书编号")] == "The same certificate number is on row 2 too."
    assert "Unknown provider type “托儿所”" in report[(14, "机构类型")]
    # The report is on the job's page, row by row.
    page = en("amr").get(f"{URL}{job.pk}/").content.decode()
    assert "Nothing was imported. Correct the problems below in the file and upload it again." in page
    assert "The same certificate number is on row 2 too." in page


def test_a_good_import_saves_every_row_and_reaches_100_percent(upload, client_as):
    rows = [registration_row(index) for index in range(100, 125)]
    rows[3][2] = "company"  # the code of a legal form is understood too
    rows[4][7] = "2026/1/5"  # and dates written as text
    before = counts()
    upload("amr", workbook(REGISTRATION_HEADERS, rows))
    job = last_job()
    assert job.status == ImportJob.Status.DONE, job.errors
    assert counts() == (before[0] + len(rows), before[1] + len(rows))
    assert Registration.objects.filter(source=Registration.Source.IMPORTED, authority__code="amr").count() == len(rows)
    status = client_as("amr").get(f"{URL}{job.pk}/status/").json()
    assert status == {
        "status": "done", "status_display": status["status_display"], "finished": True, "percent": 100,
        "processed": 25, "total": 25, "imported": 25, "errors": [],
    }  # fmt: skip


def test_a_refusal_while_saving_rolls_back_every_row(upload, monkeypatch):
    """The registry can change between the check and the save: a service's refusal then undoes
    the rows already written."""
    from accounts.errors import ApplicationError

    original = imports.save_row

    def save_row(*, actor, kind, row):
        if row.number == 4:
            raise ApplicationError("refused by the service", fields={"village": ["x"]})
        return original(actor=actor, kind=kind, row=row)

    monkeypatch.setattr(imports, "save_row", save_row)
    before = counts()
    upload("amr", workbook(REGISTRATION_HEADERS, [registration_row(index) for index in range(200, 205)]))
    job = last_job()
    assert job.status == ImportJob.Status.FAILED
    assert job.errors == [{"row": 4, "column": "村（社区）代码", "message": "refused by the service"}]
    assert counts() == before


def test_running_the_task_again_for_a_done_job_changes_nothing(upload):
    upload("amr", workbook(REGISTRATION_HEADERS, [registration_row(300), registration_row(301)]))
    job = last_job()
    assert job.status == ImportJob.Status.DONE
    before = counts()
    assert import_run_task.delay(job.pk).get() == ImportJob.Status.DONE
    assert import_run_task.delay(job.pk).get() == ImportJob.Status.DONE
    assert counts() == before
    job.refresh_from_db()
    assert job.imported_rows == 2


def test_a_failed_job_is_not_run_again(upload):
    upload("amr", workbook(REGISTRATION_HEADERS, [registration_row(310, name="")]))
    job = last_job()
    assert job.status == ImportJob.Status.FAILED
    import_run_task.delay(job.pk)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED


def test_progress_is_saved_while_the_rows_are_checked(upload, monkeypatch):
    seen = []
    original = import_services._progress

    def spy(job):
        update = original(job)

        def record(processed):
            seen.append(processed)
            return update(processed)

        return record

    monkeypatch.setattr(import_services, "_progress", spy)
    upload("amr", workbook(REGISTRATION_HEADERS, [registration_row(index) for index in range(400, 440)]))
    assert seen == sorted(seen) and len(seen) >= 10 and seen[-1] == 40
    assert last_job().status == ImportJob.Status.DONE


def test_a_missing_column_fails_the_file_with_one_message(upload):
    headers = [header for header in REGISTRATION_HEADERS if header != "登记日期*"]
    upload("amr", workbook(headers, [registration_row(500)[:-1]]))
    job = last_job()
    assert job.status == ImportJob.Status.FAILED
    assert job.errors == [
        {"row": 1, "column": "登记日期", "message": "This column is missing: keep the template's headers on row 1."}
    ]


def test_a_file_without_data_rows_fails(upload):
    upload("amr", workbook(REGISTRATION_HEADERS, [[None] * 8]))
    job = last_job()
    assert job.status == ImportJob.Status.FAILED and job.errors[0]["row"] == 2


# --- Institutions by the townships and the health bureau --------------------------------------


def institution_row(index: int, **changes) -> list:
    values = {
        "name": f"【导入】社区托育点{index}",
        "credit_code": "",
        "legal_form": "非营利性社会组织",
        "provider_type": "社区办托",
        "village": VILLAGE_SIMEN,
        "address": f"泗门镇社区路{index}号",
        "legal_representative": "张三",
        "person_in_charge": "李四",
        "contact_phone": "0574-62000001",
        "opened_on": "2026-02-01",
    }
    values.update(changes)
    return list(values.values())


def test_a_township_imports_institutions_in_its_territory(cast, upload):
    before = counts()
    upload("simen", workbook(INSTITUTION_HEADERS, [institution_row(1), institution_row(2, credit_code="")]),
           kind="institutions")  # fmt: skip
    job = last_job()
    assert job.status == ImportJob.Status.DONE, job.errors
    assert counts() == (before[0] + 2, before[1])
    institution = Institution.objects.get(name="【导入】社区托育点1")
    assert institution.township.code == "330281103" and institution.person_in_charge == "李四"
    assert str(institution.opened_on) == "2026-02-01"
    assert Institution.objects.visible_to(cast["simen"]).filter(pk=institution.pk).exists()


def test_a_township_cannot_import_an_institution_outside_its_territory(upload):
    before = counts()
    upload("simen", workbook(INSTITUTION_HEADERS, [institution_row(3), institution_row(4, village=VILLAGE_LIZHOU)]),
           kind="institutions")  # fmt: skip
    job = last_job()
    assert job.status == ImportJob.Status.FAILED
    assert counts() == before
    assert [(e["row"], e["column"]) for e in job.errors] == [(3, "村（社区）代码")]
    assert "is outside the territory of" in job.errors[0]["message"]


def test_an_institution_import_refuses_credit_codes_already_in_the_registry_and_duplicate_names(upload):
    nursery2 = Institution.objects.get(organisation__code="demo-lizhou-yangguang")
    rows = [
        institution_row(5, credit_code=nursery2.credit_code, village=VILLAGE_LIZHOU),
        institution_row(6),
        institution_row(6),
    ]
    before = counts()
    upload("health", workbook(INSTITUTION_HEADERS, rows), kind="institutions")
    job = last_job()
    assert job.status == ImportJob.Status.FAILED and counts() == before
    messages = {(e["row"], e["column"]): e["message"] for e in job.errors}
    assert "already has this credit code in the registry" in messages[(2, "统一社会信用代码")]
    assert messages[(4, "机构名称")] == "An institution of the same name in the same village is on row 3 too."


# --- Refused uploads ------------------------------------------------------------------------


def test_a_file_that_is_not_really_xlsx_is_refused_and_no_job_is_made(upload):
    jobs = ImportJob.objects.count()
    response = upload("amr", b"credit code,name\n91330281MA2X00001,x\n", name="登记.xlsx")
    assert response.status_code == 200
    assert "is not an Excel workbook (.xlsx) by its content" in response.content.decode()
    response = upload("amr", b"%PDF-1.4\n%%EOF\n", name="登记.xlsx")
    assert "is not an Excel workbook (.xlsx) by its content" in response.content.decode()
    assert ImportJob.objects.count() == jobs


def test_a_workbook_named_as_another_type_is_refused(upload):
    response = upload("amr", workbook(REGISTRATION_HEADERS, [registration_row(600)]), name="登记.csv")
    assert response.status_code == 200
    assert "is named as another type than its content" in response.content.decode()


def test_a_file_over_the_size_limit_is_refused(upload, monkeypatch):
    monkeypatch.setattr(import_services, "IMPORT_MAX_BYTES", 1024)
    response = upload("amr", workbook(REGISTRATION_HEADERS, [registration_row(700)]))
    assert response.status_code == 200 and "files may be at most" in response.content.decode()


def test_a_post_without_a_file_shows_the_form_again(upload):
    client_response = upload("amr", b"")
    assert client_response.status_code == 200


def test_an_authority_cannot_upload_institutions_and_a_township_cannot_upload_registrations(upload):
    assert upload("amr", workbook(INSTITUTION_HEADERS, [institution_row(9)]), kind="institutions").status_code == 403
    assert upload("simen", workbook(REGISTRATION_HEADERS, [registration_row(9)])).status_code == 403


def test_a_damaged_workbook_fails_with_a_message(upload):
    """A zip that claims to be a workbook but is not one passes the upload check and fails the
    job with a message, never an error page."""
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "not xml")
    response = upload("amr", buffer.getvalue())
    assert response.status_code == 302
    job = last_job()
    assert job.status == ImportJob.Status.FAILED
    assert "could not be read as an Excel workbook" in job.errors[0]["message"]


# --- Pages ----------------------------------------------------------------------------------


def test_each_organisation_sees_its_own_imports_only(upload, client_as):
    upload("amr", workbook(REGISTRATION_HEADERS, [registration_row(800)]), name="市场监管局.xlsx")
    assert "市场监管局.xlsx" in client_as("amr").get(URL).content.decode()
    assert "市场监管局.xlsx" not in client_as("mca").get(URL).content.decode()
    job = last_job()
    assert client_as("mca").get(f"{URL}{job.pk}/").status_code == 404
    assert client_as("mca").get(f"{URL}{job.pk}/status/").status_code == 404


def test_the_detail_page_polls_while_the_job_runs(cast, client_as):
    job = ImportJob.objects.create(
        kind="registrations", file="imports/x.xlsx", original_name="x.xlsx", organisation=Organisation.objects.get(
            code="amr"), created_by=cast["amr"], status=ImportJob.Status.RUNNING, total_rows=40, processed_rows=10,
    )  # fmt: skip
    page = client_as("amr").get(f"{URL}{job.pk}/").content.decode()
    assert 'data-finished="0"' in page and 'aria-valuenow="25"' in page and "import_progress.js" in page
    status = client_as("amr").get(f"{URL}{job.pk}/status/").json()
    assert (status["status"], status["percent"], status["finished"]) == ("running", 25, False)


@pytest.mark.parametrize("size", [3, 60])
def test_the_import_list_keeps_a_fixed_query_count(size, cast, client_as, django_assert_max_num_queries):
    amr = Organisation.objects.get(code="amr")
    ImportJob.objects.bulk_create(
        ImportJob(
            kind="registrations",
            file="imports/x.xlsx",
            original_name=f"{i}.xlsx",
            organisation=amr,
            created_by=cast["amr"],
        )
        for i in range(size)  # fmt: skip
    )
    client = client_as("amr")
    with django_assert_max_num_queries(12):
        assert client.get(URL).status_code == 200


def test_an_uploader_who_lost_the_right_before_the_run_imports_nothing(
    cast, client_as, django_capture_on_commit_callbacks
):
    from accounts.models import Membership

    client = client_as("amr")
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.cookies["django_language"] = "en"  # pages follow the language switch
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(URL, {"kind": "registrations", "file": SimpleUploadedFile(
            "x.xlsx", workbook(REGISTRATION_HEADERS, [registration_row(900)]))})  # fmt: skip
    job = last_job()
    assert job.status == ImportJob.Status.PENDING and len(callbacks) == 1
    Membership.objects.filter(user=cast["amr"]).update(role=Membership.Role.VIEWER)
    before = counts()
    import_run_task.delay(job.pk, language="en")
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert job.errors[0]["message"] == "You no longer act for 市市场监管局: nothing was imported."
    assert counts() == before


# --- Issue 13, point 4: the credit code fits the row's legal form ----------------------------


def test_an_import_reports_the_row_whose_code_does_not_fit(upload):
    before = counts()
    rows = [registration_row(301), registration_row(302, credit_code=code("12330281MA2X00302"))]
    upload("amr", workbook(REGISTRATION_HEADERS, rows))
    job = last_job()
    assert job.status == ImportJob.Status.FAILED
    assert counts() == before
    [error] = job.errors
    assert (error["row"], error["column"]) == (3, "统一社会信用代码")
    assert "commission office" in error["message"] and "market supervision" in error["message"]
