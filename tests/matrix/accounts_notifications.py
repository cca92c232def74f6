"""Email preferences and the address verification link (issue 17): every logged-in user keeps
their own; nothing here shows or changes anyone else's. A verification link for someone else
verifies nothing (``tests/accounts/test_email_preferences.py``), so each opener is sent back to
their own preferences page."""

from tests.permission_matrix import LOGGED_IN, Case


def _someone_elses_link(username):
    from accounts import notices
    from accounts.models import User

    other = User.objects.get(username="nursery2" if username != "nursery2" else "nursery1")
    return {"token": notices.verification_token(user_id=other.pk, email="someone@example.gov.cn")}


TARGETS = {"foreign_verification_link": _someone_elses_link}

CASES = [
    Case("notification_settings", LOGGED_IN),
    Case("notification_settings", LOGGED_IN, method="post", ok=302, data={"email": "", "delivery": "off"}),
    Case("email_verification_resend", LOGGED_IN, method="post", ok=302),
    Case("email_verify", LOGGED_IN, target="foreign_verification_link", ok=302),
]
