"""The workforce panel on the registry's institution page (the ``institution_panel`` hook):
the certification rate and what the roster lacks, for those who see the institution's staff."""

from django.template.loader import render_to_string

from training import rules, selectors


def institution_panel(*, actor, institution, request=None) -> str:
    if not rules.may_see_roster(actor, institution):
        return ""
    context = {
        "institution": institution,
        "rate": selectors.institution_rate(institution=institution),
        "definition": selectors.rate_definition(),
        "report": selectors.roster_checks(institution=institution),
        "may_keep_roster": rules.may_keep_roster(actor, institution),
    }
    return render_to_string("training/institution_panel.html", context, request=request)


def self_report_staff(*, institution) -> dict:
    """The self-report's staff section as the roster has it today (the institution corrects
    it before submitting). Two queries."""
    return {"staff": selectors.staff_summary(institution=institution)}
