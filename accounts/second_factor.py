"""The second factor (TOTP, with django-otp's devices) for the operators and the decision-makers.

Who needs it: the three operator roles, and whoever may decide filings or reviews, keep the
lifetime ban list or reveal personal data (``DECISION_DUTIES``). They enrol on their first
sign-in by scanning a QR code into an authenticator app and receive ten one-time recovery
codes; afterwards every sign-in asks for a code. A reveal of personal data more than
``FRESH_HOURS`` after the last code asks for a code again. The demo accounts skip all of it
outside production (``SECOND_FACTOR_DEMO_EXEMPT``), so the embedded demo opens with a password.

The session remembers when the user last gave a code (``VERIFIED_AT``); django-otp keeps the
devices, verifies the codes and throttles wrong ones (each failure doubles the wait)."""

import secrets
import time

import segno
from django.conf import settings
from django.db import transaction
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import audit, policy
from accounts.models import SecurityEvent

DECISION_DUTIES = ("filing.review", "review.decide", "banlist.manage", "staff.reveal")
FRESH_HOURS = 12
VERIFIED_AT = "_second_factor_at"
RECOVERY_CODES = 10
DEVICE_NAME = "authenticator"


def _demo_usernames() -> set[str]:
    from accounts.demo import DEMO_ACCOUNTS

    return {account[0] for account in DEMO_ACCOUNTS}


def required(user) -> bool:
    """Whether this user signs in with a second factor."""
    if not getattr(user, "is_authenticated", False):
        return False
    if settings.SECOND_FACTOR_DEMO_EXEMPT and user.username in _demo_usernames():
        return False
    return bool(user.operator_role) or any(policy.has_duty(user, duty) for duty in DECISION_DUTIES)


def verified(request) -> bool:
    return request.session.get(VERIFIED_AT) is not None


def fresh(request) -> bool:
    """A code given within ``FRESH_HOURS`` (or no second factor needed at all)."""
    if not required(request.user):
        return True
    at = request.session.get(VERIFIED_AT)
    return at is not None and time.time() - at < FRESH_HOURS * 3600


def enrolled(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def enrolment_device(user) -> TOTPDevice:
    """The unconfirmed device the user is scanning (a new secret each time the page is opened
    afresh would break a scan in progress, so it is kept until confirmed)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    return device or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


def qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// URL as an inline SVG QR code (drawn here: no image service)."""
    return segno.make(device.config_url, error="m").svg_inline(scale=4, omitsize=False)


def base32_secret(device: TOTPDevice) -> str:
    import base64

    return base64.b32encode(device.bin_key).decode("ascii").rstrip("=")


def _mark_verified(request, device) -> None:
    otp_login(request, device)
    request.session[VERIFIED_AT] = int(time.time())


@transaction.atomic
def confirm_enrolment(request, device: TOTPDevice, token: str) -> list[str] | None:
    """Confirm the scanned device with its first code; returns the new recovery codes, or
    None when the code is wrong (nothing changes)."""
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=request.user)
    if not device.verify_token(token.strip()):
        audit.security_event(kind=SecurityEvent.Kind.SECOND_FACTOR_FAILED, user=request.user, request=request)
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=request.user).exclude(pk=device.pk).delete()
    codes = recovery_codes_new(request.user)
    _mark_verified(request, device)
    audit.security_event(kind=SecurityEvent.Kind.SECOND_FACTOR_ENROLLED, user=request.user, request=request)
    return codes


def recovery_codes_new(user) -> list[str]:
    """Ten new one-time codes (the old ones stop working): shown once, stored by django-otp."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="recovery")
    codes = [f"{secrets.randbelow(10**8):08d}" for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


@transaction.atomic
def verify(request, token: str) -> bool:
    """A code from the authenticator, or a recovery code (used up by this)."""
    token = token.strip().replace(" ", "")
    for device in TOTPDevice.objects.select_for_update().filter(user=request.user, confirmed=True):
        if device.verify_token(token):
            _mark_verified(request, device)
            return True
    for device in StaticDevice.objects.select_for_update().filter(user=request.user):
        if device.verify_token(token):  # deletes the code it matched
            _mark_verified(request, device)
            audit.security_event(kind=SecurityEvent.Kind.RECOVERY_CODE_USED, user=request.user, request=request)
            return True
    audit.security_event(kind=SecurityEvent.Kind.SECOND_FACTOR_FAILED, user=request.user, request=request)
    return False
