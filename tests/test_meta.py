"""Meta-tests: nothing new can forget the access policy.

- every URL pattern is public on purpose or sits in the permission matrix;
- every model of the portal's apps is scoped by the policy or exempt with a reason;
- views, API views, tasks, exports, imports and management commands never query models
  directly (they call selectors and services), bar a short list of named exceptions.
"""

import ast
from pathlib import Path

from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver

from accounts import policy
from tests.permission_matrix import CASES, PUBLIC_URL_NAMES

PORTAL_APPS = ("paperwork", "accounts", "registry", "inspections", "training", "dashboard")
ROOT = Path(__file__).resolve().parent.parent

# Models that are not tenant data, and why they need no scope.
EXEMPT_MODELS = {
    "accounts.duty": "the duty codes of Annex 2 are public reference data",
    "accounts.organisationuserobjectpermission": "read only through accounts.grants, never listed",
    "accounts.organisationgroupobjectpermission": "read only through accounts.grants, never listed",
    "registry.parameter": "national and city standards: public reference figures",
    "registry.calendarday": "the public-holiday calendar: public reference data",
    "registry.numbersequence": "internal counters of document numbers (filings, orders), never shown",
    "paperwork.remindersent": "the ledger that makes reminders idempotent, never shown",
    "paperwork.storedfile": "reached only through the record that owns it, whose policy applies",
}


def _url_names(patterns, namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _url_names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern):
            yield f"{namespace}{pattern.name}" if pattern.name else f"{namespace}<unnamed {pattern.pattern}>"


def test_every_url_is_public_on_purpose_or_in_the_permission_matrix():
    in_matrix = {case.url_name for case in CASES}
    names = {name for name in _url_names(get_resolver().url_patterns) if not name.startswith("admin:")}
    forgotten = sorted(names - in_matrix - set(PUBLIC_URL_NAMES))
    assert not forgotten, f"URL patterns neither public nor in tests/permission_matrix.py: {forgotten}"


def test_the_permission_matrix_names_only_existing_urls():
    names = set(_url_names(get_resolver().url_patterns))
    assert {case.url_name for case in CASES} <= names


def test_every_portal_model_is_scoped_by_the_policy_or_exempt_with_a_reason():
    unscoped = []
    for model in apps.get_models():
        label = model._meta.label_lower
        if model._meta.app_label not in PORTAL_APPS or label in EXEMPT_MODELS:
            continue
        has_door = hasattr(model._default_manager, "visible_to")
        if not has_door or label not in policy._SCOPES:
            unscoped.append(label)
    assert not unscoped, f"models without visible_to() and a rule in accounts.policy: {unscoped}"


def test_a_model_without_a_rule_shows_nobody_anything(cast):
    from accounts.models import Duty

    assert not policy.visible(cast["health"], Duty.objects.all()).exists()


def _model_queries_in(path: Path) -> list[str]:
    """``Something.objects`` attribute accesses in a module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        f"{path.relative_to(ROOT)}:{node.lineno}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and node.attr == "objects"
    ]


def _view_modules():
    """Every page and API module: ``views.py``/``api.py`` or the packages of that name."""
    for app in PORTAL_APPS:
        for name in ("views", "api"):
            module = ROOT / app / f"{name}.py"
            if module.exists():
                yield module
            package = ROOT / app / name
            if package.is_dir():
                yield from sorted(package.glob("*.py"))


def test_the_scan_below_covers_the_registry_packages():
    scanned = {path.relative_to(ROOT).as_posix() for path in _view_modules()}
    assert {"accounts/views.py", "registry/views/filings.py", "registry/api/institutions.py"} <= scanned


def test_views_and_api_views_do_not_query_models_directly():
    offenders = [where for path in _view_modules() for where in _model_queries_in(path)]
    assert not offenders, f"views must go through selectors/services (accounts.policy): {offenders}"


def _imported_apps(path: Path) -> set[str]:
    """The portal apps a module imports (``import x`` and ``from x... import``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = [alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names]
    names += [node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module]
    return {name.split(".")[0] for name in names} & set(PORTAL_APPS)


def test_the_paperwork_kit_imports_no_other_portal_app():
    """It sits at the bottom of the house: every app may use it, it uses none of them."""
    offenders = {
        path.relative_to(ROOT).as_posix(): sorted(_imported_apps(path) - {"paperwork"})
        for path in sorted((ROOT / "paperwork").rglob("*.py"))
        if _imported_apps(path) - {"paperwork"}
    }
    assert not offenders, f"paperwork imports other portal apps: {offenders}"


def _background_and_file_modules():
    """Celery tasks, Excel exports and imports, and management commands: code that runs without
    a view in front of it, so nothing else would keep it to selectors and services.

    Top-level modules of each app only: ``registry/services/imports.py`` is a service (the
    place where imports write) and ``*/views/imports.py`` is a view, scanned above."""
    for app in PORTAL_APPS:
        found = set()
        for pattern in ("tasks.py", "exports*.py", "imports*.py", "management/commands/*.py"):
            found.update((ROOT / app).glob(pattern))
        for package in ("tasks", "exports", "imports"):
            if (ROOT / app / package).is_dir():
                found.update((ROOT / app / package).glob("*.py"))
        yield from sorted(found)


def test_the_background_scan_covers_tasks_exports_imports_and_commands():
    scanned = {path.relative_to(ROOT).as_posix() for path in _background_and_file_modules()}
    assert {
        "accounts/tasks.py",
        "inspections/tasks.py",
        "dashboard/exports.py",
        "inspections/exports_reviews.py",
        "registry/imports.py",
        "training/imports/certificates.py",
        "accounts/management/commands/audit_prune.py",
    } <= scanned
    assert "registry/services/imports.py" not in scanned  # a service: it may write


def test_tasks_exports_imports_and_commands_do_not_query_models_directly():
    offenders = [where for path in _background_and_file_modules() for where in _model_queries_in(path)]
    assert not offenders, f"tasks, exports, imports and commands must go through selectors/services: {offenders}"
