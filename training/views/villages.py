"""Village coverage: which villages and communities have a trained village health instructor,
by township (the policy's "300 village health instructors", one or more per village).

The figures come from ``selectors.village_coverage_for`` (a township sees its own township, any
other government member the city) in a fixed number of queries, and the total from
``selectors.village_coverage_total``: the dashboard reads the same two. Members of an
institution only get 403: the page steers the guidance network, and an empty page would read
as "no village covered".
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_GET

from training import rules, selectors
from training.forms.programmes import CoverageFilterForm


@login_required
@require_GET
def village_coverage(request):
    actor = request.user
    if not rules.may_see_village_coverage(actor):
        raise PermissionDenied("village.coverage")
    rows = selectors.village_coverage_for(actor=actor)
    form = CoverageFilterForm(request.GET or None, townships=[row.township for row in rows])
    if form.is_bound and not form.is_valid():
        rows = []
    elif form.is_bound and form.cleaned_data["township"]:
        rows = [row for row in rows if row.township.code == form.cleaned_data["township"]]
    context = {
        "form": form,
        "rows": rows,
        "total": selectors.village_coverage_total(rows),
        "several": len(form.fields["township"].choices) > 2,
    }
    return render(request, "training/villages/coverage.html", context)


urlpatterns = [
    path("villages/", village_coverage, name="village_coverage"),
]
