"""The risk panel on the registry's institution page (the ``institution_panel`` hook): the
score, its band and the reasons that make it up, for departments only (policy rule 35); the
institution itself, townships and the public never see it."""

from django.middleware.csrf import get_token
from django.template.loader import render_to_string

from supervision import rules, selectors
from supervision.forms.risk import BandOverrideForm


def institution_panel(*, actor, institution, request=None) -> str:
    score = selectors.risk.risk_score_for(actor=actor, institution=institution)
    if score is None:
        return ""
    context = {
        "score": score,
        "reasons": selectors.risk.reasons_of(score),
        "per_year": selectors.risk.inspections_per_year(score.band),
        "override_form": BandOverrideForm(initial={"band": score.override_band})
        if rules.can_override_band(actor)
        else None,
    }
    # Rendered without the request: the context processors (the menu, the inbox count) are the
    # page's, not the panel's; the override form needs only the page's CSRF token.
    context["csrf_token"] = get_token(request) if request is not None else ""
    return render_to_string("supervision/risk/institution_panel.html", context)
