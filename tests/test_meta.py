"""Meta-tests: nothing new can forget the access policy.

- every URL pattern is public on purpose or sits in the permission matrix;
- every model of the portal's apps is scoped by the policy or exempt with a reason;
- views, API views, tasks, exports, imports and management commands never query models
  directly (they call selectors and services);
- pages, API, serializer and form modules define no access predicate: those live in each
  app's ``rules.py``;
- ``accounts`` names no model or field of the apps above it: they register their scopes
  through their AppConfig instead.
"""

import ast
import re
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver

from accounts import policy
from tests.permission_matrix import CASES, PUBLIC_URL_NAMES

PORTAL_APPS = ("paperwork", "accounts", "registry", "inspections", "training", "supervision", "dashboard")
ROOT = Path(__file__).resolve().parent.parent

# Models that are not tenant data, and why they need no scope.
EXEMPT_MODELS = {
    "accounts.duty": "the duty codes of Annex 2 are public reference data",
    "accounts.organisationuserobjectpermission": "read only through accounts.grants, never listed",
    "accounts.organisationgroupobjectpermission": "read only through accounts.grants, never listed",
    "accounts.apitokendetails": "listed only by accounts.selectors.api_token_list, which requires security.admin",
    "accounts.identitylink": "read by the sign-in (accounts.identity) and in the admin, which requires security.admin",
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
        if not has_door or label not in policy.registered_scopes():
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
        "dashboard/exports/dashboards.py",
        "inspections/exports/reviews.py",
        "inspections/exports/enforcement.py",
        "registry/exports/institutions.py",
        "training/exports/staff.py",
        "training/exports/programmes.py",
        "registry/imports.py",
        "training/imports/certificates.py",
        "accounts/management/commands/audit_prune.py",
    } <= scanned
    assert "registry/services/imports.py" not in scanned  # a service: it may write


def test_tasks_exports_imports_and_commands_do_not_query_models_directly():
    offenders = [where for path in _background_and_file_modules() for where in _model_queries_in(path)]
    assert not offenders, f"tasks, exports, imports and commands must go through selectors/services: {offenders}"


# --- Act rules live in <app>/rules.py -----------------------------------------------------

# An access predicate: a function named ``can_…``, ``may_…`` or ``is_…`` (with or without a
# leading underscore). Page, API, serializer and form modules ask the app's ``rules.py``; they
# define none of their own. Methods are not predicates here: a class's ``is_valid`` or
# ``has_permission`` is a framework hook, and a serializer's ``get_may_…`` only reads the
# answer the view put in its context.
PREDICATE_NAME = re.compile(r"^_?(can|may|is)_")


def _request_modules():
    """Every page, API, serializer and form module of the portal's apps."""
    for app in PORTAL_APPS:
        for pattern in ("views.py", "views/*.py", "api.py", "api/*.py", "serializers*.py", "forms*.py", "forms/*.py"):
            yield from sorted((ROOT / app).glob(pattern))


def _predicates_defined_in(path: Path) -> list[str]:
    """Module-level functions and functions nested in them whose names read as predicates."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []

    def visit(node, in_class: bool):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.ClassDef):
                visit(child, in_class=True)
            elif isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                if not in_class and PREDICATE_NAME.match(child.name):
                    found.append(f"{path.relative_to(ROOT)}:{child.lineno} {child.name}")
                visit(child, in_class=False)
            else:
                visit(child, in_class)

    visit(tree, in_class=False)
    return found


def test_the_predicate_scan_covers_views_api_serializers_and_forms():
    scanned = {path.relative_to(ROOT).as_posix() for path in _request_modules()}
    assert {
        "dashboard/views/reports.py",
        "dashboard/api/reports.py",
        "training/api/serializers.py",
        "inspections/forms/reviews.py",
        "accounts/views.py",
    } <= scanned


def test_pages_api_serializers_and_forms_define_no_access_predicate_of_their_own():
    offenders = [where for path in _request_modules() for where in _predicates_defined_in(path)]
    assert not offenders, f"access predicates belong in <app>/rules.py: {offenders}"


# --- accounts names no model or field of the apps above it --------------------------------

# The apps above accounts; ``paperwork`` lies below it (accounts may use the kit).
UPPER_APPS = tuple(app for app in PORTAL_APPS if app not in {"paperwork", "accounts"})


def _forward_field_names(app_label: str) -> set[str]:
    return {
        field.name
        for model in apps.get_app_config(app_label).get_models()
        for field in model._meta.get_fields()
        if not field.auto_created or field.concrete
    }


def _choice_values(app_label: str) -> set[str]:
    return {
        str(value)
        for model in apps.get_app_config(app_label).get_models()
        for field in model._meta.get_fields()
        for value, _label in (getattr(field, "flatchoices", None) or [])
    }


def _lookup_names() -> set[str]:
    """``in``, ``date``, ``startswith``…: the lookups and transforms Django's field classes know."""
    fields = [field for model in apps.get_models() for field in model._meta.concrete_fields]
    return {name for field in fields for name in field.get_class_lookups()}


@dataclass(frozen=True)
class ForeignNames:
    """What accounts must not name: ``fields`` of the upper apps' models (in lookup paths) and,
    with them, ``values`` of their choices (whole strings). A name some other app's model also
    uses for itself (``organisation``, ``code``, ``kind``, ``content_type``; the organisation
    kind ``institution`` as a value) stays allowed, and so do lookup names."""

    fields: frozenset[str]
    values: frozenset[str]


def _foreign_names() -> ForeignNames:
    upper_fields, upper_values, other_fields, other_values = set(), set(), set(), set()
    for config in apps.get_app_configs():
        fields, values = _forward_field_names(config.label), _choice_values(config.label)
        if config.label in UPPER_APPS:
            upper_fields |= fields
            upper_values |= values
        else:
            other_fields |= fields
            other_values |= values
    fields = upper_fields - other_fields - _lookup_names()
    values = (upper_fields | upper_values) - (other_fields | other_values) - _lookup_names()
    return ForeignNames(fields=frozenset(fields), values=frozenset(values))


def _docstrings(tree) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                ids.add(id(first.value))
    return ids


def _foreign_references_in(path: Path, foreign: ForeignNames) -> list[str]:
    """Imports of the upper apps, ``get_model`` calls on them, and names of their fields or
    choices: in lookup paths (``institution__township``, as a string or a keyword argument) or
    as whole string literals of more than one word (``"kindergarten_class"``, ``"provider_type"``;
    single words such as ``"education"`` or ``"date"`` are too common in codes and prose to tell
    apart). Docstrings are prose, not code."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = _docstrings(tree)
    where = f"{path.relative_to(ROOT)}"
    found = []

    def names_foreign_path(text: str) -> bool:
        return "__" in text and any(part in foreign.fields for part in text.split("__"))

    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            modules = [node.module or ""]
        else:
            modules = []
        found += [f"{where}:{node.lineno} import {m}" for m in modules if m.split(".")[0] in UPPER_APPS]
        if isinstance(node, ast.Call):
            name = getattr(node.func, "attr", getattr(node.func, "id", ""))
            first = node.args[0] if node.args else None
            if name == "get_model" and isinstance(first, ast.Constant) and str(first.value).split(".")[0] in UPPER_APPS:
                found.append(f"{where}:{node.lineno} get_model({first.value!r})")
            paths = [kw.arg for kw in node.keywords if kw.arg and names_foreign_path(kw.arg)]
            found += [f"{where}:{node.lineno} {path}=" for path in paths]
        is_code_string = isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
        if is_code_string and (node.value in foreign.values and "_" in node.value or names_foreign_path(node.value)):
            found.append(f"{where}:{node.lineno} {node.value!r}")
    return found


def test_the_foreign_names_include_the_upper_apps_paths_and_values():
    foreign = _foreign_names()
    assert {"institution", "provider_type", "items", "filing"} <= foreign.fields
    assert {"provider_type", "kindergarten_class"} <= foreign.values
    assert not {"organisation", "code", "kind", "jurisdiction", "in", "date"} & (foreign.fields | foreign.values)


def test_accounts_names_no_model_or_field_of_the_apps_above_it():
    foreign = _foreign_names()
    offenders = [
        where
        for path in sorted((ROOT / "accounts").rglob("*.py"))
        if "migrations" not in path.parts
        for where in _foreign_references_in(path, foreign)
    ]
    assert not offenders, f"accounts must reach other apps through their hooks: {offenders}"
