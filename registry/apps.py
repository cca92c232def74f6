from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "registry"
    verbose_name = _("Registry and filing")
    # Called by `manage.py load_reference_data` (accounts never imports this app).
    reference_data_loader = "registry.services.reference.registry_reference_load"
    # Called by `manage.py load_demo_data` after the demo accounts exist.
    demo_data_loader = "registry.demo.load_registry_demo"
    # Items for the home page's work queue.
    work_queue = "registry.queues.work_queue"
    # The field paths through which the access policy sees this app's models.
    scopes = "registry.scopes.SCOPES"
    # Lists with one filter set for page, export and API (``accounts.lists``).
    lists = "registry.lists.LISTS"
    # Navigation entries: (URL name, label, duties that show it; None: every member[, menu group]).
    # Kinds of notification each user chooses email by (``accounts.notices``).
    notification_kinds = {
        "filing_deadline": _("Reminder: filing review deadline"),
        "unfiled": _("Reminder: registered but not filed"),
        "fee_above_guide": _("Reminder: fee above the guide price"),
        "family_point_over_limit": _("Reminder: family care point over its limit"),
    }
    navigation_group = "institutions"
    navigation = [
        ("institution_list", _("Institutions"), None),
        ("filing_list", _("Filings"), None),
        (
            "registration_list",
            _("Registrations"),
            {
                "register.nonprofit",
                "register.company",
                "register.public_institution",
                "filing.review",
                "township.supervise",
            },
        ),
        (
            "residential_area_list",
            _("Residential areas"),
            {"planning.residential", "targets.manage", "dashboard.drilldown"},
            "targets",
        ),
        ("guidance_site_list", _("Guidance network"), None),
        (
            "pricing_guidance_list",
            _("Pricing guidance"),
            {"pricing.guide", "filing.review", "check.fees", "institution.self"},
        ),
        ("nursery_class_queue", _("Nursery class approvals"), {"register.kindergarten_class"}),
        ("parameter_list", _("Standards"), {"targets.manage"}, "targets"),
    ]
