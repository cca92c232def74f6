"""Every endpoint × every member of the cast × own and foreign objects (see permission_matrix).

Each response is also scanned for full ID numbers, of staff and of the lifetime ban list:
they appear only where a case says so (``reveals_to``: the reveal action, for holders of
``staff.reveal``; no case reveals a ban entry). Excel exports are unzipped and their sheets
scanned too. Each role's client carries the session logged in once per run (conftest)."""

import io
import re
import zipfile

import pytest
from django.urls import reverse

from inspections.models import BanEntry
from tests.ci_share import share
from tests.conftest import CAST, client_for
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


# Runs of digits long enough to hold a resident ID number (17 digits and a check digit or X),
# then every 18-character window of each run, so a number inside a longer run is found too: one
# pass over the page instead of a search for each of the hundreds of known numbers.
DIGIT_RUN = re.compile(r"\d{17,}[\dXx]")


def _id_shaped(text: str) -> set[str]:
    return {run[i : i + 18] for run in DIGIT_RUN.findall(text) for i in range(len(run) - 17)}


_known: dict = {}


def _staff_id_numbers() -> list[str]:
    """Every staff member's full ID number, decrypted again only when the roster changed."""
    return _id_numbers(StaffMember, "staff")


def _barred_id_numbers() -> list[str]:
    """Every ban entry's full ID number, decrypted again only when the list changed."""
    return _id_numbers(BanEntry, "bans")


def _id_numbers(model, key: str) -> list[str]:
    from django.db.models import Count, Max

    state = tuple(model.objects.aggregate(n=Count("pk"), last=Max("pk")).values())
    if _known.get(key, {}).get("state") != state:
        _known[key] = {"state": state, "numbers": [str(row.id_number) for row in model.objects.all()]}
    return _known[key]["numbers"]


# Views that answer with a stored file (an upload): each file that leaves the portal, downloaded
# or shown in the page, is in the security log (a document opened, or a reveal of personal data).
STORED_FILE_URLS = frozenset(
    {
        "filing_attachment_download",
        "filing_attachment_view",
        "certificate_scan",
        "objection_evidence",
        "order_evidence_download",
        "case_decision_download",
        "inspection_file_download",
    }
)


def _security_events() -> int:
    from accounts.models import SecurityEvent

    return SecurityEvent.objects.count()


# CI shares the matrix between its two legs (tests/ci_share.py): its answers come from the access
# policy, not from the engine, and it is a third of a leg; each case runs once per CI run.
RUN_CASES = share(CASES)


@pytest.mark.parametrize("case", RUN_CASES, ids=_case_id)
def test_each_role_gets_the_answer_the_matrix_expects(case, db):
    wrong = []
    barred = _barred_id_numbers()
    assert barred, "the demo's ban list is empty: the scan for barred ID numbers would prove nothing"
    for username in ROLES:
        client = client_for(None if username == ANONYMOUS else username)
        kwargs = TARGETS[case.target](username) if case.target else {}
        url = reverse(case.url_name, kwargs=kwargs)
        logged_before = _security_events() if case.url_name in STORED_FILE_URLS else None
        response = getattr(client, case.method)(url, case.data)
        expected = case.expected(username)
        if logged_before is not None and response.status_code == 200 and _security_events() == logged_before:
            wrong.append(f"{username}: {url} gave a stored file out without a security-log entry")
        if response.status_code != expected:
            wrong.append(
                f"{username}: {case.method.upper()} {url} answered {response.status_code}, expected {expected}"
            )
        if username == ANONYMOUS and expected == 302:
            assert response["Location"].startswith(reverse("login")), response["Location"]
        shown = _id_shaped(_text(response))
        if username not in case.reveals_to:
            leaked = sorted(shown.intersection(_staff_id_numbers()))
            if leaked:
                wrong.append(f"{username}: {case.method.upper()} {url} shows full ID numbers: {leaked[:3]}")
        leaked = sorted(shown.intersection(barred))
        if leaked:
            wrong.append(f"{username}: {case.method.upper()} {url} shows barred ID numbers: {leaked[:3]}")
    assert not wrong, "\n".join(wrong)
