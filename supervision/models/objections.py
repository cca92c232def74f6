"""Objections (陈述申辩): the institution's answer to a failed finding, a failed annual-review
decision or a case's penalty or ban decision, which the deciding department upholds or changes."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, ScopedQuerySet
from inspections.models import AnnualReview, Case, Finding
from paperwork.models import StoredFile
from registry.models import Institution


class Objection(models.Model):
    """Lodged within ``objection.working_days`` working days of the decision it contests.
    While it waits, what the decision does is held: the orders it led to stand still
    (``suspended_orders``) and a contested finding keeps its review from being decided."""

    class Subject(models.TextChoices):
        FINDING = "finding", _("A failed inspection finding")
        DECISION = "decision", _("A failed annual-review decision")
        CASE = "case", _("A penalty or ban decision of a case")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for the answer")
        UPHELD = "upheld", _("Decision upheld")
        CHANGED = "changed", _("Decision changed")

    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="objections")
    subject = models.CharField(_("what is contested"), max_length=10, choices=Subject.choices)
    finding = models.ForeignKey(Finding, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    # The review the objection belongs to: the contested decision's, or the contested finding's.
    review = models.ForeignKey(AnnualReview, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    # The case whose penalty or ban decision is contested (the institution is its party).
    case = models.ForeignKey(Case, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    department = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="objections_to_answer")
    reasons = models.TextField(_("reasons"), max_length=4000)
    evidence = models.OneToOneField(StoredFile, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    submitted_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    answer = models.TextField(_("answer"), max_length=4000, blank=True)
    answered_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    answered_at = models.DateTimeField(null=True, blank=True)
    # The orders this objection stopped, to run again or withdraw with the answer.
    suspended_orders = models.JSONField(default=list, blank=True)
    # A case decision changed on objection: the closing it became (never heavier).
    changed_outcome = models.CharField(_("changed to"), max_length=10, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        # One objection waits at a time on each finding and each decision.
        constraints = [
            models.UniqueConstraint(
                fields=[field],
                condition=models.Q(status="pending", subject=subject),
                name=f"one_pending_objection_a_{field}",
            )
            for subject, field in (("finding", "finding"), ("decision", "review"), ("case", "case"))
        ]

    def __str__(self):
        return f"{self.institution} · {self.get_subject_display()}"
