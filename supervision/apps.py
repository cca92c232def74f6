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
    # The field paths through which the access policy sees this app's models.
    scopes = "supervision.scopes.SCOPES"
    reference_data_loader = "supervision.services.reference.supervision_reference_load"
    demo_data_loader = "supervision.demo.load_supervision_demo"
    work_queue = "supervision.queues.work_queue"
    # Lists with one filter set for page, export and API (``accounts.lists``).
    lists = "supervision.lists.LISTS"
    # The registry's public pages: the last review result of each institution in the search,
    # and on an institution's page its review history, complaints and the way to complain.
    public_results = "supervision.public.public_results"
    public_panel = "supervision.public.public_panel"
    public_search_note = "supervision.public.public_search_note"
    # On the institution page: the risk score (departments only) and the QR poster's links (the
    # institution and the health bureau).
    institution_panel = "supervision.panels.institution_panel"
    # Asked by inspections before a review is decided: an objection to a finding holds it.
    review_contested = "supervision.services.objections.review_contested"
    # A panel on the annual review's page: its objections, and the form to object.
    review_panel = "supervision.panels.review_panel"
    # Told by inspections when a penalty or a ban on an institution is recorded: the party's
    # notice, with its last day to object.
    case_decided = "supervision.services.objections.case_decided"
    # A panel on the case's page (case holders): the party's objection and the answer.
    case_panel = "supervision.panels.case_panel"
    navigation_group = "supervision"
    # Entries: (URL name, label, duties that show it; None: every member).
    navigation = [
        (
            "complaint_list",
            _("Complaints"),
            {"check.food_safety", "check.fees", "check.fire", "check.security", "review.lead", "township.supervise"},
        ),
        ("incident_list", _("Incident reports"), {"institution.self", "incident.receive", "township.supervise"}),
        # The institutions object; the deciding departments (review, checks) answer.
        (
            "objection_list",
            _("Objections"),
            {
                "institution.self",
                "review.lead",
                "review.decide",
                "township.supervise",
                "check.health_care",
                "check.fire",
                "check.food_safety",
                "check.fees",
                "check.security",
                "check.safety",
                "check.education",
            },
        ),  # fmt: skip
        # The institution's notices of case decisions about it (policy rule 37).
        ("case_decision_list", _("Decisions about us"), {"institution.self"}),
        ("risk_list", _("Risk bands"), DEPARTMENT_DUTIES),
        ("spot_check_plan_list", _("Spot-check plans"), CHECK_OR_LEAD),
        ("spot_check_task_list", _("Spot-check tasks"), CHECK_OR_LEAD),
    ]
