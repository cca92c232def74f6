"""`collectstatic` gathers the files the pages use, not whole packages: every `{% static %}`
path of the templates is found, and of `node_modules` only the named files are collected."""

import re

from django.apps import apps
from django.conf import settings
from django.contrib.staticfiles import finders

STATIC_TAG = re.compile(r"""\{%\s*static\s+['"]([^'"]+)['"]""")


def template_static_paths() -> set[str]:
    templates = [
        path
        for path in settings.BASE_DIR.glob("**/templates/**/*.html")
        if not {"node_modules", ".venv"} & set(path.relative_to(settings.BASE_DIR).parts)
    ]
    return {match for path in templates for match in STATIC_TAG.findall(path.read_text(encoding="utf-8"))}


def collected() -> dict[str, int]:
    """What collectstatic copies: each finder's files, less the staticfiles app's ignore patterns."""
    ignore = apps.get_app_config("staticfiles").ignore_patterns
    files = {}
    for finder in finders.get_finders():
        for path, storage in finder.list(ignore):
            files.setdefault(f"{getattr(storage, 'prefix', None) or ''}/{path}".lstrip("/"), storage.size(path))
    return files


def test_every_static_path_the_templates_use_is_found():
    paths = template_static_paths()
    assert {
        "vendor/bootstrap/css/bootstrap.min.css",
        "vendor/bootstrap/js/bootstrap.bundle.min.js",
        "vendor/echarts/echarts.min.js",
        "vendor/tom-select/js/tom-select.complete.min.js",
        "vendor/tom-select/css/tom-select.bootstrap5.min.css",
    } <= paths
    assert [path for path in sorted(paths) if not finders.find(path)] == []
    assert set(collected()) >= paths


def test_only_the_vendor_files_the_pages_use_are_collected():
    vendor = {path for path in collected() if path.startswith("vendor/")}
    assert vendor == {
        "vendor/bootstrap/css/bootstrap.min.css",
        "vendor/bootstrap/css/bootstrap.min.css.map",  # named by the stylesheet's sourceMappingURL
        "vendor/bootstrap/js/bootstrap.bundle.min.js",  # the main menu's collapse and dropdowns
        "vendor/bootstrap/js/bootstrap.bundle.min.js.map",  # named by the script's sourceMappingURL
        "vendor/echarts/echarts.min.js",
        "vendor/tom-select/css/tom-select.bootstrap5.min.css",  # the pickers' look in Bootstrap's
        "vendor/tom-select/css/tom-select.bootstrap5.min.css.map",
        "vendor/tom-select/js/tom-select.complete.min.js",  # search-as-you-type pickers
        "vendor/tom-select/js/tom-select.complete.min.js.map",
    }
    assert not finders.find("vendor/tom-select/js/tom-select.js")
    assert not finders.find("vendor/echarts/echarts.js")  # the other builds stay in node_modules
    assert not finders.find("vendor/bootstrap/js/bootstrap.js")


def test_unused_package_assets_are_left_out_and_the_whole_stays_small():
    files = collected()
    assert not [path for path in files if path.startswith("rest_framework/")]  # the API renders JSON only
    assert not [path for path in files if "/redoc/" in path]  # the API docs are Swagger UI
    assert "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in files
    assert len(files) < 200
    assert sum(files.values()) < 10 * 1024 * 1024
