"""The certification rate page: by township with the total, the target and the bureau's
definition; a township's institutions one by one.

What it shows follows the sight of staff (policy rule 23): the health and HR bureaus the city
(any township opened with ``?township=``), a township official its own township and each of
its institutions, an institution its own rate only — the same figure as on its record, without
the other institutions' (an institution does not see other rosters, so it is not shown their
rates either; a 403 would hide a figure it already reads on its own page). Anyone else sees
that no staff are in their sight.
"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_GET

from accounts import policy
from registry import selectors as registry_selectors
from training import selectors


@login_required
@require_GET
def certification_rates(request):
    user = request.user
    definition = selectors.rate_definition()
    institution = registry_selectors.institution_for_member(actor=user)
    if institution is not None:
        context = {
            "institution": institution,
            "rate": selectors.institution_rate(institution=institution),
            "definition": definition,
        }
        return render(request, "training/rates/rates.html", context)
    # The townships' figures are the snapshots' (see when they were computed); a chosen
    # township's institutions, a few hundred rosters at most, are counted live.
    rows, total, computed_at = selectors.township_rates_stored(actor=user)
    own = policy.township_codes(user)
    township = request.GET.get("township", "") or (own[0] if len(own) == 1 else "")
    chosen = next((row["township"] for row in rows if row["township"].code == township), None)
    context = {
        "rows": rows,
        "total": total,
        "computed_at": computed_at,
        "definition": definition,
        "township": chosen,
        "institutions": selectors.institution_rates(actor=user, township_code=chosen.code) if chosen else [],
    }
    return render(request, "training/rates/rates.html", context)


urlpatterns = [
    path("rates/", certification_rates, name="certification_rates"),
]
