"""The risk score of an institution (风险评分) and its band (风险等级), which sets how often it
is inspected. The score is recomputed by a scheduled task from the signals of the other apps;
each row keeps the reasons that make it up, so a department sees why, not only how much."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import ScopedQuerySet
from registry.models import Institution


class RiskBand(models.TextChoices):
    LOW = "low", pgettext_lazy("risk band", "Low")
    MEDIUM = "medium", pgettext_lazy("risk band", "Medium")
    HIGH = "high", pgettext_lazy("risk band", "High")


class RiskScore(models.Model):
    """One institution's current score. ``reasons`` lists each factor that counted:
    ``{"factor", "count", "weight", "points"}``. The health bureau may override the band with a
    reason; the override stands across recomputations until it is lifted."""

    institution = models.OneToOneField(Institution, on_delete=models.CASCADE, related_name="risk_score")
    score = models.DecimalField(_("risk score"), max_digits=8, decimal_places=2, default=0)
    computed_band = models.CharField(_("computed band"), max_length=8, choices=RiskBand.choices, default=RiskBand.LOW)
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    computed_at = models.DateTimeField(_("computed at"), default=timezone.now)
    override_band = models.CharField(
        _("band set by the health bureau"), max_length=8, choices=RiskBand.choices, blank=True, default=""
    )
    override_reason = models.TextField(_("why the band was set"), blank=True)
    overridden_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    overridden_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-score", "institution__name"]
        verbose_name = _("risk score")
        verbose_name_plural = _("risk scores")

    def __str__(self):
        return f"{self.institution} · {self.score}"

    @property
    def band(self) -> str:
        return self.override_band or self.computed_band

    def get_band_display(self) -> str:
        return RiskBand(self.band).label
