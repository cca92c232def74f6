"""The production shape, checked the way an operator would: `manage.py` in a fresh process with
only the environment a deployment gives it."""

import os
import re
import secrets
import string
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[1]
SETTINGS_SOURCE = (ROOT / "yuyao_childcare" / "settings.py").read_text(encoding="utf-8")
# Every variable the settings read, so that nothing from the caller's shell leaks into a case.
SETTINGS_VARIABLES = set(re.findall(r"env\.\w+\(\s*\"([A-Z0-9_]+)\"", SETTINGS_SOURCE)) | {
    "DJANGO_SETTINGS_MODULE",
    "DJANGO_ENV",
    "DJANGO_ALLOW_ASYNC_UNSAFE",  # the browser tests set it; the deploy check warns about it
    "DATABASE_URL",
    "REDIS_URL",
}


def strong_key() -> str:
    alphabet = string.ascii_letters + string.digits + "!@#%^&*(-_=+)"
    return "".join(secrets.choice(alphabet) for _ in range(60))


@pytest.fixture
def production_env(tmp_path) -> dict[str, str]:
    """A complete, valid production environment; each case removes or spoils one variable."""
    env = {name: value for name, value in os.environ.items() if name not in SETTINGS_VARIABLES}
    env.update(
        DJANGO_SETTINGS_MODULE="yuyao_childcare.settings",
        DJANGO_ENV="production",
        SECRET_KEY=strong_key(),
        ALLOWED_HOSTS="portal.example.gov.cn",
        FIELD_ENCRYPTION_KEY=Fernet.generate_key().decode(),
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        VAR_DIR=str(tmp_path / "var"),
        STATIC_ROOT=str(tmp_path / "static"),
        MEDIA_ROOT=str(tmp_path / "media"),
    )
    return env


def manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - fixed arguments, our own interpreter and manage.py
        [sys.executable, str(ROOT / "manage.py"), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_deploy_check_passes_without_warnings(production_env):
    result = manage(production_env, "check", "--deploy", "--fail-level", "WARNING")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output, output
    assert "WARNING" not in output, output


@pytest.mark.parametrize(
    "secret_key",
    [
        pytest.param(None, id="missing"),
        pytest.param("", id="empty"),
        pytest.param("django-insecure-" + strong_key(), id="django-insecure"),
        pytest.param("Sh0rt!key-" + "x" * 20, id="short"),
        pytest.param("ab" * 30, id="few-distinct-characters"),
    ],
)
def test_production_refuses_a_weak_secret_key(production_env, secret_key):
    if secret_key is None:
        del production_env["SECRET_KEY"]
    else:
        production_env["SECRET_KEY"] = secret_key
    result = manage(production_env, "check")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY" in result.stderr


@pytest.mark.parametrize("value", [None, "", " , "])
def test_production_refuses_missing_allowed_hosts(production_env, value):
    if value is None:
        del production_env["ALLOWED_HOSTS"]
    else:
        production_env["ALLOWED_HOSTS"] = value
    result = manage(production_env, "check")
    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr


def test_production_refuses_missing_field_encryption_key(production_env):
    del production_env["FIELD_ENCRYPTION_KEY"]
    result = manage(production_env, "check")
    assert result.returncode != 0
    assert "FIELD_ENCRYPTION_KEY" in result.stderr


def test_a_bad_debug_value_fails_naming_debug(production_env):
    production_env["DEBUG"] = "maybe"
    result = manage(production_env, "check")
    assert result.returncode != 0
    assert "DEBUG" in result.stderr
    assert "maybe" in result.stderr


def test_debug_on_in_production_fails_the_deploy_check(production_env):
    production_env["DEBUG"] = "true"
    result = manage(production_env, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode != 0
    assert "security.W018" in result.stdout + result.stderr


def test_the_health_check_answers_over_plain_http_and_every_page_redirects_to_https(production_env):
    """The load balancer checks gunicorn directly; people always go through HTTPS."""
    code = (
        "from django.test import Client; c = Client(); "
        "print(c.get('/healthz/').status_code, c.get('/accounts/login/').status_code)"
    )
    production_env["ALLOWED_HOSTS"] = "testserver"
    result = manage(production_env, "shell", "-c", code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-2:] == ["200", "301"]


def test_a_partly_configured_unified_identity_fails_naming_what_is_missing(production_env):
    production_env.update(OIDC_ISSUER="https://id.example.gov.cn", OIDC_RP_CLIENT_ID="yuyao-portal")
    result = manage(production_env, "check")
    assert result.returncode != 0
    assert "OIDC_OP_TOKEN_ENDPOINT" in result.stderr and "OIDC_RP_CLIENT_SECRET" in result.stderr
    assert "OIDC_ISSUER," not in result.stderr


def test_the_unified_identity_fully_configured_passes_the_deploy_check(production_env):
    base = "https://id.example.gov.cn/oidc"
    production_env.update(
        OIDC_ISSUER="https://id.example.gov.cn",
        OIDC_OP_AUTHORIZATION_ENDPOINT=f"{base}/authorize",
        OIDC_OP_TOKEN_ENDPOINT=f"{base}/token",
        OIDC_OP_JWKS_ENDPOINT=f"{base}/jwks",
        OIDC_RP_CLIENT_ID="yuyao-portal",
        OIDC_RP_CLIENT_SECRET=strong_key(),
    )
    result = manage(production_env, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
