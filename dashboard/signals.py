"""Changes that move a dashboard figure ask for a snapshot refresh after they commit."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save

WATCHED = (
    "registry.Institution", "registry.ClassGroup", "registry.Filing", "registry.ResidentialArea",
    "registry.GuidanceSite", "inspections.AnnualReview", "inspections.RectificationOrder",
    "training.StaffMember", "training.Certificate", "training.Participant",
)  # fmt: skip


def _changed(sender, **kwargs) -> None:
    from dashboard.services.snapshots import schedule_refresh

    transaction.on_commit(schedule_refresh)


def connect() -> None:
    for label in WATCHED:
        for signal in (post_save, post_delete):
            signal.connect(_changed, sender=label, dispatch_uid=f"dashboard-refresh-{label}-{signal}")
