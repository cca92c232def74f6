"""The kinds of notification a user chooses email by, the signed link that verifies an email
address, and the text of the emails.

Kinds: accounts knows only ``general`` (every message no app names a kind for); each app
declares its own on its AppConfig (``notification_kinds``: a dict of kind → label), so accounts
names none of them. A kind nobody declares any longer reads as its code.

The verification link carries the user and the address, signed and dated
(``django.core.signing``, salt below) and good for ``EMAIL_VERIFICATION_MAX_AGE`` seconds. It
verifies the address once: a second use finds the address already verified and says so, and a
link for an address the user has changed since verifies nothing.
"""

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.hooks import app_hooks
from accounts.models import Notification

VERIFICATION_SALT = "accounts.email-verification"


def kinds() -> dict[str, str]:
    """Kind → label, ``general`` first, then each app's in app order."""
    found = {Notification.GENERAL: gettext_lazy("Other messages (decisions, submissions, replies)")}
    for _label, declared in app_hooks("notification_kinds"):
        found.update(declared)
    return found


def kind_label(kind: str) -> str:
    return str(kinds().get(kind, kind))


def verification_token(*, user_id: int, email: str) -> str:
    return signing.dumps({"u": user_id, "e": email.lower()}, salt=VERIFICATION_SALT, compress=True)


def verification_read(token: str) -> tuple[int, str] | None:
    """(user id, address) of a valid, unexpired link; ``None`` otherwise."""
    try:
        data = signing.loads(token, salt=VERIFICATION_SALT, max_age=settings.EMAIL_VERIFICATION_MAX_AGE)
    except signing.BadSignature:  # SignatureExpired is one
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int) or not isinstance(data.get("e"), str):
        return None
    return data["u"], data["e"]


def absolute(link: str) -> str:
    return f"{settings.PORTAL_URL}{link}" if link.startswith("/") else link


def verification_message(*, user_id: int, email: str) -> tuple[str, str]:
    """Subject and body of the mail that asks the user to verify ``email``."""
    url = absolute(reverse("email_verify", args=[verification_token(user_id=user_id, email=email)]))
    hours = settings.EMAIL_VERIFICATION_MAX_AGE // 3600
    subject = _("Verify your email address for the childcare oversight portal")
    body = _(
        "Open this link while logged in to the portal to verify that this address is yours:\n%(url)s\n\n"
        "The link works once, for %(hours)d hours. Until the address is verified the portal sends it no mail. "
        "If you did not ask for this, ignore this message."
    ) % {"url": url, "hours": hours}
    return subject, body


def notification_text(notification: Notification) -> str:
    """The body of a message's email: its text and its link."""
    parts = [notification.body] if notification.body else []
    if notification.link:
        parts.append(absolute(notification.link))
    return "\n\n".join(parts)


def digest_message(notifications: list[Notification]) -> tuple[str, str]:
    subject = _("Childcare oversight portal: %(n)d new messages") % {"n": len(notifications)}
    blocks = []
    for notification in notifications:
        head = f"【{kind_label(notification.kind)}】{notification.title}"
        text = notification_text(notification)
        blocks.append(f"{head}\n{text}" if text else head)
    footer = _("Choose which messages are emailed, and how: %(url)s") % {
        "url": absolute(reverse("notification_settings"))
    }
    return subject, "\n\n".join([*blocks, footer])
