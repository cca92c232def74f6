from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# Duties that show the spot-check entries: the inspecting departments and the health bureau.
CHECK_OR_LEAD = {
    "review.lead", "check.fire", "check.food_safety", "check.fees", "check.security", "check.safety",
    "check.health_care", "check.education",
}  # fmt: skip
# Duties held by departments (risk scores are for departments only; the page checks the kind).
DEPARTMENT_DUTIES = CHECK_OR_LEAD | {
    "staff.oversee", "certificate.verify", "register.nonprofit", "register.company", "register.public_institution",
}  # fmt: skip


class SupervisionConfig(AppConfig):
    """Daily supervision (日常监管) beside the annual review: complaints, incidents, objections,
    the risk score and random inspections, and what parents see of them. Above ``inspections``
    and ``training`` (it reads their signals and opens cases and orders through their services),
    below ``dashboard``."""

    name = "supervision"
    verbose_name = _("Daily supervision")
    reference_data_loader = "supervision.services.reference.supervision_reference_load"
    demo_data_loader = "supervision.demo.load_supervision_demo"
    # The field paths through which the access policy sees this app's models.
    scopes = "supervision.scopes.SCOPES"
    work_queue = "supervision.spot_check_queue.work_queue"
    # The risk panel on the registry's institution page (departments only).
    institution_panel = "supervision.risk_panel.institution_panel"
    navigation_group = "supervision"
    navigation = [
        ("risk_list", _("Risk bands"), DEPARTMENT_DUTIES),
        ("spot_check_plan_list", _("Spot-check plans"), CHECK_OR_LEAD),
        ("spot_check_task_list", _("Spot-check tasks"), CHECK_OR_LEAD),
    ]
