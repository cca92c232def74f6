"""What spot checks put in each user's work queue on the home page (and so the menu's counts):
a department's open tasks, and the plans its organiser has not drawn yet."""

from django.utils.translation import gettext as _

from accounts.hooks import url_or_placeholder as _url
from supervision import rules, selectors
from supervision.models import SpotCheckPlan


def work_queue(*, actor) -> list[dict]:
    if not rules.can_create_plan(actor):
        return []
    items = []
    waiting = selectors.spotchecks.open_task_count(actor=actor)
    if waiting:
        items.append({"title": _("Spot-check tasks to inspect"), "count": waiting, "url": _url("spot_check_task_list")})
    undrawn = [
        plan
        for plan in selectors.spotchecks.plan_list(actor=actor).filter(status=SpotCheckPlan.Status.DRAFT)
        if rules.can_draw_plan(actor, plan)
    ]
    if undrawn:
        items.append({"title": _("Spot-check plans not drawn yet"), "count": len(undrawn),
                      "url": _url("spot_check_plan_list")})  # fmt: skip
    return items
