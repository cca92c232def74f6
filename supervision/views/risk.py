"""The risk pages: the list of institutions by risk band (departments only, rule 35) and the
health bureau's override of a band, posted from the institution page's risk panel."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts import lists
from accounts.errors import ApplicationError
from registry import parameters
from supervision import rules, selectors, services
from supervision.forms.risk import BandOverrideForm
from supervision.models import RiskBand

PAGE_SIZE = 25


def _require_department(request) -> None:
    if not rules.is_department_member(request.user):
        raise PermissionDenied("risk.view")


@login_required
@require_GET
def risk_list(request):
    """The scores in sight (``supervision.lists``: the same filter set as the export and the
    API), with the count of each band above the table."""
    _require_department(request)
    context = lists.page_context(request, lists.spec_get("risk"), page_size=PAGE_SIZE)
    params = parameters.load()
    counts = selectors.risk.band_counts(actor=request.user)
    context["band_rows"] = [
        (value, label, counts[value], selectors.risk.inspections_per_year(value, params))
        for value, label in RiskBand.choices
    ]
    return render(request, "supervision/risk/list.html", context)


@login_required
@require_POST
def risk_band_override(request, pk: int):
    score = selectors.risk.risk_score_get(actor=request.user, pk=pk)
    if not rules.can_override_band(request.user):
        raise PermissionDenied(rules.LEAD_DUTY)
    form = BandOverrideForm(request.POST)
    target = reverse("institution_detail", kwargs={"pk": score.institution_id}) + "#risk"
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(target)
    try:
        services.risk.risk_band_override(
            actor=request.user, score=score, band=form.cleaned_data["band"], reason=form.cleaned_data["reason"]
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The risk band was set; the reason is recorded."))
    return redirect(target)


urlpatterns = [
    path("risk/", risk_list, name="risk_list"),
    path("risk/<int:pk>/band/", risk_band_override, name="risk_band_override"),
]
