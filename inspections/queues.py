"""What the annual review puts in each user's work queue on the home page."""

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import policy
from accounts.hooks import url_or_placeholder as _url
from inspections.models import AnnualReview, Area, Case, Finding, RectificationOrder, RevocationReferral
from inspections.selectors.enforcement import order_overdue_condition


def work_queue(*, actor) -> list[dict]:
    items = []
    today = timezone.localdate()
    reviews = AnnualReview.objects.visible_to(actor).filter(cycle__status="open")
    if policy.has_duty(actor, "review.decide"):
        waiting = reviews.filter(status=AnnualReview.Status.INSPECTING).count()
        if waiting:
            items.append(
                {
                    "title": _("Annual reviews waiting for a decision"),
                    "count": waiting,
                    "url": _url("review_list", "?status=inspecting"),
                }
            )
    areas = [area for area in Area.values if policy.has_duty(actor, Area.duty(area))]
    if areas and not policy.has_duty(actor, "review.decide"):
        done = Finding.objects.filter(review__in=reviews, area__in=areas).values("review")
        missing = reviews.filter(status=AnnualReview.Status.INSPECTING).exclude(pk__in=done).count()
        if missing:
            items.append(
                {
                    "title": _("Annual reviews waiting for your inspection"),
                    "count": missing,
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
        order = RectificationOrder.objects.visible_to(actor).filter(status=RectificationOrder.Status.OPEN).first()
        if order is not None:
            items.append(
                {
                    "title": _("Answer rectification order %(number)s by %(deadline)s")
                    % {"number": order.number, "deadline": order.deadline},
                    "urgent": True,
                    "url": _url("order_detail", pk=order.pk),
                }
            )
    orders = RectificationOrder.objects.visible_to(actor)
    overdue = orders.filter(order_overdue_condition(today=today)).count()
    if overdue and (policy.has_duty(actor, "township.supervise") or policy.has_duty(actor, "rectification.order")):
        items.append(
            {
                "title": _("Rectification orders past their deadline"),
                "count": overdue,
                "urgent": True,
                "url": _url("order_list", "?overdue=1"),
            }
        )
    if policy.has_duty(actor, "rectification.order"):
        # Verified as not rectified: the health bureau closes them as 整改不合格.
        not_rectified = orders.filter(status=RectificationOrder.Status.FAILED).count()
        if not_rectified:
            items.append(
                {
                    "title": _("Orders verified as not rectified: close them as rectification failed"),
                    "count": not_rectified,
                    "urgent": True,
                    "url": _url("order_list", f"?status={RectificationOrder.Status.FAILED}"),
                }
            )
    if policy.has_duty(actor, "referral.decide"):
        pending = (
            RevocationReferral.objects.visible_to(actor)
            .filter(status=RevocationReferral.Status.PENDING)
            .filter(Q(authority__in=[org.pk for org in policy.organisations_of(actor)]))
            .count()
        )
        if pending:
            items.append(
                {
                    "title": _("Revocation referrals for you to decide"),
                    "count": pending,
                    "urgent": True,
                    "url": _url("referral_list"),
                }
            )
    if policy.has_duty(actor, "case.manage"):
        open_cases = Case.objects.visible_to(actor).exclude(status__in=Case.CLOSED_STATUSES).count()
        if open_cases:
            items.append(
                {
                    "title": _("Open cases against unregistered or unsafe providers"),
                    "count": open_cases,
                    "url": _url("case_list"),
                }
            )
    return items
