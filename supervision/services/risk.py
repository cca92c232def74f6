"""The risk score: recomputed for every institution in service by the scheduled task (and by
the demo loader), and the health bureau's override of the band.

The recomputation is idempotent: it writes each institution's score, band and reasons from the
data of the day, and changes nothing when nothing changed. An override stands across
recomputations (the computed band keeps moving beside it) until the bureau lifts it."""

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import audit
from accounts.errors import ApplicationError
from registry import parameters
from registry.models import Institution
from supervision import rules
from supervision.models import RiskBand, RiskScore
from supervision.risk_factors import FACTORS

CENT = Decimal("0.01")
OVERRIDE_REASON_MAX = 2000


def band_for(score: Decimal, params: dict) -> str:
    """The band of a score under the bureau's thresholds (a high threshold set below the
    medium one counts from the medium one)."""
    medium_from = params.get("risk.band.medium_from") or Decimal(4)
    high_from = max(params.get("risk.band.high_from") or Decimal(10), medium_from)
    if score >= high_from:
        return RiskBand.HIGH
    if score >= medium_from:
        return RiskBand.MEDIUM
    return RiskBand.LOW


def risk_compute(*, institution_ids: list[int], today: date, params: dict) -> dict[int, tuple[Decimal, list]]:
    """Score and reasons for each institution: a fixed number of queries (the factors')."""
    totals = {pk: (Decimal(0), []) for pk in institution_ids}
    for factor in FACTORS:
        for institution_id, counted in factor.counts(institution_ids, today, params).items():
            score, reasons = totals[institution_id]
            for key in factor.lines:
                count = counted.get(key, 0)
                if not count:
                    continue
                weight = params.get(key) or Decimal(0)
                points = (weight * count).quantize(CENT)
                reasons.append({"factor": key, "count": count, "weight": str(weight), "points": str(points)})
                score += points
            totals[institution_id] = (score, reasons)
    return totals


def scored_institutions():
    """Institutions in service (preparing or operating): a closed or revoked one has no risk."""
    return Institution.objects.exclude(status__in=[Institution.Status.CLOSED, Institution.Status.REVOKED])


@transaction.atomic
def risk_scores_recompute(*, today: date | None = None) -> dict[str, int]:
    """Recompute every score; rows of institutions no longer in service are removed."""
    today = today or timezone.localdate()
    params = parameters.load()
    ids = list(scored_institutions().values_list("pk", flat=True))
    computed = risk_compute(institution_ids=ids, today=today, params=params)
    existing = {row.institution_id: row for row in RiskScore.objects.select_for_update().filter(institution__in=ids)}
    now, created, changed = timezone.now(), [], []
    for pk, (score, reasons) in computed.items():
        band = band_for(score, params)
        row = existing.get(pk)
        if row is None:
            created.append(
                RiskScore(institution_id=pk, score=score, computed_band=band, reasons=reasons, computed_at=now)
            )
        elif (row.score, row.computed_band, row.reasons) != (score, band, reasons):
            row.score, row.computed_band, row.reasons, row.computed_at = score, band, reasons, now
            changed.append(row)
    RiskScore.objects.bulk_create(created)
    RiskScore.objects.bulk_update(changed, ["score", "computed_band", "reasons", "computed_at"])
    removed, _detail = RiskScore.objects.exclude(institution__in=ids).delete()
    return {"created": len(created), "changed": len(changed), "removed": removed}


@transaction.atomic
def risk_band_override(*, actor, score: RiskScore, band: str, reason: str) -> RiskScore:
    """The health bureau sets the band by hand, with its reason (empty ``band``: lift the
    override and let the computed band count again; a reason is still needed)."""
    rules.require_override_band(actor)
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(
            _("Give the reason for setting the band."), fields={"reason": [_("A reason is required.")]}
        )
    if len(reason) > OVERRIDE_REASON_MAX:
        raise ApplicationError(
            _("The reason may be at most %(max)d characters.") % {"max": OVERRIDE_REASON_MAX},
            fields={"reason": [_("Too long.")]},
        )
    if band and band not in RiskBand.values:
        raise ApplicationError(_("Unknown risk band."), fields={"band": [_("Unknown risk band.")]})
    score = RiskScore.objects.select_for_update().get(pk=score.pk)
    before = score.override_band
    score.override_band = band
    score.override_reason = reason
    score.overridden_by, score.overridden_at = actor, timezone.now()
    score.save(update_fields=["override_band", "override_reason", "overridden_by", "overridden_at"])
    audit.record(
        actor=actor,
        event="risk.band_overridden" if band else "risk.override_lifted",
        obj=score,
        details={"before": before, "band": band, "computed_band": score.computed_band, "reason": reason},
    )
    return score
