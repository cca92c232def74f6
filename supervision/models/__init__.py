"""The supervision models, one module a subject; each is imported here so Django finds it."""

from supervision.models.risk import RiskBand, RiskScore
from supervision.models.spotchecks import SpotCheckPlan, SpotCheckTask

__all__ = ["RiskBand", "RiskScore", "SpotCheckPlan", "SpotCheckTask"]
