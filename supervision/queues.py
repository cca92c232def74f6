"""What daily supervision puts in each user's work queue on the home page."""

from django.utils.translation import gettext as _

from accounts.counts import count_each
from accounts.hooks import url_or_placeholder as _url
from supervision import rules, spot_check_queue
from supervision.selectors import complaints as complaint_selectors
from supervision.selectors import incidents, objections


def work_queue(*, actor) -> list[dict]:
    return _complaint_items(actor) + _incident_and_objection_items(actor) + spot_check_queue.work_queue(actor=actor)


def _complaint_items(actor) -> list[dict]:
    if not rules.may_see_complaints(actor):
        return []
    counts = complaint_selectors.handled_open_counts(actor=actor)
    items = []
    if counts["received"]:
        items.append({"title": _("Complaints waiting to be acknowledged"), "count": counts["received"],
                      "url": _url("complaint_list", "?status=received")})  # fmt: skip
    if counts["acknowledged"]:
        items.append({"title": _("Complaints under investigation"), "count": counts["acknowledged"],
                      "url": _url("complaint_list", "?status=acknowledged")})  # fmt: skip
    if counts["overdue"]:
        items.append({"title": _("Complaints past their deadline"), "count": counts["overdue"], "urgent": True,
                      "subset": True, "url": _url("complaint_list", "?overdue=1")})  # fmt: skip
    return items


def _incident_and_objection_items(actor) -> list[dict]:
    """Incidents, ban-list proposals and objections: their counts in one query."""
    items = []
    counted = incidents.waiting_querysets(actor=actor)
    answers = objections.waiting_for_answer(actor=actor)
    if answers is not None:
        counted["objections"] = answers
    if rules.reporting_organisations(actor):
        counted["notices"] = objections.notices_open(actor=actor)
    counts = count_each(**counted)
    if counts.get("incidents"):
        items.append({"title": _("Incidents waiting to be acknowledged"), "count": counts["incidents"], "urgent": True,
                      "url": _url("incident_list", "?status=reported")})  # fmt: skip
    if counts.get("proposals"):
        items.append({"title": _("Ban list proposals waiting for a second keeper"), "count": counts["proposals"],
                      "url": _url("incident_list", "?kind=abuse")})  # fmt: skip
    if counts.get("notices"):
        items.append({"title": _("Decisions about your institution you may still object to"),
                      "count": counts["notices"], "urgent": True, "url": _url("case_decision_list")})  # fmt: skip
    if counts.get("objections"):
        items.append({"title": _("Objections waiting for your answer"), "count": counts["objections"], "urgent": True,
                      "url": _url("objection_list", "?status=pending")})  # fmt: skip
    return items
