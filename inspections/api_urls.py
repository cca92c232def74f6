"""Gathers the ``urlpatterns`` of each API module in ``inspections/api/``."""

import importlib
import pkgutil

from inspections import api

urlpatterns = []
for module_info in sorted(pkgutil.iter_modules(api.__path__), key=lambda m: m.name):
    urlpatterns += getattr(importlib.import_module(f"inspections.api.{module_info.name}"), "urlpatterns", [])
