"""Printable documents and cycle statistics."""

from inspections import rules
from inspections.models import (
    AnnualReview,
    ReviewCycle,
)
from inspections.selectors.reviews import review_get


def document_review_get(*, actor, pk: int) -> AnnualReview:
    """A decided annual review, for its result notice: 404 outside the actor's sight (rule 17)
    and, for everyone, while it is undecided (there is no notice to print yet)."""
    from django.http import Http404

    review = review_get(actor=actor, pk=pk)
    if review.result == AnnualReview.Result.NONE:
        raise Http404
    return review


def cycle_statistics_get(*, actor, cycle: ReviewCycle) -> dict:
    """The cycle's figures as last computed (by the schedule or the health bureau's recompute),
    see ``inspections.statistics``. Only holders of ``review.lead`` or ``dashboard.view`` read
    them: other members get 403. Figures never computed are computed and cached now."""
    from django.core.exceptions import PermissionDenied

    from inspections import statistics

    if not rules.can_read_cycle_statistics(actor):
        raise PermissionDenied("dashboard.view")
    figures = statistics.cycle_statistics_cached(cycle=cycle)
    if figures is None:
        figures = statistics.cycle_statistics_store(cycle=cycle)
    return figures
