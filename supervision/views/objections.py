"""Objection pages (陈述申辩): the institution objects to a failed finding or decision from the
review's page; the deciding department answers on the objection's page; the review's page
shows them all (``supervision.panels``).

Sight comes from the policy through the selectors (out of sight: 404); who may act is asked
before the input is judged (in sight but not allowed: 403, logged). A refusal by a service
is shown as its message and changes nothing."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import audit, lists, policy
from accounts.errors import ApplicationError
from inspections.models import Case
from paperwork import files
from supervision import rules
from supervision.forms.objections import ObjectionAnswerForm, ObjectionForm
from supervision.models import Objection
from supervision.selectors import objections as selectors
from supervision.services import objections as services

PAGE_SIZE = 25


@login_required
@require_GET
def objection_list(request):
    """The objections in sight (``supervision.lists``: the same filter set as the export);
    departments open it too: each answers the objections to its own decisions."""
    context = lists.page_context(request, lists.spec_get("objections"), page_size=PAGE_SIZE)
    return render(request, "supervision/objections/list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def objection_create(request, subject: str, pk: int):
    if subject not in Objection.Subject.values:
        raise Http404
    contested = selectors.contested_subject_get(actor=request.user, subject=subject, pk=pk)
    if not rules.can_object(request.user, contested.institution):
        raise PermissionDenied
    form = ObjectionForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            objection = services.objection_submit(
                actor=request.user,
                subject=subject,
                contested=contested,
                reasons=form.cleaned_data["reasons"],
                evidence=form.cleaned_data["evidence"],
            )
        except (ApplicationError, ValidationError) as error:
            form.add_error(None, getattr(error, "message", None) or " ".join(error.messages))
        else:
            messages.success(request, _("The objection is lodged; what the decision does waits for the answer."))
            return redirect("objection_detail", pk=objection.pk)
    context = {
        "form": form,
        "subject": subject,
        "contested": contested,
        "error": services.objectable_error(subject=subject, contested=contested),
        "subject_label": Objection.Subject(subject).label,
    }
    return render(request, "supervision/objections/form.html", context)


@login_required
@require_GET
def objection_detail(request, pk: int):
    objection = selectors.objection_get(actor=request.user, pk=pk)
    context = {
        "objection": objection,
        "can_answer": rules.can_answer_objection(request.user, objection),
        "answer_form": ObjectionAnswerForm(),
    }
    if objection.case_id:
        # The institution reads the decision's notice; the case's holders its page.
        own = {org.pk for org in policy.organisations_of(request.user)}
        party = objection.institution.organisation_id in own
        context["case_link"] = reverse("case_decision_detail" if party else "case_detail", args=[objection.case_id])
        severity = Case.SEVERITY.get(objection.case.status, 0)
        context["lighter_outcomes"] = [
            (value, label) for value, label in Case.Status.choices if Case.SEVERITY.get(value, 99) <= severity
        ]
    return render(request, "supervision/objections/detail.html", context)


@login_required
@require_POST
def objection_answer(request, pk: int):
    objection = selectors.objection_get(actor=request.user, pk=pk)
    if not rules.can_answer_objection(request.user, objection) and objection.status == Objection.Status.PENDING:
        raise PermissionDenied
    form = ObjectionAnswerForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("objection_detail", pk=objection.pk)
    try:
        services.objection_answer(
            actor=request.user,
            objection=objection,
            changed=form.cleaned_data["outcome"] == "changed",
            answer=form.cleaned_data["answer"],
            changed_outcome=form.cleaned_data["changed_outcome"],
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The objection is answered; the institution is told."))
    return redirect("objection_detail", pk=objection.pk)


@login_required
@require_GET
def objection_evidence(request, pk: int):
    objection = selectors.objection_get(actor=request.user, pk=pk)
    if objection.evidence is None:
        raise Http404
    response = files.response(objection.evidence)
    audit.file_opened(request, model="supervision.objection", pk=objection.pk, field="evidence")
    return response


urlpatterns = [
    path("objections/", objection_list, name="objection_list"),
    path("objections/new/<str:subject>/<int:pk>/", objection_create, name="objection_create"),
    path("objections/<int:pk>/", objection_detail, name="objection_detail"),
    path("objections/<int:pk>/answer/", objection_answer, name="objection_answer"),
    path("objections/<int:pk>/evidence/", objection_evidence, name="objection_evidence"),
]
