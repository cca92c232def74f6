"""Incidents the institutions report (safety accidents, infectious clusters, suspected abuse),
and the proposals that put a person on the lifetime ban list after one."""

from django.core.validators import MaxValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.crypto import EncryptedTextField, mask
from accounts.models import ScopedQuerySet
from inspections.models import BanEntry, Case
from registry.models import Institution


class Incident(models.Model):
    """An incident reported by the institution where it happened, within a deadline in hours
    (``incident.report_hours``). A late report is kept with ``late`` set: it still counts, and
    the lateness is a fact the health bureau and the risk score read."""

    class Kind(models.TextChoices):
        INJURY = "injury", _("Injury needing medical treatment")
        INFECTIOUS_CLUSTER = "infection", _("Infectious disease cluster")
        MISSING_CHILD = "missing", _("Missing child")
        SUSPECTED_ABUSE = "abuse", _("Suspected abuse")
        FIRE = "fire", _("Fire")
        FOOD_SAFETY = "food", _("Food safety event")

    class Status(models.TextChoices):
        REPORTED = "reported", _("Reported")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        CLOSED = "closed", _("Dealt with")

    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="incidents")
    kind = models.CharField(_("kind of incident"), max_length=12, choices=Kind.choices)
    occurred_at = models.DateTimeField(_("when it happened"))
    reported_at = models.DateTimeField(_("reported at"), default=timezone.now)
    reported_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    children_affected = models.PositiveSmallIntegerField(
        _("children affected"), default=0, validators=[MaxValueValidator(1000)]
    )
    description = models.TextField(_("what happened"), max_length=4000)
    actions_taken = models.TextField(_("what was done"), max_length=4000, blank=True)
    late = models.BooleanField(_("reported late"), default=False)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.REPORTED)
    acknowledged_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True)
    closing_note = models.TextField(_("follow-up"), max_length=4000, blank=True)
    # Suspected abuse opens a case with the health bureau at once.
    case = models.OneToOneField(Case, on_delete=models.PROTECT, null=True, blank=True, related_name="incident")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")

    def __str__(self):
        return f"{self.institution} · {self.get_kind_display()} · {self.occurred_at:%Y-%m-%d}"


class BanProposal(models.Model):
    """A person proposed for the lifetime ban list after a suspected-abuse incident. The list
    takes the person only when a second keeper of the list, not the proposer, confirms: one
    officer alone cannot bar someone for life."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a second keeper")
        CONFIRMED = "confirmed", _("Confirmed: on the list")
        REJECTED = "rejected", _("Not listed")

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="ban_proposals")
    name = EncryptedTextField(_("name"))
    id_number = EncryptedTextField(_("ID number"))
    id_hash = models.CharField(max_length=64)
    reason = models.TextField(_("reason"), max_length=4000)
    proposed_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(_("decision"), max_length=4000, blank=True)
    ban_entry = models.OneToOneField(BanEntry, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-proposed_at"]
        verbose_name = _("ban list proposal")
        verbose_name_plural = _("ban list proposals")
        constraints = [
            models.UniqueConstraint(
                fields=["id_hash"], condition=models.Q(status="pending"), name="one_pending_ban_proposal_a_person"
            )
        ]

    def __str__(self):
        return self.id_number_masked

    @property
    def id_number_masked(self) -> str:
        return mask(self.id_number, keep_start=6, keep_end=4)
