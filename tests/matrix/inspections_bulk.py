"""Bulk actions on the annual-review queue in the permission matrix.

- Recording an area as passed for the chosen reviews: departments holding a ``check.<area>``
  duty (``fire``, ``amr``, ``health``, ``edu``); everyone else logged in gets 403. The chosen
  row does not exist, so the answer is the refusal naming it, a redirect
  (tests/inspections/test_review_bulk.py records real rows).
- Reminding the chosen institutions of their self-report: the health bureau (``review.lead``)
  and the townships (``township.supervise``, for their territory); everyone else 403.
"""

from tests.permission_matrix import Case

MISSING = ["999999999"]
# Departments with an area of their own; one posting an area not its own is refused by the
# form with a message (a redirect, like the refusal of the missing row).
CHECKERS = frozenset({"fire", "amr", "health", "edu"})

CASES = [
    Case(
        "review_bulk_pass",
        CHECKERS,
        method="post",
        ok=302,
        denied=403,
        data={"ids": MISSING, "area": "fire", "inspected_on": "2026-01-05"},
    ),
    Case(
        "review_bulk_remind",
        frozenset({"health", "simen", "lizhou"}),
        method="post",
        ok=302,
        denied=403,
        data={"ids": MISSING},
    ),
]
