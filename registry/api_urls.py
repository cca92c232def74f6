"""Gathers the ``urlpatterns`` of each API module in ``registry/api/``."""

import importlib
import pkgutil

from registry import api

urlpatterns = []
for module_info in sorted(pkgutil.iter_modules(api.__path__), key=lambda m: m.name):
    urlpatterns += getattr(importlib.import_module(f"registry.api.{module_info.name}"), "urlpatterns", [])
