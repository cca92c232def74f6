"""What daily supervision puts in each user's work queue on the home page."""

from django.utils.translation import gettext as _

from accounts.hooks import url_or_placeholder as _url
from supervision import rules
from supervision.selectors import complaints as selectors


def work_queue(*, actor) -> list[dict]:
    if not rules.may_see_complaints(actor):
        return []
    counts = selectors.handled_open_counts(actor=actor)
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
