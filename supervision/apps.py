from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    """Daily supervision (日常监管) beside the annual review: complaints, incidents, objections,
    the risk score and random inspections, and what parents see of them. Above ``inspections``
    and ``training`` (it reads their signals and opens cases and orders through their services),
    below ``dashboard``."""

    name = "supervision"
    verbose_name = _("Daily supervision")
    navigation_group = "supervision"
    navigation = []
