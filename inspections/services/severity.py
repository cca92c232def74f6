"""How the severity of the failed checks weighs on a review's decision (issue 13, point 8).

Each checklist item carries its severity in ``ChecklistItem.severity`` (the department sets it
with the item): ``veto`` 否决项, ``major`` 重点项, ``minor`` 一般项. A finding records a result per
item (``FindingItem.result``), so the failed items of a review, by severity, are
``FindingItem.objects.filter(finding__review=review, result="fail")`` with ``item__severity``.

The rule (``review_verdict``):

- a failed 否决项 fails the review: the year counts as failed at once (``final_result``), and the
  institution still rectifies under an order;
- failed 一般项 alone lead to a rectification order, and the review passes once it is verified;
- failed 重点项 weigh as the bureau sets in the parameter ``review.major_failures_fail``: from that
  many, the review fails as for a 否决项; fewer weigh as 一般项. Left empty, they always weigh as
  一般项;
- nothing failed: the review passes, unless the health bureau orders rectification of what it
  found elsewhere (the self-report), which then passes once verified.

The decision service refuses an outcome the rule does not allow; the decision form offers only
the allowed ones and says why; the checklist page states the rule with the parameter's value.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from inspections.models import AnnualReview, ChecklistItem, FindingItem
from registry import parameters

MAJOR_FAILURES_PARAMETER = "review.major_failures_fail"

Severity = ChecklistItem.Severity
Result = AnnualReview.Result

# What the rule makes of the failed checks.
PASSES = "pass"  # nothing failed
RECTIFY = "rectify"  # an order; the review passes once it is verified
FAILS = "fail"  # the year fails; the institution still rectifies under an order


@dataclass(frozen=True)
class Verdict:
    outcome: str
    # Failed item codes by severity, each as "<code>" in the order of the checklists.
    failed: dict[str, list[str]] = field(default_factory=dict)
    major_limit: int | None = None

    @property
    def allowed(self) -> tuple[str, ...]:
        """The decisions (``AnnualReview.Result``) the rule allows."""
        return (Result.PASS, Result.FAIL) if self.outcome == PASSES else (Result.FAIL,)

    @property
    def fails_the_year(self) -> bool:
        return self.outcome == FAILS

    def codes(self, severity: str) -> list[str]:
        return self.failed.get(severity, [])

    def explanation(self) -> str:
        """Why the rule decides so, in one sentence for the decision form and its refusals."""
        veto, major, minor = (self.codes(severity) for severity in (Severity.VETO, Severity.MAJOR, Severity.MINOR))
        separator = pgettext("list separator", ", ")
        if veto:
            return _("Veto item %(codes)s failed: the review fails, and the year counts as failed.") % {
                "codes": separator.join(veto)
            }
        if self.outcome == FAILS:
            return _(
                "%(n)d major items failed (%(codes)s), at least the %(limit)d the bureau set: the review fails, "
                "and the year counts as failed."
            ) % {"n": len(major), "codes": separator.join(major), "limit": self.major_limit}
        if major or minor:
            return _(
                "Failed items (%(codes)s) lead to a rectification order: the review passes once the rectification "
                "is verified."
            ) % {"codes": separator.join(major + minor)}
        return _(
            "No checklist item failed: the review passes (or, for what was found elsewhere, a rectification order)."
        )


def major_failures_limit() -> int | None:
    """How many failed 重点项 fail the review; None: they weigh as 一般项."""
    value = parameters.get(MAJOR_FAILURES_PARAMETER)
    return None if value is None else int(value)


def verdict_of(failed: dict[str, list[str]], major_limit: int | None) -> Verdict:
    """The rule itself, on the failed item codes by severity."""
    too_many_majors = major_limit is not None and len(failed.get(Severity.MAJOR, [])) >= major_limit
    if failed.get(Severity.VETO) or too_many_majors:
        outcome = FAILS
    elif any(failed.values()):
        outcome = RECTIFY
    else:
        outcome = PASSES
    return Verdict(outcome=outcome, failed=failed, major_limit=major_limit)


def review_verdict(review: AnnualReview) -> Verdict:
    """The rule on the review's recorded findings (two queries: the failed items, the parameter)."""
    failed: dict[str, list[str]] = {}
    rows = (
        FindingItem.objects.filter(finding__review=review, result=FindingItem.Result.FAIL)
        .order_by("finding__area", "item__order", "item__code")
        .values_list("item__code", "item__severity")
    )
    for code, severity in rows:
        failed.setdefault(severity, []).append(code)
    return verdict_of(failed, major_failures_limit())


def rule_lines(major_limit: int | None) -> list[tuple[str, str]]:
    """The rule as the checklist page states it: (severity label, what a failure leads to)."""
    if major_limit is None:
        major = _("Weighs as a minor item (the bureau has set no number).")
    else:
        major = _(
            "From %(limit)d failed major items, the review fails as for a veto item; fewer weigh as minor items."
        ) % {"limit": major_limit}
    return [
        (Severity.VETO.label, _("One failure fails the review: the year counts as failed; rectification is ordered.")),
        (Severity.MAJOR.label, major),
        (Severity.MINOR.label, _("A rectification order; the review passes once the rectification is verified.")),
    ]
