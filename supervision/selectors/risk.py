"""What the risk pages, the institution panel and the API read of the risk scores. Every read
goes through the access policy (rule 35: departments only)."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, QuerySet

from accounts.models import Region
from registry import parameters
from registry.models import Institution
from supervision.models import RiskBand, RiskScore
from supervision.risk_factors import factor_labels


@dataclass(frozen=True)
class Reason:
    label: str
    count: int
    weight: Decimal
    points: Decimal


def band_condition(band: str) -> Q:
    """Rows whose band (the bureau's override, else the computed one) is ``band``."""
    return Q(override_band=band) | Q(override_band="", computed_band=band)


def risk_list(*, actor) -> QuerySet:
    """The scores in the actor's sight, highest first (the list's filters are
    ``supervision.lists.RiskFilterSet``)."""
    queryset = RiskScore.objects.visible_to(actor).select_related("institution__township")
    return queryset.order_by("-score", "institution__name", "pk")


def risk_townships(*, actor) -> QuerySet:
    """The townships of the scores in sight, for the filter."""
    seen = RiskScore.objects.visible_to(actor).values("institution__township")
    return Region.objects.filter(pk__in=seen).order_by("code")


def risk_score_for(*, actor, institution: Institution) -> RiskScore | None:
    """The institution's score if the actor may see it (a department), else None."""
    return RiskScore.objects.visible_to(actor).filter(institution=institution).select_related("overridden_by").first()


def risk_score_get(*, actor, pk: int) -> RiskScore:
    from accounts import policy

    return policy.get_visible_or_404(actor, RiskScore.objects.select_related("institution"), pk=pk)


def reasons_of(score: RiskScore) -> list[Reason]:
    """The reasons that make up the score, in words, in the order of the factors."""
    labels = factor_labels()
    order = list(labels)
    rows = sorted(score.reasons, key=lambda row: order.index(row["factor"]) if row["factor"] in order else len(order))
    return [
        Reason(str(labels.get(row["factor"], row["factor"])), row["count"], Decimal(row["weight"]),
               Decimal(row["points"]))
        for row in rows
    ]  # fmt: skip


def inspections_per_year(band: str, params: dict | None = None) -> int:
    """How many inspections a year the band asks for (a parameter for each band)."""
    defaults = {RiskBand.LOW: 1, RiskBand.MEDIUM: 2, RiskBand.HIGH: 4}
    key = f"risk.inspections.{band}"
    value = parameters.get(key) if params is None else params.get(key)  # one query, or none
    return int(value or defaults[band])


def band_counts(*, actor) -> dict[str, int]:
    """How many institutions in sight fall in each band. One query."""
    rows = RiskScore.objects.visible_to(actor).values_list("override_band", "computed_band")
    counts = dict.fromkeys(RiskBand.values, 0)
    for override_band, computed_band in rows:
        counts[override_band or computed_band] += 1
    return counts
