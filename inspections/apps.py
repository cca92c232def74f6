from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionsConfig(AppConfig):
    name = "inspections"
    verbose_name = _("Annual review and enforcement")
    reference_data_loader = "inspections.services.reference.checklists_load"
    demo_data_loader = "inspections.demo.load_inspections_demo"
    work_queue = "inspections.queues.work_queue"
    # The field paths through which the access policy sees this app's models.
    scopes = "inspections.scopes.SCOPES"
    # Lists with one filter set for page, export and API (``accounts.lists``).
    lists = "inspections.lists.LISTS"
    # Asked before a person joins an institution's staff: True blocks them (the ban list) and
    # tells the health bureau.
    person_screen = "inspections.services.enforcement.ban_screen_hire"
    # Told by the registry when an institution is filed, closed or revoked: open review cycles
    # take it in or withdraw its undecided review.
    institution_changed = "inspections.services.cycles.cycle_membership_sync"
    # Kinds of notification each user chooses email by (``accounts.notices``).
    notification_kinds = {"review_deadline": _("Reminder: annual review deadlines (self-reports, inspections)")}
    # Navigation entries: (URL name, label, duties that show it; None: every member), in the
    # menu's group of annual review and enforcement.
    navigation_group = "review"
    _CHECKS = ("check.fire", "check.food_safety", "check.fees", "check.security", "check.safety",
               "check.health_care", "check.education")  # fmt: skip
    navigation = [
        (
            "review_list",
            _("Annual reviews"),
            {"review.lead", "review.decide", "township.supervise", "institution.self", *_CHECKS},
        ),  # fmt: skip
        ("finding_list", _("Findings"), {"review.lead", "township.supervise", *_CHECKS}),
        ("checklist_list", _("Checklists"), {"review.lead", *_CHECKS}),
        (
            "order_list",
            _("Rectification orders"),
            {"rectification.order", "institution.self", "township.supervise", *_CHECKS},
        ),  # fmt: skip
        (
            "referral_list",
            _("Revocation referrals"),
            {"referral.raise", "referral.decide", "township.supervise", "institution.self"},
        ),  # fmt: skip
        ("case_list", _("Cases"), {"case.manage"}),
        ("ban_list", _("Lifetime ban list"), {"banlist.manage"}),
        ("ban_check", _("Check the lifetime ban list"), {"institution.self"}),
    ]
