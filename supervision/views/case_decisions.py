"""Case decision notices (行政处罚法 art. 44) for the institution they are about: the list of
penalty and ban decisions about its own institution, and each notice — the facts, the reasons,
the legal basis, the decision, its date and the last day to object — with the form to object
(lodged at ``objection_create``) and the answer. Never the case itself (policy rules 21, 37):
another institution's notice, or a case that is no notice, answers 404."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_GET

from accounts import lists
from supervision import rules
from supervision.forms.objections import ObjectionForm
from supervision.models import Objection
from supervision.selectors import objections as selectors
from supervision.services import objections as services

PAGE_SIZE = 25


@login_required
@require_GET
def case_decision_list(request):
    """The decisions about the user's own institutions (``supervision.lists``: the same filter
    set as the export); for institutions' members only."""
    context = lists.page_context(request, lists.spec_get("case_decisions"), page_size=PAGE_SIZE)
    return render(request, "supervision/objections/case_decision_list.html", context)


@login_required
@require_GET
def case_decision_detail(request, pk: int):
    case = selectors.case_notice_get(actor=request.user, pk=pk)
    objections = list(selectors.objections_of_case(actor=request.user, case=case))
    error = services.objectable_error(subject=Objection.Subject.CASE, contested=case)
    may_object = (
        rules.can_object(request.user, case.institution)
        and error is None
        and not any(o.status == Objection.Status.PENDING for o in objections)
    )
    context = {
        "case": case,
        "objections": objections,
        "error": error if not objections else None,
        "may_object": may_object,
        "form": ObjectionForm(),
    }
    return render(request, "supervision/objections/case_decision_detail.html", context)


urlpatterns = [
    path("case-decisions/", case_decision_list, name="case_decision_list"),
    path("case-decisions/<int:pk>/", case_decision_detail, name="case_decision_detail"),
]
