"""Joint random inspections (双随机、一公开): a spot-check plan draws institutions at random,
stratified by risk band and township, and inspectors at random from each participating
department's pool. The seed and every input of the draw are kept on the plan, so the draw can
be re-run from the record and gives the same result; each drawn institution becomes one task
per participating department, concluded from the finding recorded on the existing checklist
and then published."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import Organisation, ScopedQuerySet
from inspections.models import Finding
from registry.models import Institution
from supervision.models.risk import RiskBand


class SpotCheckPlan(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("spot-check plan", "Not drawn yet")
        DRAWN = "drawn", pgettext_lazy("spot-check plan", "Drawn")

    title = models.CharField(_("title"), max_length=128)
    organiser = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="spot_check_plans", verbose_name=_("organiser")
    )
    departments = models.ManyToManyField(
        Organisation, related_name="spot_check_participations", verbose_name=_("participating departments")
    )
    # The sampling asked for: percent of each band's institutions, per township (stratum).
    percent_low = models.PositiveSmallIntegerField(_("low band: percent drawn"))
    percent_medium = models.PositiveSmallIntegerField(_("medium band: percent drawn"))
    percent_high = models.PositiveSmallIntegerField(_("high band: percent drawn"))
    inspectors_per_department = models.PositiveSmallIntegerField(_("inspectors drawn per department"))
    townships = models.ManyToManyField(
        "accounts.Region", blank=True, related_name="+", verbose_name=_("townships (none: the whole city)")
    )
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.DRAFT)
    # The draw as recorded: the seed and the frozen inputs (strata and pools, in order).
    seed = models.CharField(_("seed"), max_length=64, blank=True)
    inputs = models.JSONField(_("inputs of the draw"), default=dict, blank=True)
    draws = models.PositiveSmallIntegerField(_("number of draws"), default=0)
    redraw_reason = models.TextField(_("why it was drawn again"), blank=True)
    drawn_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    drawn_at = models.DateTimeField(_("drawn at"), null=True, blank=True)
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("spot-check plan")
        verbose_name_plural = _("spot-check plans")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(percent_low__lte=100, percent_medium__lte=100, percent_high__lte=100),
                name="spot_check_percent_at_most_100",
            )
        ]

    def __str__(self):
        return self.title


class SpotCheckTask(models.Model):
    """One drawn institution for one area of a participating department: its drawn inspectors
    (the same for each area of the department at that institution), and — once concluded — the
    finding and its result, then public."""

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("spot-check task", "To inspect")
        CONCLUDED = "concluded", pgettext_lazy("spot-check task", "Concluded")

    plan = models.ForeignKey(SpotCheckPlan, on_delete=models.CASCADE, related_name="tasks")
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="spot_check_tasks")
    department = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="spot_check_tasks", verbose_name=_("department")
    )
    band = models.CharField(_("risk band when drawn"), max_length=8, choices=RiskBand.choices)
    area = models.CharField(_("area"), max_length=16)
    inspectors = models.ManyToManyField("accounts.User", related_name="spot_check_tasks", verbose_name=_("inspectors"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True)
    finding = models.ForeignKey(Finding, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    passed = models.BooleanField(_("passed"), null=True, blank=True)
    concluded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    concluded_at = models.DateTimeField(_("concluded at"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["plan", "institution__name", "department__name"]
        verbose_name = _("spot-check task")
        verbose_name_plural = _("spot-check tasks")
        constraints = [models.UniqueConstraint(fields=["plan", "institution", "area"], name="spot_check_task_unique")]

    def __str__(self):
        return f"{self.plan} · {self.institution} · {self.area}"
