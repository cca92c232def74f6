"""What spot checks put in each user's work queue on the home page (and so the menu's counts):
a department's open tasks, and the plans its organiser has not drawn yet."""

from django.utils.translation import gettext as _

from accounts.hooks import url_or_placeholder as _url
from supervision import rules, selectors


def work_queue(*, actor) -> list[dict]:
    if not rules.can_create_plan(actor):
        return []
    counts = selectors.spotchecks.queue_counts(actor=actor)
    items = []
    if counts["open_tasks"]:
        items.append({"title": _("Spot-check tasks to inspect"), "count": counts["open_tasks"],
                      "url": _url("spot_check_task_list")})  # fmt: skip
    if counts["undrawn"]:
        items.append({"title": _("Spot-check plans not drawn yet"), "count": counts["undrawn"],
                      "url": _url("spot_check_plan_list")})  # fmt: skip
    return items
