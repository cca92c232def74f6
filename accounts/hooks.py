"""How the apps that build on accounts plug into it without accounts importing them.

An app names its contributions on its AppConfig (``reference_data_loader``,
``demo_data_loader``, ``work_queue``, ``scopes``, ``public_results``, ``public_panel``,
``public_search_note`` (what the registry's public pages show from the apps above it): dotted
paths; ``navigation``: entries, in its ``navigation_group`` of the menu) and keeps its pages
and API in ``views``/``api`` packages whose modules each define ``urlpatterns``."""

import importlib
import pkgutil

from django.apps import apps
from django.urls import NoReverseMatch, reverse
from django.utils.module_loading import import_string


def app_hooks(attribute: str):
    """(app label, value) for every app that defines ``attribute`` on its AppConfig."""
    for config in apps.get_app_configs():
        value = getattr(config, attribute, None)
        if value:
            yield config.label, value


def call_app_hooks(attribute: str, **kwargs) -> dict:
    """Call each app's dotted-path hook; results by app label."""
    return {label: import_string(path)(**kwargs) for label, path in app_hooks(attribute)}


def gather_urlpatterns(package) -> list:
    """The ``urlpatterns`` of every module of a package, in module-name order."""
    patterns = []
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        patterns += getattr(importlib.import_module(f"{package.__name__}.{info.name}"), "urlpatterns", [])
    return patterns


def url_or_placeholder(name: str, query: str = "", **kwargs) -> str:
    """A link for a work-queue item; "#" while the page is not served (the item still counts)."""
    try:
        return reverse(name, kwargs=kwargs or None) + query
    except NoReverseMatch:
        return "#"
