"""The second factor (issue 16, point 5): operators and decision-makers enrol on their first
sign-in with a QR code, get ten one-time recovery codes, and give a code at every sign-in; a
reveal of personal data with a code older than 12 hours asks again. The demo accounts skip it
outside production: these tests switch that exemption off (``SECOND_FACTOR_DEMO_EXEMPT``).

The cast (tests/conftest.py): ``health`` decides filings and reviews and reveals ID numbers;
``sysadmin`` is an operator; ``nursery1`` keeps its own institution's records only."""

import time

import pytest
from django.test import override_settings
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import second_factor
from accounts.models import SecurityEvent
from training.models import StaffMember

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_no_demo_exemption")]


@pytest.fixture
def _no_demo_exemption():
    with override_settings(SECOND_FACTOR_DEMO_EXEMPT=False):
        yield


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def _enrolled(user) -> tuple[TOTPDevice, list[str]]:
    device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    return device, second_factor.recovery_codes_new(user)


@pytest.mark.parametrize("username", ["health", "sysadmin", "auditor"])
def test_a_decision_maker_or_operator_enrols_on_the_first_sign_in(username, client_as, cast):
    client = client_as(username)
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response.url.startswith(reverse("second_factor_setup"))
    page = client.get(response.url)
    assert page.status_code == 200 and "<svg" in page.content.decode()
    device = TOTPDevice.objects.get(user=cast[username], confirmed=False)

    wrong = client.post(reverse("second_factor_setup"), {"code": "000000" if _code(device) != "000000" else "111111"})
    device.refresh_from_db()
    assert wrong.status_code == 200 and not device.confirmed
    assert client.get(reverse("home")).status_code == 302

    device.throttle_reset()
    done = client.post(reverse("second_factor_setup"), {"code": _code(device), "next": "/"})
    codes = done.context["codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    assert TOTPDevice.objects.get(pk=device.pk).confirmed
    assert client.get(reverse("home")).status_code == 200
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.SECOND_FACTOR_ENROLLED, username=username).exists()


def test_every_later_sign_in_asks_for_a_code_and_a_recovery_code_works_once(client_as, cast):
    _device, codes = _enrolled(cast["health"])
    client = client_as("health")
    response = client.get(reverse("filing_list"))
    assert response.url.startswith(reverse("second_factor_verify"))
    answer = client.post(reverse("second_factor_verify"), {"code": codes[0], "next": reverse("filing_list")})
    assert answer.status_code == 302 and answer.url == reverse("filing_list")
    assert client.get(reverse("filing_list")).status_code == 200
    assert not StaticToken.objects.filter(token=codes[0]).exists()

    again = client_as("health").post(reverse("second_factor_verify"), {"code": codes[0]})
    assert again.status_code == 200 and again.context["form"].errors
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.RECOVERY_CODE_USED).count() == 1


def test_an_institution_is_not_asked(client_as):
    assert client_as("nursery1").get(reverse("home")).status_code == 200


def test_the_api_signed_in_by_session_refuses_until_the_code_is_given(client_as):
    response = client_as("health").get(reverse("api_me"))
    assert response.status_code == 403 and response.json()["error"]["code"] == "second_factor_required"


def test_the_next_address_must_stay_on_the_portal(client_as, cast):
    device, _codes = _enrolled(cast["health"])
    answer = client_as("health").post(
        reverse("second_factor_verify"), {"code": _code(device), "next": "https://elsewhere.example/"}
    )
    assert answer.status_code == 302 and answer.url == "/"


def _session_verified_hours_ago(client, hours: float) -> None:
    session = client.session
    session[second_factor.VERIFIED_AT] = int(time.time() - hours * 3600)
    session.save()


def test_a_reveal_with_a_code_older_than_12_hours_asks_again(client_as, cast):
    device, _codes = _enrolled(cast["health"])
    member = StaffMember.objects.first()
    client = client_as("health")
    _session_verified_hours_ago(client, 13)
    stale = client.post(reverse("staff_reveal", args=[member.pk]), {"reason": "核查重复任职"})
    assert stale.status_code == 302 and stale.url.startswith(reverse("second_factor_verify"))
    api = client.post(
        reverse("api_staff_reveal", args=[member.pk]), {"reason": "核查"}, content_type="application/json"
    )
    assert api.status_code == 403 and api.json()["error"]["code"] == "second_factor_stale"
    assert not SecurityEvent.objects.filter(kind=SecurityEvent.Kind.REVEAL, username="health").exists()

    client.post(reverse("second_factor_verify"), {"code": _code(device)})
    fresh = client.post(reverse("staff_reveal", args=[member.pk]), {"reason": "核查重复任职"})
    assert fresh.status_code == 200 and fresh.context["number"] == member.id_number


def test_the_demo_accounts_skip_it_only_where_the_setting_says(cast):
    with override_settings(SECOND_FACTOR_DEMO_EXEMPT=True):
        assert not second_factor.required(cast["health"])
    assert second_factor.required(cast["health"]) and second_factor.required(cast["sysadmin"])
    assert not second_factor.required(cast["nursery1"]) and not second_factor.required(cast["leader"])


def test_a_new_operator_changes_the_password_first_then_sets_up_the_second_factor(client_as, cast):
    User = type(cast["sysadmin"])
    User.objects.filter(pk=cast["sysadmin"].pk).update(must_change_password=True)
    client = client_as("sysadmin")
    first = client.get(reverse("home"))
    assert first.status_code == 302 and first.url == reverse("password_change")
    assert client.get(reverse("password_change")).status_code == 200  # no loop between the two
    User.objects.filter(pk=cast["sysadmin"].pk).update(must_change_password=False)
    then = client.get(reverse("home"))
    assert then.status_code == 302 and then.url.startswith(reverse("second_factor_setup"))


def test_a_decision_posted_without_the_code_is_refused_and_changes_nothing(client_as, cast):
    from registry.models import Filing

    _enrolled(cast["health"])
    filing = Filing.objects.filter(status=Filing.Status.SUBMITTED).first()
    assert filing is not None, "the demo has a filing waiting for review"
    answer = client_as("health").post(reverse("filing_accept", args=[filing.pk]), {"note": "同意"})
    assert answer.status_code == 302 and answer.url.startswith(reverse("second_factor_verify"))
    filing.refresh_from_db()
    assert filing.status == Filing.Status.SUBMITTED
