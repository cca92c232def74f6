"""The education bureau's approval of kindergarten nursery classes (托幼一体化审批): its queue
and the decision on one class. Who may act is asked before the input is judged."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts import lists
from accounts.errors import ApplicationError
from registry import rules, selectors
from registry.forms.approvals import NurseryClassDecisionForm
from registry.models import Institution
from registry.services import approvals as services

PAGE_SIZE = 25


@login_required
@require_GET
def nursery_class_queue(request):
    if not rules.can_approve_nursery_classes(actor=request.user):
        raise PermissionDenied(rules.NURSERY_CLASS_DUTY)
    # The queue opens on the classes waiting (kept in the URL, so the export and the sort keep it).
    defaults = {"status": Institution.EducationApproval.PENDING}
    context = lists.page_context(request, lists.spec_get("nursery_classes"), page_size=PAGE_SIZE, defaults=defaults)
    return render(request, "registry/approvals/queue.html", context)


@login_required
@require_POST
def nursery_class_decide(request, pk: int):
    institution = selectors.nursery_class_get(actor=request.user, pk=pk)
    if not rules.can_approve_nursery_classes(actor=request.user):
        raise PermissionDenied(rules.NURSERY_CLASS_DUTY)
    form = NurseryClassDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose to approve or to refuse."))
        return redirect("nursery_class_queue")
    try:
        if form.cleaned_data["decision"] == "approve":
            services.nursery_class_approve(actor=request.user, institution=institution)
            messages.success(request, _("%(name)s is approved; it may now file.") % {"name": institution.name})
        else:
            reason = form.cleaned_data["reason"]
            services.nursery_class_refuse(actor=request.user, institution=institution, reason=reason)
            messages.success(request, _("%(name)s is refused; it has been told why.") % {"name": institution.name})
    except ApplicationError as error:
        messages.error(request, error.message)
    return redirect("nursery_class_queue")


urlpatterns = [
    path("nursery-classes/", nursery_class_queue, name="nursery_class_queue"),
    path("nursery-classes/<int:pk>/decide/", nursery_class_decide, name="nursery_class_decide"),
]
