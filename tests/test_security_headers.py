"""Headers (issue 16): a Content-Security-Policy that runs no inline script and a
Permissions-Policy, on every answer, with the production settings too; the templates hold no
inline script or inline event handler that the policy would silently break."""

import json
import re
from pathlib import Path

from django.conf import settings
from django.template import engines

from tests.test_production_settings import manage, production_env  # noqa: F401 - a fixture

ROOT = Path(__file__).resolve().parent.parent
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)
JAVASCRIPT_URL = re.compile(r"""(href|src|action)\s*=\s*["']\s*javascript:""", re.I)


def directives(policy: str) -> dict[str, list[str]]:
    parts = [part.split() for part in policy.split(";") if part.strip()]
    return {part[0]: part[1:] for part in parts}


def assert_strict(response) -> None:
    policy = directives(response["Content-Security-Policy"])
    scripts = policy.get("script-src", policy["default-src"])
    assert "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts and "*" not in scripts
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
    assert "camera=()" in response["Permissions-Policy"] and "geolocation=()" in response["Permissions-Policy"]


def test_pages_api_and_errors_carry_both_headers(client_as, client):
    for response in [
        client.get("/accounts/login/"),
        client.get("/registry/public/"),
        client_as("health").get("/"),
        client_as("health").get("/dashboard/"),
        client_as("health").get("/api/v1/me/"),
        client_as("nursery1").get("/registry/institutions/999999999/"),
    ]:
        assert_strict(response)


def _template_files():
    """The portal's own templates (site-wide and each app's)."""
    for directory in engines["django"].template_dirs:
        if Path(directory).resolve().is_relative_to(ROOT) and ".venv" not in Path(directory).parts:
            yield from Path(directory).rglob("*.html")


def test_no_template_runs_an_inline_script_or_handler():
    offenders = []
    for path in _template_files():
        text = path.read_text(encoding="utf-8")
        for pattern in (INLINE_SCRIPT, INLINE_HANDLER, JAVASCRIPT_URL):
            offenders += [f"{path.relative_to(ROOT)}: {match.group(0)[:80]}" for match in pattern.finditer(text)]
    assert not offenders, "\n".join(offenders)


def test_the_behaviour_once_inline_is_wired_by_the_portal_s_own_script(client_as):
    page = client_as("health").get("/").content.decode()
    assert 'id="language-select"' in page and "data-autosubmit" in page
    assert re.search(r'<script src="/static/js/portal[.\w]*\.js" defer>', page)


def test_admin_pages_run_no_inline_script(client_as):
    client = client_as("sysadmin")
    for url in ["/admin/", "/admin/authtoken/tokenproxy/add/", "/admin/accounts/user/"]:
        response = client.get(url)
        assert response.status_code == 200 and not INLINE_SCRIPT.search(response.content.decode()), url
        assert_strict(response)


def test_the_api_docs_start_swagger_ui_from_a_file(client_as):
    client = client_as("health")
    page = client.get("/api/docs/").content.decode()
    assert not INLINE_SCRIPT.search(page)
    start = re.findall(r'<script src="([^"]+)"', page)
    assert any("script" in src and "/api/docs/" in src for src in start), start
    script = client.get(next(src for src in start if "/api/docs/" in src))
    assert script.status_code == 200 and "SwaggerUIBundle" in script.content.decode()


def test_the_production_settings_send_the_headers(production_env):  # noqa: F811
    code = (
        "from django.test import Client; import json;"
        "r = Client().get('/api/v1/me/', secure=True, HTTP_HOST='portal.example.gov.cn');"
        "print(json.dumps({'status': r.status_code, 'csp': r.get('Content-Security-Policy'),"
        " 'pp': r.get('Permissions-Policy')}))"
    )
    result = manage(production_env, "shell", "-c", code)
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    assert answer["status"] == 401  # no database or static files needed to answer this one
    assert answer["csp"] == settings.CONTENT_SECURITY_POLICY and answer["pp"] == settings.PERMISSIONS_POLICY
    assert "'unsafe-inline'" not in directives(answer["csp"])["script-src"]
