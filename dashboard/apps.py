from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    name = "dashboard"
    verbose_name = _("Target dashboards")
    reference_data_loader = "dashboard.services.reference.dashboard_reference_load"
    demo_data_loader = "dashboard.demo.load_dashboard_demo"
    work_queue = "dashboard.queues.work_queue"
    # The field paths through which the access policy sees this app's models.
    scopes = "dashboard.scopes.SCOPES"
    # Starts the background export of a list larger than a page (``accounts.lists.export``).
    list_export_starter = "dashboard.exports.lists.list_export_start"
    # Lists with one filter set for page, export and API (``accounts.lists``).
    lists = "dashboard.lists.LISTS"
    stored_figures = "dashboard.selectors.stored.stored_figures"
    # Navigation entries: (URL name, label, duties that show it; None: every member).
    # Kinds of notification each user chooses email by (``accounts.notices``).
    notification_kinds = {"report_due": _("Reminder: periodic report due or late")}
    navigation_group = "targets"
    navigation = [
        ("city_dashboard", _("Dashboard"), {"dashboard.view"}),
        ("report_list", _("Indicator reports"), {"reports.submit", "reports.approve", "dashboard.drilldown"}),
        ("target_list", _("Targets"), {"targets.manage", "dashboard.view"}),
    ]

    def ready(self):
        from dashboard import signals

        signals.connect()
