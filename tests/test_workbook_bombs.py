"""Spreadsheets are bounded before they are read (issue 16): an import workbook is judged from
its zip directory (unpacked size, each part's size and compression ratio, the shared strings,
each sheet's declared dimension) and refused with a message before openpyxl opens it."""

import io
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from paperwork import spreadsheets
from registry.models import ImportJob
from tests.helpers import english, workbook

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
    'content-types"><Default Extension="xml" ContentType="application/xml"/></Types>'
)
ROW = b'<row><c t="inlineStr"><is><t>0</t></is></c></row>' * 1000


def bomb(unpacked_mb: int) -> bytes:
    """An .xlsx-shaped zip whose one sheet unpacks to ``unpacked_mb`` MB of rows: small on disk
    (about a thousandth of that), written in chunks so the test never holds it unpacked."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(b"<worksheet><sheetData>")
            for _ in range(unpacked_mb * 1024 * 1024 // len(ROW) + 1):
                sheet.write(ROW)
            sheet.write(b"</sheetData></worksheet>")
    return buffer.getvalue()


@pytest.fixture
def openpyxl_must_not_load(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("openpyxl was asked to load a workbook that should have been refused")

    monkeypatch.setattr(openpyxl, "load_workbook", refuse)


def test_a_zip_bomb_upload_is_refused_with_a_message_before_openpyxl_reads_it(client_as, openpyxl_must_not_load):
    content = bomb(120)
    assert len(content) < 1024 * 1024  # small on disk ...
    jobs = ImportJob.objects.count()
    response = english(client_as("amr")).post(
        "/registry/imports/", {"kind": "registrations", "file": SimpleUploadedFile("登记.xlsx", content)}
    )
    assert response.status_code == 200
    assert "unpacks to 120 MB; at most 50 MB are read" in response.content.decode()  # ... large unpacked
    assert ImportJob.objects.count() == jobs


def test_the_chinese_message_names_the_size(client_as):
    response = client_as("amr").post(
        "/registry/imports/", {"kind": "registrations", "file": SimpleUploadedFile("登记.xlsx", bomb(60))}
    )
    assert "解压后为 60 MB" in response.content.decode()


def test_reading_a_bomb_reports_it_instead_of_loading_it(openpyxl_must_not_load):
    rows, report = spreadsheets.read_rows(io.BytesIO(bomb(60)), columns=[])
    assert rows == [] and "60 MB" in report.items[0]["message"]


def test_one_part_compressed_implausibly_is_refused_though_the_total_is_allowed():
    problem = spreadsheets.workbook_problem(io.BytesIO(bomb(20)))
    assert problem and "xl/worksheets/sheet1.xml" in problem


def test_a_sheet_declaring_a_million_rows_is_refused():
    book = openpyxl.Workbook()
    book.active["A1"] = "名称"
    book.active["A1048576"] = "x"  # the file stays a few KB; the declared dimension is A1:A1048576
    buffer = io.BytesIO()
    book.save(buffer)
    assert len(buffer.getvalue()) < 20_000
    problem = spreadsheets.workbook_problem(buffer)
    assert problem and "1048576" in problem


def test_shared_strings_beyond_the_limit_are_refused(monkeypatch):
    buffer = io.BytesIO(workbook(["名称"], [["机构"]]))
    with zipfile.ZipFile(buffer, "a", zipfile.ZIP_DEFLATED) as archive:  # as Excel writes its texts
        archive.writestr("xl/sharedStrings.xml", "<sst>" + "<si><t>托育机构名称</t></si>" * 200 + "</sst>")
    assert spreadsheets.workbook_problem(buffer) is None
    monkeypatch.setattr(spreadsheets, "SHARED_STRINGS_MAX", 1024)
    assert "文本" in spreadsheets.workbook_problem(buffer)


def test_a_template_sized_workbook_passes():
    rows = [[f"机构{n}", "91330281MA2X00001", "2025-01-01"] * 7 for n in range(spreadsheets.MAX_ROWS)]
    assert spreadsheets.workbook_problem(io.BytesIO(workbook(["a", "b", "c"] * 7, rows))) is None
