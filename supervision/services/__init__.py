"""Every write of daily supervision, one module a subject."""

from supervision.services import risk, spotchecks

__all__ = ["risk", "spotchecks"]
