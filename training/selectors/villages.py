"""Village coverage: the villages whose people training has reached."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q

from accounts import policy
from accounts.models import Region, User
from training.models import TrainingProgramme
from training.selectors.programmes import trained


@dataclass
class VillageCoverage:
    township: Region
    villages: int
    covered: int
    uncovered: list[Region]
    instructors: int

    @property
    def percent(self) -> Decimal | None:
        return (Decimal(100) * self.covered / self.villages).quantize(Decimal("0.1")) if self.villages else None


def village_coverage(*, township_codes: list[str] | None = None) -> list[VillageCoverage]:
    """Which villages and communities have at least one trained (completed) village health
    instructor, by township. Three queries whatever the number of villages."""
    townships = Region.objects.filter(level=Region.Level.TOWNSHIP).order_by("code")
    villages = Region.objects.filter(level=Region.Level.VILLAGE).order_by("code")
    if township_codes is not None:
        townships = townships.filter(code__in=township_codes)
        condition = Q(pk__in=[])
        for code in township_codes:
            condition |= Q(code__startswith=code)
        villages = villages.filter(condition)
    counts = dict(
        trained([TrainingProgramme.Kind.VILLAGE_INSTRUCTOR])
        .filter(village__isnull=False)
        .values("village_id")
        .annotate(n=Count("pk"))
        .values_list("village_id", "n")
    )
    by_township: dict[str, list[Region]] = {}
    for village in villages:
        by_township.setdefault(village.code[:9], []).append(village)
    result = []
    for township in townships:
        members = by_township.get(township.code, [])
        covered = [v for v in members if counts.get(v.pk)]
        result.append(
            VillageCoverage(
                township=township,
                villages=len(members),
                covered=len(covered),
                uncovered=[v for v in members if not counts.get(v.pk)],
                instructors=sum(counts.get(v.pk, 0) for v in members),
            )
        )
    return result


def village_coverage_for(*, actor: User) -> list[VillageCoverage]:
    """The coverage the actor may see: a township its own; any other member the city."""
    if not policy.organisations_of(actor):
        return []
    codes = policy.township_codes(actor)
    own_kinds = {org.kind for org in policy.organisations_of(actor)}
    if codes and own_kinds == {"township"}:
        return village_coverage(township_codes=codes)
    if "institution" in own_kinds and len(own_kinds) == 1:
        return []
    return village_coverage()


def village_coverage_total(rows: list[VillageCoverage]) -> VillageCoverage:
    """The sum of townships' rows (the city's, or one township's own): ``township`` is None."""
    return VillageCoverage(
        township=None,
        villages=sum(row.villages for row in rows),
        covered=sum(row.covered for row in rows),
        uncovered=[village for row in rows for village in row.uncovered],
        instructors=sum(row.instructors for row in rows),
    )
