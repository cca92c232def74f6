"""What the workforce app puts in each user's work queue on the home page."""

from django.utils.translation import gettext as _

from accounts import policy
from accounts.hooks import url_or_placeholder as _url
from registry.models import Institution
from training import selectors
from training.models import Certificate


def work_queue(*, actor) -> list[dict]:
    items = []
    if policy.has_duty(actor, "certificate.verify"):
        waiting = Certificate.objects.visible_to(actor).filter(status=Certificate.Status.PENDING).count()
        if waiting:
            items.append({"title": _("Certificates waiting for verification"), "count": waiting,
                          "url": _url("certificate_queue")})  # fmt: skip
    own = [org.pk for org in policy.organisations_of(actor) if org.kind == "institution"]
    institution = Institution.objects.filter(organisation__in=own).first() if own else None
    if institution is not None and policy.has_duty(actor, "institution.self"):
        expiring = selectors.expiry_list(actor=actor, institution=institution)
        if expiring:
            items.append({"title": _("Certificates expiring or expired"), "count": len(expiring),
                          "urgent": any(item.expired for item in expiring),
                          "url": _url("certificate_expiring")})  # fmt: skip
        problems = selectors.roster_checks(institution=institution).problems
        if problems:
            items.append({"title": _("Your staff roster does not meet the standards"), "count": len(problems),
                          "url": _url("institution_detail", "#workforce", pk=institution.pk)})  # fmt: skip
    if policy.has_duty(actor, "staff.oversee"):
        expired = [item for item in selectors.expiry_list(actor=actor) if item.expired]
        if expired:
            items.append({"title": _("Staff certificates expired"), "count": len(expired),
                          "url": _url("certificate_expiring")})  # fmt: skip
        duplicates = selectors.staff_list(actor=actor).filter(employed_elsewhere=True).count()
        if duplicates:
            items.append({"title": _("Staff on two rosters at once"), "count": duplicates,
                          "url": _url("staff_duplicates")})  # fmt: skip
    return items
