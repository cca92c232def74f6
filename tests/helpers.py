"""Small helpers the tests share: what a response says, in which language, and JSON requests.

Each reads a response the way a person or an API client would: the page's text with entities
decoded, the flash messages, a form's errors, the API's one error shape.
"""

import csv
import html
import io
import json
from pathlib import Path

from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook


def english(client):
    """The client reads the portal in English: pages follow the language cookie, the API the header."""
    client.cookies["django_language"] = "en"
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def text_of(response) -> str:
    """The page as text, HTML entities decoded (so ``&quot;`` reads ``"``)."""
    return html.unescape(response.content.decode())


def messages_of(response) -> list[str]:
    """The flash messages a page shows."""
    return [str(message) for message in response.context["messages"]]


def errors_of(response) -> list[str]:
    """Every error of the page's form, field and non-field alike."""
    form = response.context["form"]
    return [str(error) for errors in form.errors.values() for error in errors]


def error_of(response, status: int = 400) -> dict:
    """The API's one error shape ``{"error": {"code", "message", "fields"}}``, after its status."""
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"}
    return body["error"]


def post_json(client, url, data, **headers):
    return client.post(url, json.dumps(data), content_type="application/json", **headers)


def patch_json(client, url, data, **headers):
    return client.patch(url, json.dumps(data), content_type="application/json", **headers)


def queries_of(client, url, params=None) -> int:
    """How many queries one successful GET costs."""
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params or {}).status_code == 200
    return len(queries)


def workbook(headers: list[str], rows: list[list]) -> bytes:
    """An Excel file as an import expects it: one sheet, a header row, then the rows."""
    book = Workbook()
    sheet = book.active
    sheet.title = "导入数据"
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# --- The reference data the portal ships ------------------------------------------------------

DATA = Path(__file__).resolve().parent.parent / "accounts" / "data"


def shipped_regions(*, level: str | None = None, parent: str | None = None) -> list[dict[str, str]]:
    """Rows of ``accounts/data/yuyao-divisions.csv`` (every region the portal loads), those of a
    level (``township``, ``village``…) or those under a parent code."""
    from accounts.models import Region

    with open(DATA / "yuyao-divisions.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    if level is not None:
        rows = [row for row in rows if Region.LEVEL_OF_KIND[Region.Kind(row["kind"])] == level]
    if parent is not None:
        rows = [row for row in rows if row["parent_code"] == parent]
    return rows


def shipped_organisations() -> dict:
    """``accounts/data/organisations.json``: the city's organisations, the townships' rule and
    the institutions' duties."""
    return json.loads((DATA / "organisations.json").read_text(encoding="utf-8"))
