from django.contrib.auth import get_user_model

from accounts import services as account_services
from accounts.models import Membership


def notify_organisation(organisation_id: int, title: str, body: str = "", link: str = "") -> None:
    """Every acting member (officer or head) of the organisation gets an inbox message."""
    User = get_user_model()
    users = User.objects.filter(
        memberships__organisation_id=organisation_id, memberships__role__in=Membership.ACTING_ROLES, is_active=True
    ).distinct()
    for user in users:
        account_services.notification_send(recipient=user, title=title, body=body, link=link)


def notify_duty_holders(duty: str, title: str, body: str = "", link: str = "", township_code: str | None = None):
    """Acting members of organisations holding ``duty`` (optionally: only the township)."""
    from accounts.models import Organisation

    organisations = Organisation.objects.filter(duties__code=duty, is_active=True)
    if township_code is not None:
        organisations = organisations.filter(jurisdiction__code=township_code)
    for organisation_id in organisations.values_list("pk", flat=True):
        notify_organisation(organisation_id, title, body, link)


def inspection_file_store(*, actor, uploaded, allowed: tuple[str, ...], max_bytes: int, **owner):
    """Check an upload by its content and store it as an InspectionFile of ``owner`` (a
    ``finding=`` or an ``order=``). The caller checks rights and records the audit event."""
    from inspections.models import InspectionFile
    from registry import uploads

    content_type, sha256 = uploads.check_upload(uploaded, allowed=allowed, max_bytes=max_bytes)
    stored = InspectionFile(
        original_name=uploaded.name[:200],
        content_type=content_type,
        size=uploaded.size,
        sha256=sha256,
        uploaded_by=actor,
        **owner,
    )
    stored.file.save(uploaded.name, uploaded, save=False)
    stored.save()
    return stored
