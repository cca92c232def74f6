"""The supervision models, one module a subject; each is imported here so Django finds it."""

from supervision.models.complaints import Complaint, ComplaintHandler

__all__ = ["Complaint", "ComplaintHandler"]
