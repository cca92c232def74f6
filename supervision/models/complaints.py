"""Complaints (投诉举报) from parents and the public, sent without an account.

A complaint is about a filed institution (from its public page or the QR poster on its door) or
about an unregistered provider (a place and a township). Its category routes it to the
departments whose duties cover it (``supervision/data/complaint_categories.json``); those are its
handlers, and nobody else sees it. The complainant may stay anonymous; a name or phone given is
encrypted at rest and shown to the handling department only, through an audited reveal. The
tracking code lets the complainant follow the status without an account: it shows the status,
the deadlines and the reply, never the contact details or the handler's findings."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.crypto import EncryptedTextField
from accounts.models import Organisation, Region, ScopedQuerySet
from registry.models import Institution

DESCRIPTION_MAX = 2000


class Complaint(models.Model):
    class Category(models.TextChoices):
        FOOD = "food", _("Food safety")
        FIRE = "fire", _("Fire safety")
        FEES = "fees", _("Fees and charges")
        ABUSE = "abuse", _("Abuse or neglect of a child")
        UNREGISTERED = "unregistered", _("Unregistered provider")
        OTHER = "other", _("Something else")

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received, waiting to be acknowledged")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged, under investigation")
        CONCLUDED = "concluded", _("Concluded")

    class Outcome(models.TextChoices):
        NONE = "", _("Not concluded")
        SUBSTANTIATED = "substantiated", _("Substantiated")
        NOT_SUBSTANTIATED = "not_substantiated", _("Not substantiated")

    tracking_code = models.CharField(_("tracking code"), max_length=20, unique=True)
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, null=True, blank=True, related_name="complaints"
    )
    township = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="complaints")
    # An unregistered provider has no record: its name (as the complainant knows it) and place.
    provider_name = models.CharField(_("provider"), max_length=128, blank=True)
    provider_address = models.CharField(_("address of the provider"), max_length=200, blank=True)
    # Plain text as typed; templates escape it.
    description = models.TextField(_("what happened"), max_length=DESCRIPTION_MAX)
    contact_name = EncryptedTextField(_("complainant's name"), blank=True, default="")
    contact_phone = EncryptedTextField(_("complainant's phone"), blank=True, default="")
    submitted_at = models.DateTimeField(default=timezone.now)
    acknowledge_due = models.DateField(_("acknowledge by"))
    conclude_due = models.DateField(_("conclude by"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.RECEIVED, db_index=True
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Internal: the handling department's findings, never shown to the complainant.
    findings = models.TextField(_("findings"), blank=True)
    # What the complainant reads with the tracking code.
    reply = models.TextField(_("reply to the complainant"), blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True, default="")
    concluded_at = models.DateTimeField(null=True, blank=True)
    concluded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    # The last referral: the department the complaint was handed to, and when.
    referred_to = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="complaints_referred"
    )
    referred_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    order = models.ForeignKey(
        "inspections.RectificationOrder", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    case = models.ForeignKey("inspections.Case", on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(institution__isnull=False) | ~models.Q(provider_name=""),
                name="complaint_names_its_subject",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="concluded") | ~models.Q(outcome=""),
                name="complaint_outcome_when_concluded",
            ),
        ]

    def __str__(self):
        return self.tracking_code

    @property
    def subject(self) -> str:
        return self.institution.name if self.institution_id else self.provider_name

    @property
    def is_open(self) -> bool:
        return self.status != self.Status.CONCLUDED


class ComplaintHandler(models.Model):
    """An organisation a complaint was routed or referred to. ``active``: it handles the
    complaint now; a department that referred it on keeps its sight of what it handled but acts
    no more."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="handlers")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="complaints_handled")
    active = models.BooleanField(default=True)
    assigned_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["assigned_at", "pk"]
        verbose_name = _("complaint handler")
        verbose_name_plural = _("complaint handlers")
        constraints = [
            models.UniqueConstraint(fields=["complaint", "organisation"], name="complaint_handler_once"),
        ]

    def __str__(self):
        return f"{self.complaint} → {self.organisation}"
