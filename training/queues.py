"""What the workforce app puts in each user's work queue on the home page."""

from django.utils.translation import gettext as _

from accounts import policy
from accounts.counts import count_each
from accounts.hooks import url_or_placeholder as _url
from registry import parameters
from registry.selectors import institution_for_member
from training import selectors
from training.models import Certificate


def work_queue(*, actor) -> list[dict]:
    """The city-wide counts in one query (``count_each``); an institution's own items from its
    roster (a few rows)."""
    items = []
    counted = {}
    if policy.has_duty(actor, "certificate.verify"):
        counted["waiting"] = Certificate.objects.visible_to(actor).filter(status=Certificate.Status.PENDING)
    if policy.has_duty(actor, "staff.oversee"):
        counted.update(selectors.expired_querysets(actor=actor))
        counted["duplicates"] = selectors.staff_list(actor=actor).filter(employed_elsewhere=True)
    counts = count_each(**counted)
    if counts.get("waiting"):
        items.append({"title": _("Certificates waiting for verification"), "count": counts["waiting"],
                      "url": _url("certificate_queue")})  # fmt: skip
    own = [org.pk for org in policy.organisations_of(actor) if org.kind == "institution"]
    institution = institution_for_member(actor=actor) if own else None
    if institution is not None and policy.has_duty(actor, "institution.self"):
        params = parameters.load()  # once for both: the warning period and the roster's standards
        expiring = selectors.expiry_list(actor=actor, institution=institution, params=params)
        if expiring:
            items.append({"title": _("Certificates expiring or expired"), "count": len(expiring),
                          "urgent": any(item.expired for item in expiring),
                          "url": _url("certificate_expiring")})  # fmt: skip
        problems = selectors.roster_checks(institution=institution, params=params).problems
        if problems:
            items.append({"title": _("Your staff roster does not meet the standards"), "count": len(problems),
                          "url": _url("institution_detail", "#workforce", pk=institution.pk)})  # fmt: skip
    if policy.has_duty(actor, "staff.oversee"):
        expired = counts["health_expired"] + counts["certificates_expired"]
        if expired:
            items.append({"title": _("Staff certificates expired"), "count": expired,
                          "url": _url("certificate_expiring")})  # fmt: skip
        if counts["duplicates"]:
            items.append({"title": _("Staff on two rosters at once"), "count": counts["duplicates"],
                          "url": _url("staff_duplicates")})  # fmt: skip
    return items
