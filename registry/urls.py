"""Gathers the ``urlpatterns`` of each page module in ``registry/views/``."""

import importlib
import pkgutil

from registry import views

urlpatterns = []
for module_info in sorted(pkgutil.iter_modules(views.__path__), key=lambda m: m.name):
    urlpatterns += getattr(importlib.import_module(f"registry.views.{module_info.name}"), "urlpatterns", [])
