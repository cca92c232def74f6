from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    name = "training"
    verbose_name = _("Workforce and training")
    reference_data_loader = "training.services.reference.training_reference_load"
    demo_data_loader = "training.demo.load_training_demo"
    work_queue = "training.queues.work_queue"
    # The field paths through which the access policy sees this app's models.
    scopes = "training.scopes.SCOPES"
    # Lists with one filter set for page, export and API (``accounts.lists``).
    lists = "training.lists.LISTS"
    # A panel on the registry's institution page: the roster checks and the certification rate.
    institution_panel = "training.panels.institution_panel"
    # Where a person is on an active roster (by ID-number hash): the ban list looks back with it.
    roster_lookup = "training.selectors.staff.roster_matches"
    # Told by the registry when an institution is filed, closed or revoked: a closed or revoked
    # institution's roster ends (its staff leave), so they are active nowhere.
    institution_changed = "training.services.staff.rosters_close_for_gone"
    # The staff section of the annual self-report, pre-filled from the roster.
    self_report_prefill = "training.panels.self_report_staff"
    # Navigation entries: (URL name, label, duties that show it; None: every member).
    # Kinds of notification each user chooses email by (``accounts.notices``).
    notification_kinds = {"certificate_expiry": _("Reminder: certificates expiring or expired")}
    navigation_group = "workforce"
    navigation = [
        ("staff_list", _("Staff"), {"institution.self", "township.supervise", "staff.oversee", "certificate.verify"}),
        ("certificate_queue", _("Certificates"), {"institution.self", "staff.oversee", "certificate.verify"}),
        ("certification_rates", _("Certification rate"), {"staff.oversee", "certificate.verify", "township.supervise"}),
        ("programme_list", _("Training"), None),
        (
            "village_coverage",
            _("Village health instructors"),
            {"training.run", "guidance.manage", "staff.oversee", "dashboard.view"},
        ),  # fmt: skip
    ]
