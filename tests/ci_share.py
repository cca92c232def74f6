"""What CI's two legs share (.ci/run): a test whose answers come from the portal's rules and
not from the database engine (the permission matrix, the crawls of the demo, the API's schema
walk) is parametrized over ``share(...)``, and the PostgreSQL leg runs its even cases
(``SHARED_CASES=even``) while the embedded SQLite leg runs the odd ones, so each case runs once
per CI run. Unset, as under ``make test``, every case runs."""

import os

_KEPT = {"odd": 1, "even": 0}.get(os.environ.get("SHARED_CASES", ""))


def share(items) -> list:
    """The items this run takes: all of them, or every other one on a CI leg."""
    return [item for index, item in enumerate(items) if _KEPT is None or index % 2 == _KEPT]
