"""What the supervision pages, the API, the panels and the public page read, one module a
subject (``supervision.selectors.risk``, ``supervision.selectors.spotchecks``)."""

from supervision.selectors import risk, spotchecks

__all__ = ["risk", "spotchecks"]
