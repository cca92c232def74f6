"""What daily supervision puts in each user's work queue on the home page."""

from django.utils.translation import gettext as _

from accounts.hooks import url_or_placeholder as _url
from supervision.selectors import incidents, objections


def work_queue(*, actor) -> list[dict]:
    items = []
    counts = incidents.waiting_counts(actor=actor)
    if counts.get("incidents"):
        items.append({"title": _("Incidents waiting to be acknowledged"), "count": counts["incidents"], "urgent": True,
                      "url": _url("incident_list", "?status=reported")})  # fmt: skip
    if counts.get("proposals"):
        items.append({"title": _("Ban list proposals waiting for a second keeper"), "count": counts["proposals"],
                      "url": _url("incident_list", "?kind=abuse")})  # fmt: skip
    waiting = objections.waiting_for_answer_count(actor=actor)
    if waiting:
        items.append({"title": _("Objections waiting for your answer"), "count": waiting, "urgent": True,
                      "url": _url("objection_list", "?status=pending")})  # fmt: skip
    return items
