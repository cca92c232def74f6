"""Supervision's panels on other apps' pages: on the registry's institution page (the
``institution_panel`` hook) the risk score for departments (``risk_panel``) and the QR poster
for the door, for the institution itself and the health bureau; on the annual review's page
(the ``review_panel`` hook of inspections) the objections to the review's decision and
findings, and, for the institution, what it may still object to and until when; on a case's
page (the ``case_panel`` hook) the party's objections to the decision."""

import functools

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe

from inspections.services.checklists import area_labels
from registry.models import Institution
from supervision import risk_panel, rules
from supervision.models import Objection
from supervision.selectors import objections as selectors
from supervision.services import objections as services


def institution_panel(*, actor, institution, request=None) -> str:
    """Supervision's part of the institution page: the risk score (departments only), then the
    QR poster (the institution and the health bureau)."""
    # Both parts are rendered templates; joined as one safe string (a safe string joined to an
    # empty plain one is plain, and the page then showed the risk panel's HTML as text).
    risk = risk_panel.institution_panel(actor=actor, institution=institution, request=request)
    return mark_safe(risk + _poster_panel(actor=actor, institution=institution))  # noqa: S308


def _poster_panel(*, actor, institution) -> str:
    if institution.filing_status != Institution.FilingStatus.FILED or not rules.can_download_poster(actor, institution):
        return ""
    # Links only, no form: rendered without the request, so the page's context processors (the
    # inbox count) do not run again for the panel.
    return render_to_string("supervision/institution_panel.html", {"institution": institution})


def review_panel(*, actor, review, request=None) -> str:
    objections = list(selectors.objections_of_review(actor=actor, review=review))
    objectable = []
    if rules.can_object(actor, review.institution):
        pending = {(o.subject, o.finding_id or o.review_id) for o in objections if o.status == Objection.Status.PENDING}
        # The failed findings with their review (one query), and the window read once: the
        # panel costs the same whatever the number of areas.
        failed = review.findings.filter(passed=False).select_related("review")
        candidates = [(Objection.Subject.DECISION, review)] + [(Objection.Subject.FINDING, f) for f in failed]
        days = services.window_working_days()
        deadline_for = functools.cache(lambda day: services.objection_deadline(day, days))
        for subject, contested in candidates:
            error = services.objectable_error(subject=subject, contested=contested, deadline_for=deadline_for)
            if (subject, contested.pk) in pending or error:
                continue
            decided_on = services.decided_on_of(subject, contested)
            label = area_labels([contested.area]) if subject == Objection.Subject.FINDING else ""
            objectable.append({"subject": subject, "contested": contested, "area": label,
                               "deadline": deadline_for(decided_on)})  # fmt: skip
    if not objections and not objectable:
        return ""
    context = {"objections": objections, "objectable": objectable, "today": timezone.localdate()}
    return render_to_string("supervision/objections/review_panel.html", context, request=request)


def case_panel(*, actor, case, request=None) -> str:
    """On a case's page (case holders only, rule 21): the party's objections to the decision and
    the answers, with a link to answer one."""
    if case.institution_id is None or case.objection_deadline is None:
        return ""
    objections = list(selectors.objections_of_case(actor=actor, case=case))
    context = {"case": case, "objections": objections}
    return render_to_string("supervision/objections/case_panel.html", context, request=request)
