"""The supervision models, one module a subject; each is imported here so Django finds it."""

from supervision.models.complaints import Complaint, ComplaintHandler  # noqa: F401
from supervision.models.incidents import BanProposal, Incident  # noqa: F401
from supervision.models.objections import Objection  # noqa: F401
from supervision.models.risk import RiskBand, RiskScore  # noqa: F401
from supervision.models.spotchecks import SpotCheckPlan, SpotCheckTask  # noqa: F401
