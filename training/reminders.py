"""Expiry reminders for certificates and health certificates, sent by ``training.tasks``.

From ``certificate.warning_days`` before its expiry date, an active staff member's certificate
or health certificate is announced to the institution ("expires soon"); from the day after it
expires, once more ("expired"), and the health bureau gets one summary of the newly expired.
Each reminder is claimed in the ledger (``paperwork.reminders``) under a key (``cert:<id>:<date>:soon``,
``health:<staff>:<date>:expired``…) in the same transaction as its messages, so a task run
twice, or by two workers at once, sends nothing more; a renewed certificate (a new date) is
announced again when its time comes.
"""

from collections import defaultdict
from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.hooks import url_or_placeholder
from accounts.services import notify_duty_holders, notify_organisation
from paperwork.reminders import claim
from registry import parameters
from training.models import Certificate, StaffMember
from training.rules import OVERSEE_DUTY

SOON, EXPIRED = "soon", "expired"
# The notification kind (declared on the AppConfig, chosen by each user for email).
KIND = "certificate_expiry"


def _expiring_link() -> str:
    return url_or_placeholder("certificate_expiring")


def _due(today: date, horizon: date):
    """(key, institution organisation id, line) for every expiry due to be announced."""
    active = StaffMember.active_q(today)
    members = StaffMember.objects.filter(active, health_certificate_expires__lte=horizon).select_related("institution")
    for member in members:
        stage = EXPIRED if member.health_certificate_expires < today else SOON
        key = f"health:{member.pk}:{member.health_certificate_expires}:{stage}"
        yield key, member.institution, stage, _("%(name)s: health certificate, %(date)s") % {
            "name": member.name, "date": member.health_certificate_expires}  # fmt: skip
    certificates = (
        Certificate.objects.filter(StaffMember.active_q(today, prefix="staff__"), expires_on__lte=horizon)
        .exclude(status=Certificate.Status.REJECTED)
        .select_related("staff__institution", "kind")
    )
    for certificate in certificates:
        stage = EXPIRED if certificate.expires_on < today else SOON
        key = f"cert:{certificate.pk}:{certificate.expires_on}:{stage}"
        yield key, certificate.staff.institution, stage, _("%(name)s: %(kind)s, %(date)s") % {
            "name": certificate.staff.name, "kind": certificate.kind.name, "date": certificate.expires_on}  # fmt: skip


@transaction.atomic
def expiry_reminders(*, today: date | None = None) -> dict[str, int]:
    today = today or timezone.localdate()
    horizon = today + timedelta(days=int(parameters.get("certificate.warning_days", 60)))
    with translation.override(settings.LANGUAGE_CODE):
        lines = defaultdict(lambda: {SOON: [], EXPIRED: []})
        institutions = {}
        for key, institution, stage, line in _due(today, horizon):
            if claim(key):
                lines[institution.pk][stage].append(line)
                institutions[institution.pk] = institution
        sent = {SOON: 0, EXPIRED: 0}
        expired_at = []
        for pk, stages in lines.items():
            institution = institutions[pk]
            for stage, title in ((SOON, _("Certificates expiring soon")), (EXPIRED, _("Certificates expired"))):
                if stages[stage]:
                    notify_organisation(
                        organisation_id=institution.organisation_id,
                        title=title,
                        body="\n".join(stages[stage]),
                        link=_expiring_link(),
                        kind=KIND,
                    )
                    sent[stage] += len(stages[stage])
            if stages[EXPIRED]:
                expired_at.append(f"{institution.name}（{len(stages[EXPIRED])}）")
        if expired_at:
            notify_duty_holders(
                duty=OVERSEE_DUTY,
                title=_("Staff certificates expired"),
                body="\n".join(expired_at),
                link=_expiring_link(),
                kind=KIND,
            )
    return sent
