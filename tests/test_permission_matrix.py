"""Every endpoint × every member of the cast × own and foreign objects (see permission_matrix).

Each response is also scanned for the full ID numbers of staff: they appear only where a
case says so (``reveals_to``: the reveal action, for holders of ``staff.reveal``). Excel
exports are unzipped and their sheets scanned too."""

import io
import zipfile

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from tests.conftest import CAST
from tests.permission_matrix import ANONYMOUS, CASES, TARGETS
from training.models import StaffMember

ROLES = [ANONYMOUS, *CAST]


def _case_id(case) -> str:
    return f"{case.method}:{case.url_name}" + (f"[{case.target}]" if case.target else "")


def _text(response) -> str:
    body = b"".join(response.streaming_content) if getattr(response, "streaming", False) else response.content
    if body.startswith(b"PK\x03\x04"):
        with zipfile.ZipFile(io.BytesIO(body)) as workbook:
            return "".join(workbook.read(name).decode("utf-8", "replace") for name in workbook.namelist())
    return body.decode("utf-8", "replace")


_known: dict = {}


def _staff_id_numbers() -> list[str]:
    """Every staff member's full ID number, decrypted again only when the roster changed."""
    from django.db.models import Count, Max

    state = tuple(StaffMember.objects.aggregate(n=Count("pk"), last=Max("pk")).values())
    if _known.get("state") != state:
        _known.update(state=state, numbers=[member.id_number for member in StaffMember.objects.all()])
    return _known["numbers"]


def _leaks(response, id_numbers: list[str]) -> list[str]:
    text = _text(response)
    return [number for number in id_numbers if number in text]


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_each_role_gets_the_answer_the_matrix_expects(case, db):
    wrong = []
    for username in ROLES:
        client = Client()
        if username != ANONYMOUS:
            client.force_login(User.objects.get(username=username))
        kwargs = TARGETS[case.target](username) if case.target else {}
        url = reverse(case.url_name, kwargs=kwargs)
        response = getattr(client, case.method)(url, case.data)
        expected = case.expected(username)
        if response.status_code != expected:
            wrong.append(
                f"{username}: {case.method.upper()} {url} answered {response.status_code}, expected {expected}"
            )
        if username == ANONYMOUS and expected == 302:
            assert response["Location"].startswith(reverse("login")), response["Location"]
        if username not in case.reveals_to:
            leaked = _leaks(response, _staff_id_numbers())
            if leaked:
                wrong.append(f"{username}: {case.method.upper()} {url} shows full ID numbers: {leaked[:3]}")
    assert not wrong, "\n".join(wrong)
