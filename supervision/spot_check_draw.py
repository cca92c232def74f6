"""The random draw of a spot-check plan, as a pure function of its recorded inputs and seed."""

import math
import random

from inspections.models import Area


def draw(inputs: dict, seed: str) -> list[dict]:
    """The tasks a draw gives: for each stratum in order, ⌈n × percent / 100⌉ institutions at
    random; for each drawn institution and each department, inspectors at random from its pool,
    and one task per area of the department that applies to the institution. Pure: the same
    inputs and seed give the same tasks."""
    # A seeded generator on purpose: the draw must be replayable from its record. The seed
    # itself comes from ``secrets``, so nobody can choose or predict it.
    rng = random.Random(seed)  # noqa: S311
    kindergartens = set(inputs["kindergarten_classes"])
    tasks = []
    for stratum in inputs["strata"]:
        members = stratum["institutions"]
        size = min(len(members), math.ceil(len(members) * stratum["percent"] / 100))
        for institution in sorted(rng.sample(members, size)):
            for pool in inputs["pools"]:
                count = min(inputs["inspectors_per_department"], len(pool["users"]))
                inspectors = sorted(rng.sample(pool["users"], count))
                for area in pool["areas"]:
                    if area == Area.EDUCATION and institution not in kindergartens:
                        continue
                    tasks.append({"institution": institution, "band": stratum["band"], "department": pool["department"],
                                  "area": area, "inspectors": inspectors})  # fmt: skip
    return tasks
