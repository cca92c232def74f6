"""Target pages: the targets every member reads (policy rule 26), and for the holders of
``targets.manage`` (the health bureau) a form to set a target per indicator, region (the city
or one township) and year, and a button to delete one.

Setting a target that exists replaces its value. Anyone else who posts gets 403 (the leading
group reads but changes nothing), asked before the input is judged; a target out of sight
(operators, the stranger) is 404. Bad input is shown on the form and nothing changes.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts import policy
from accounts.errors import ApplicationError
from dashboard import rules, selectors
from dashboard.forms.targets import TargetFilterForm, TargetForm
from dashboard.services import targets as services

PAGE_SIZE = 50


def _choices(actor):
    return list(selectors.indicator_list(actor=actor)), list(selectors.target_region_choices(actor=actor))


def _list_page(request, *, set_form: TargetForm | None = None, status: int = 200):
    actor = request.user
    indicators, regions = _choices(actor)
    form = TargetFilterForm(request.GET or None, indicators=indicators, regions=regions)
    valid = not form.is_bound or form.is_valid()
    filters = form.filters() if valid else {}
    targets = selectors.target_list(actor=actor, **filters)
    if not valid:
        targets = targets.none()  # an invalid filter lists nothing rather than everything
    page = Paginator(targets.order_by("indicator__order", "region__code", "year", "pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    can_manage = rules.may_manage_targets(actor)
    if can_manage and set_form is None:
        initial = {"indicator": filters.get("indicator", ""), "region": filters.get("region", "")}
        set_form = TargetForm(initial=initial, indicators=indicators, regions=regions)
    context = {"form": form, "page": page, "can_manage": can_manage, "set_form": set_form}
    return render(request, "dashboard/targets/list.html", context, status=status)


@login_required
@require_GET
def target_list(request):
    return _list_page(request)


@login_required
@require_POST
def target_set(request):
    actor = request.user
    policy.require_duty(actor, rules.TARGETS_DUTY)
    indicators, regions = _choices(actor)
    form = TargetForm(request.POST, indicators=indicators, regions=regions)
    if form.is_valid():
        try:
            target = services.target_set(actor=actor, **form.service_arguments())
        except ApplicationError as error:
            form.show_refusal(error)
        else:
            messages.success(
                request,
                _("Target set: %(indicator)s, %(region)s, %(year)s: %(value)s.")
                % {
                    "indicator": target.indicator.display_name,
                    "region": target.region.name,
                    "year": target.year,
                    "value": target.value,
                },
            )
            return redirect("target_list")
    return _list_page(request, set_form=form)


@login_required
@require_POST
def target_delete(request, pk: int):
    actor = request.user
    target = selectors.target_get(actor=actor, pk=pk)
    policy.require_duty(actor, rules.TARGETS_DUTY)
    label = f"{target.indicator.display_name}, {target.region.name}, {target.year}"
    services.target_delete(actor=actor, target=target)
    messages.success(request, _("Target deleted: %(target)s.") % {"target": label})
    return redirect("target_list")


urlpatterns = [
    path("targets/", target_list, name="target_list"),
    path("targets/set/", target_set, name="target_set"),
    path("targets/<int:pk>/delete/", target_delete, name="target_delete"),
]
