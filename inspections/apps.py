from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionsConfig(AppConfig):
    name = "inspections"
    verbose_name = _("Annual review and enforcement")
    reference_data_loader = "inspections.services.reference.checklists_load"
    demo_data_loader = "inspections.demo.load_inspections_demo"
    work_queue = "inspections.queues.work_queue"
