"""Target dashboards: indicators as data, targets per region and year, periodic reports of the
figures no live table holds (with approval and versions), and the pre-computed snapshots the
dashboards read.

An indicator is computed either from live data (``source = live``: a function named by
``computation`` in ``dashboard.indicators``) or from approved periodic reports
(``source = report``: ``numerator`` / ``denominator`` name report figures; a count has no
denominator).
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, Region, ScopedQuerySet


class Indicator(models.Model):
    class Unit(models.TextChoices):
        COUNT = "count", _("count")
        PERCENT = "percent", _("percent")
        PER_THOUSAND = "per_1000", _("per 1,000 people")
        PER_THOUSAND_SLOTS = "slot_rate", _("per 1,000 slots")

    class Direction(models.TextChoices):
        HIGHER = "higher", _("higher is better")
        LOWER = "lower", _("lower is better")

    class Source(models.TextChoices):
        LIVE = "live", _("live data")
        REPORT = "report", _("periodic report")

    code = models.SlugField(_("code"), max_length=48, unique=True)
    name = models.CharField(_("name"), max_length=64)
    name_en = models.CharField(_("English name"), max_length=120)
    unit = models.CharField(pgettext_lazy("indicator", "unit"), max_length=12, choices=Unit.choices)
    direction = models.CharField(_("direction"), max_length=8, choices=Direction.choices, default=Direction.HIGHER)
    # Region levels the indicator is shown for: "city", "township".
    levels = models.JSONField(_("region levels"), default=list)
    source = models.CharField(_("source"), max_length=8, choices=Source.choices)
    computation = models.CharField(_("live computation"), max_length=48, blank=True)
    numerator = models.CharField(_("report figure (numerator)"), max_length=48, blank=True)
    denominator = models.CharField(_("report figure (denominator)"), max_length=48, blank=True)
    # The list behind the number, for click-through: a URL name and query (scoped by the page).
    drilldown = models.CharField(_("list behind the number"), max_length=120, blank=True)
    description = models.TextField(_("how it is computed"), blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.name_en if (get_language() or "").startswith("en") else self.name


class Target(models.Model):
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="targets")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    value = models.DecimalField(_("target"), max_digits=12, decimal_places=2)
    source = models.CharField(_("source"), max_length=200, blank=True)
    set_by = models.ForeignKey(Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["indicator__order", "region__code", "year"]
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        constraints = [models.UniqueConstraint(fields=["indicator", "region", "year"], name="target_once")]

    def __str__(self):
        return f"{self.indicator} {self.region} {self.year}: {self.value}"


FIGURE_MAX = 100_000_000  # a report figure (people, children, kindergartens) is at most this


class ReportFigure(models.TextChoices):
    """The figures a periodic report carries (a township's, or the city's own)."""

    POPULATION = "population", _("Resident population")
    CHILDREN_UNDER_3 = "children_under_3", _("Children under 3")
    CHILDREN_HEALTH_MANAGED = "children_health_managed", _("Children under 3 under health management")
    PARENTS_SURVEYED = "parents_surveyed", _("Parents surveyed on parenting knowledge")
    PARENTS_KNOWING = "parents_knowing", _("Parents with scientific parenting knowledge")
    KINDERGARTENS = "kindergartens", _("Kindergartens")
    CHILDREN_IN_CARE = "children_in_care", _("Children under 3 in care")


class PeriodicReport(models.Model):
    """A report of figures for a region and a year. Only approved figures count; an approved
    report is locked, and a correction is a new version that replaces it once approved."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        RETURNED = "returned", _("Returned")
        APPROVED = "approved", _("Approved")
        SUPERSEDED = "superseded", _("Superseded by a correction")

    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    corrects = models.OneToOneField(
        "self", verbose_name=_("corrects"), on_delete=models.PROTECT, null=True, blank=True, related_name="correction"
    )
    figures = models.JSONField(_("figures"), default=dict)
    source = models.CharField(_("source of the figures"), max_length=200)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    decided_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    return_reason = models.TextField(_("reason for return"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "region__code", "-version"]
        verbose_name = _("periodic report")
        verbose_name_plural = _("periodic reports")
        constraints = [
            models.UniqueConstraint(fields=["region", "year", "version"], name="report_version_once"),
            # At most one approved (counting) version per region and year.
            models.UniqueConstraint(
                fields=["region", "year"], condition=Q(status="approved"), name="report_one_approved"
            ),
        ]

    def __str__(self):
        return f"{self.region} {self.year} v{self.version}"

    @property
    def locked(self) -> bool:
        return self.status in (self.Status.APPROVED, self.Status.SUPERSEDED, self.Status.SUBMITTED)


class Snapshot(models.Model):
    """Every indicator's value for one region, computed by a task; dashboards read these.

    ``values``: {code: {"value": "12.3" | null, "numerator": .., "denominator": .., "note": ..}}
    ``history``: {code: {"2024": "10.1", "2025": "11.0"}} (year-end values kept as they were).
    ``breakdowns``: small tables behind an indicator, this year's, e.g.
    {"complaints_by_category": {"fees": {"received": 3, "substantiated": 1}, …}}."""

    region = models.OneToOneField(Region, on_delete=models.CASCADE, related_name="dashboard_snapshot")
    values = models.JSONField(default=dict)
    history = models.JSONField(default=dict)
    breakdowns = models.JSONField(default=dict, blank=True)
    computed_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["region__code"]
        verbose_name = _("dashboard snapshot")
        verbose_name_plural = _("dashboard snapshots")

    def __str__(self):
        return f"{self.region} {self.computed_at:%Y-%m-%d %H:%M}"


class ExportJob(models.Model):
    """An export made in the background; the requester is notified when it is ready.

    A dashboard's (``region``, no ``list_name``) or a list's (``list_name`` names its
    ``accounts.lists.ListSpec``, ``query`` keeps the page's filters as a query string). While a
    list export is built, ``done`` of ``total`` rows are written (its page's progress bar)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", pgettext_lazy("export", "Being prepared")
        DONE = "done", _("Ready")
        FAILED = "failed", pgettext_lazy("export", "Failed")

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    list_name = models.CharField(max_length=40, blank=True)
    query = models.CharField(max_length=2000, blank=True)
    requested_by = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    file = models.FileField(upload_to="dashboard/exports/%Y/%m/", max_length=200, blank=True)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # A dashboard's export or a list's, never both or neither.
            models.CheckConstraint(
                condition=(Q(region__isnull=False) & Q(list_name="")) | (Q(region__isnull=True) & ~Q(list_name="")),
                name="export_job_region_or_list",
            )
        ]
        verbose_name = _("dashboard export")
        verbose_name_plural = _("dashboard exports")

    def __str__(self):
        return f"{self.region or self.list_name} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return min(100, self.done * 100 // self.total) if self.total else 0
