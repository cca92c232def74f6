"""What the annual review puts in each user's work queue on the home page."""

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import policy
from accounts.counts import count_each
from accounts.hooks import url_or_placeholder as _url
from inspections.models import AnnualReview, Area, Case, Finding, RectificationOrder, RevocationReferral
from inspections.selectors.enforcement import order_overdue_condition


def work_queue(*, actor) -> list[dict]:
    """The counts in one query (``count_each``); an institution's own items (its self-report, its
    open order) are one row each."""
    items = []
    today = timezone.localdate()
    reviews = AnnualReview.objects.visible_to(actor).filter(cycle__status="open")
    orders = RectificationOrder.objects.visible_to(actor)
    decider = policy.has_duty(actor, "review.decide")
    areas = [area for area in Area.values if policy.has_duty(actor, Area.duty(area))]
    counted = {}
    if decider:
        counted["waiting"] = reviews.filter(status=AnnualReview.Status.INSPECTING)
    if areas and not decider:
        done = Finding.objects.filter(review__in=reviews, area__in=areas).values("review")
        counted["missing"] = reviews.filter(status=AnnualReview.Status.INSPECTING).exclude(pk__in=done)
    if policy.has_duty(actor, "township.supervise") or policy.has_duty(actor, "rectification.order"):
        counted["overdue"] = orders.filter(order_overdue_condition(today=today))
    if policy.has_duty(actor, "rectification.order"):
        counted["not_rectified"] = orders.filter(status=RectificationOrder.Status.FAILED)
    if policy.has_duty(actor, "referral.decide"):
        counted["referrals"] = (
            RevocationReferral.objects.visible_to(actor)
            .filter(status=RevocationReferral.Status.PENDING)
            .filter(Q(authority__in=[org.pk for org in policy.organisations_of(actor)]))
        )
    if policy.has_duty(actor, "case.manage"):
        counted["open_cases"] = Case.objects.visible_to(actor).exclude(status__in=Case.CLOSED_STATUSES)
    counts = count_each(**counted)
    if counts.get("waiting"):
        items.append(
            {
                "title": _("Annual reviews waiting for a decision"),
                "count": counts["waiting"],
                "url": _url("review_list", "?status=inspecting"),
            }
        )
    if counts.get("missing"):
        items.append(
            {
                "title": _("Annual reviews waiting for your inspection"),
                "count": counts["missing"],
                "url": _url("review_list", "?status=inspecting"),
            }
        )
    if policy.has_duty(actor, "institution.self"):
        own = reviews.filter(self_report__status__in=["draft", "returned"]).first()
        if own is not None:
            items.append(
                {
                    "title": _("Submit your annual self-report"),
                    "urgent": own.self_report.status == "returned",
                    "url": _url("review_detail", pk=own.pk),
                }
            )
        order = orders.filter(status=RectificationOrder.Status.OPEN).first()
        if order is not None:
            items.append(
                {
                    "title": _("Answer rectification order %(number)s by %(deadline)s")
                    % {"number": order.number, "deadline": order.deadline},
                    "urgent": True,
                    "url": _url("order_detail", pk=order.pk),
                }
            )
    if counts.get("overdue"):
        items.append(
            {
                "title": _("Rectification orders past their deadline"),
                "count": counts["overdue"],
                "urgent": True,
                "url": _url("order_list", "?overdue=1"),
            }
        )
    if counts.get("not_rectified"):
        # Verified as not rectified: the health bureau closes them as 整改不合格.
        items.append(
            {
                "title": _("Orders verified as not rectified: close them as rectification failed"),
                "count": counts["not_rectified"],
                "urgent": True,
                "url": _url("order_list", f"?status={RectificationOrder.Status.FAILED}"),
            }
        )
    if counts.get("referrals"):
        items.append(
            {
                "title": _("Revocation referrals for you to decide"),
                "count": counts["referrals"],
                "urgent": True,
                "url": _url("referral_list"),
            }
        )
    if counts.get("open_cases"):
        items.append(
            {
                "title": _("Open cases against unregistered or unsafe providers"),
                "count": counts["open_cases"],
                "url": _url("case_list"),
            }
        )
    return items
