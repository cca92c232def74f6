"""Every endpoint × every member of the cast × own and foreign objects (see permission_matrix)."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from tests.conftest import CAST
from tests.permission_matrix import ANONYMOUS, CASES, TARGETS

ROLES = [ANONYMOUS, *CAST]


def _case_id(case) -> str:
    return f"{case.method}:{case.url_name}" + (f"[{case.target}]" if case.target else "")


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
    assert not wrong, "\n".join(wrong)
