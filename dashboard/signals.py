"""Changes that move a dashboard figure ask for a snapshot refresh after they commit.

Saves and deletes of the watched models are seen by Django's signals; the services' conditional
updates (a filing decided with ``.filter(status=...).update(...)``) are not, but each is recorded
as a business event on the watched table, which is seen here too."""

from functools import cache

from django.apps import apps
from django.db.models.signals import post_delete, post_save

WATCHED = (
    "registry.Institution", "registry.ClassGroup", "registry.Filing", "registry.ResidentialArea",
    "registry.GuidanceSite", "inspections.AnnualReview", "inspections.RectificationOrder",
    "training.StaffMember", "training.Certificate", "training.Participant",
)  # fmt: skip


def _changed(sender, **kwargs) -> None:
    from dashboard.services.snapshots import schedule_refresh

    schedule_refresh()


@cache
def _watched_tables() -> frozenset[str]:
    return frozenset(apps.get_model(label)._meta.db_table for label in WATCHED)


def _business_event(sender, instance, created=False, **kwargs) -> None:
    if created and instance.kind == instance.Kind.ACTION and instance.table_name in _watched_tables():
        from dashboard.services.snapshots import schedule_refresh

        schedule_refresh()


def connect() -> None:
    post_save.connect(_business_event, sender="accounts.AuditEvent", dispatch_uid="dashboard-refresh-events")
    for label in WATCHED:
        for signal in (post_save, post_delete):
            signal.connect(_changed, sender=label, dispatch_uid=f"dashboard-refresh-{label}-{signal}")
