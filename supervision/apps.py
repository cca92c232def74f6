from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    """Daily supervision (日常监管) beside the annual review: complaints, incidents, objections,
    the risk score and random inspections, and what parents see of them. Above ``inspections``
    and ``training`` (it reads their signals and opens cases and orders through their services),
    below ``dashboard``."""

    name = "supervision"
    verbose_name = _("Daily supervision")
    demo_data_loader = "supervision.demo.load_supervision_demo"
    work_queue = "supervision.queues.work_queue"
    # The field paths through which the access policy sees this app's models.
    scopes = "supervision.scopes.SCOPES"
    # Navigation entries: (URL name, label, duties that show it; None: every member).
    navigation_group = "supervision"
    navigation = [
        ("incident_list", _("Incident reports"), {"institution.self", "incident.receive", "township.supervise"}),
    ]
