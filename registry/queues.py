"""What the registry puts in each user's work queue on the home page."""

from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import policy
from accounts.counts import count_each
from accounts.hooks import url_or_placeholder as _url
from registry import rules, selectors
from registry.models import Filing, Institution
from registry.selectors.filings import filing_overdue_condition


def work_queue(*, actor) -> list[dict]:
    """The counts in one query (``count_each``); an institution's own item from its filing."""
    items = []
    counted = {}
    reviewer = policy.has_duty(actor, "filing.review")
    supervisor = policy.has_duty(actor, "township.supervise")
    if reviewer or supervisor:
        counted["waiting"] = selectors.filing_list(actor=actor, status=Filing.Status.SUBMITTED)
    if reviewer:
        counted["overdue"] = counted["waiting"].filter(filing_overdue_condition(today=timezone.localdate()))
        counted["unfiled"] = selectors.unfiled_registered_institutions(actor=actor)
    if rules.can_approve_nursery_classes(actor=actor):
        counted["classes"] = selectors.nursery_class_queue(actor=actor)
    if supervisor:
        counted["not_filed"] = selectors.institution_list(actor=actor, filing_status=Institution.FilingStatus.NOT_FILED)
    counts = count_each(**counted)
    if reviewer:
        if counts["waiting"]:
            items.append(
                {
                    "title": _("Filings waiting for review"),
                    "count": counts["waiting"],
                    "url": _url("filing_list", "?status=submitted"),
                }
            )
        if counts["overdue"]:
            items.append(
                {
                    "title": _("Filing reviews past the time limit"),
                    "count": counts["overdue"],
                    "urgent": True,
                    "subset": True,  # among the filings waiting: the menu does not count them twice
                    "url": _url("filing_list", "?overdue=1"),
                }
            )
        if counts["unfiled"]:
            items.append(
                {
                    "title": _("Registered institutions that have not filed"),
                    "count": counts["unfiled"],
                    "url": _url("unfiled_list"),
                }
            )
    if counts.get("classes"):
        items.append(
            {
                "title": _("Nursery classes awaiting approval"),
                "count": counts["classes"],
                "url": _url("nursery_class_queue"),
            }
        )
    if policy.has_duty(actor, "institution.self"):
        institution = selectors.institution_for_member(actor=actor)
        if institution is not None:
            items.extend(_institution_items(actor, institution))
    if supervisor:
        if counts["waiting"]:
            items.append(
                {
                    "title": _("Filings under review in my territory"),
                    "count": counts["waiting"],
                    "url": _url("filing_list", "?status=submitted"),
                }
            )
        if counts["not_filed"]:
            items.append(
                {
                    "title": _("Institutions in my territory not yet filed"),
                    "count": counts["not_filed"],
                    "url": _url("institution_list", "?filing_status=not_filed"),
                }
            )
    return items


def _institution_items(actor, institution) -> list[dict]:
    open_filing = (
        selectors.filing_list(actor=actor, institution=institution).filter(status__in=Filing.OPEN_STATUSES).first()
    )
    if open_filing is not None and open_filing.status == Filing.Status.RETURNED:
        return [
            {
                "title": _("Your filing was returned: correct and resubmit it"),
                "urgent": True,
                "url": _url("filing_detail", pk=open_filing.pk),
            }
        ]
    if open_filing is not None and open_filing.status == Filing.Status.DRAFT:
        return [{"title": _("Finish and submit your filing"), "url": _url("filing_detail", pk=open_filing.pk)}]
    if open_filing is None and institution.filing_status == Institution.FilingStatus.NOT_FILED:
        return [
            {
                "title": _("File your institution with the health bureau"),
                "urgent": True,
                "url": _url("institution_detail", pk=institution.pk),
            }
        ]
    return []
