"""Gathers the ``urlpatterns`` of each page module in ``inspections/views/``."""

import importlib
import pkgutil

from inspections import views

urlpatterns = []
for module_info in sorted(pkgutil.iter_modules(views.__path__), key=lambda m: m.name):
    urlpatterns += getattr(importlib.import_module(f"inspections.views.{module_info.name}"), "urlpatterns", [])
