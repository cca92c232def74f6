"""The health bureau's page of standards (parameters) and the working-day calendar."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import policy
from accounts.errors import ApplicationError
from registry import selectors
from registry.forms.parameters import ParameterForm
from registry.services import reference


@login_required
def parameter_list(request):
    year = timezone.localdate().year
    try:
        year = min(max(int(request.GET.get("year", year)), 2000), 2100)  # a calendar, not a date calculator
    except ValueError:
        pass
    parameters = selectors.parameter_list(actor=request.user)
    days = selectors.calendar_day_list(actor=request.user, year=year)
    context = {
        "parameters": parameters,
        "days": days,
        "year": year,
        "published": selectors.calendar_year_published(year),
        "bureau_entered": any(day.by_bureau for day in days),
    }
    return render(request, "registry/parameters/list.html", context)


@login_required
@require_POST
def parameter_update(request):
    policy.require_duty(request.user, "targets.manage")  # before saying anything about the input
    form = ParameterForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.first_error())
        return redirect("parameter_list")
    try:
        reference.parameter_set(actor=request.user, key=form.cleaned_data["key"], value=form.cleaned_data["value"])
        messages.success(request, _("Standard saved."))
    except ApplicationError as error:
        messages.error(request, error.message)
    return redirect("parameter_list")


@login_required
@require_POST
def calendar_day_update(request):
    try:
        day = date.fromisoformat(request.POST.get("date", ""))
    except ValueError:
        messages.error(request, _("Enter a date as YYYY-MM-DD."))
        return redirect("parameter_list")
    working = request.POST.get("is_working_day") == "1"
    reference.calendar_day_set(actor=request.user, day=day, is_working_day=working, note=request.POST.get("note", ""))
    messages.success(request, _("Calendar saved."))
    return redirect(f"{request.path.rsplit('/calendar/', 1)[0]}/?year={day.year}")


urlpatterns = [
    path("parameters/", parameter_list, name="parameter_list"),
    path("parameters/update/", parameter_update, name="parameter_update"),
    path("parameters/calendar/", calendar_day_update, name="calendar_day_update"),
]
