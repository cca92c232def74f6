"""What the dashboards put in each user's work queue on the home page."""

from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import policy
from accounts.hooks import url_or_placeholder as _url
from dashboard.models import PeriodicReport


def work_queue(*, actor) -> list[dict]:
    items = []
    reports = PeriodicReport.objects.visible_to(actor)
    if policy.has_duty(actor, "reports.approve"):
        waiting = reports.filter(status=PeriodicReport.Status.SUBMITTED).count()
        if waiting:
            items.append({"title": _("Indicator reports waiting for approval"), "count": waiting,
                          "url": _url("report_list", "?status=submitted")})  # fmt: skip
    if policy.has_duty(actor, "reports.submit") and policy.township_codes(actor):
        year = timezone.localdate().year
        own = reports.filter(year=year, region__code__in=policy.township_codes(actor))
        returned = own.filter(status=PeriodicReport.Status.RETURNED).count()
        if returned:
            items.append({"title": _("Indicator reports returned to you"), "count": returned, "urgent": True,
                          "url": _url("report_list", "?status=returned")})  # fmt: skip
        elif not own.exists():
            items.append({"title": _("Submit this year's indicator report"), "url": _url("report_list")})
    return items
