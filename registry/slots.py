"""The slots standard: a residential area needs ceil(population / 1000 × rate) care slots, the
rate being ``slots_per_1000.new`` (9) or ``slots_per_1000.old`` (6) from the parameters the
health bureau keeps. The gap is required − planned: positive is a shortfall.

Pure figures: the planning services, the selectors and the dashboard indicators read them."""

import math
from decimal import Decimal

from registry import parameters
from registry.models import ResidentialArea

RATE_KEYS = {ResidentialArea.Kind.NEW: "slots_per_1000.new", ResidentialArea.Kind.OLD: "slots_per_1000.old"}


def slot_parameters() -> dict:
    """The parameters the slot figures need (all of them: one query)."""
    return parameters.load()


def slots_required(*, population: int, kind: str, params: dict) -> int | None:
    """ceil(population / 1000 × rate); None while the bureau has set no rate for the kind."""
    rate = params.get(RATE_KEYS[kind])
    if rate is None:
        return None
    return math.ceil(Decimal(population) * Decimal(rate) / Decimal(1000))


def required_slots(area: ResidentialArea, params: dict) -> int | None:
    return slots_required(population=area.population, kind=area.kind, params=params)


def slot_gap(area: ResidentialArea, params: dict) -> int | None:
    """Required − planned: positive means the area is short of slots."""
    required = required_slots(area, params)
    return None if required is None else required - area.planned_slots
