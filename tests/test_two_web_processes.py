"""Beyond one machine: two web processes with no local state of their own.

Two gunicorn processes, each with one worker, serve the same PostgreSQL database (this test's)
and Redis, as two web nodes behind a load balancer would. A keeper signs in on the first and goes
on working on the second; a certificate scan uploaded through the second is downloaded through the
first; signing out on one ends the session on both. The uploaded files go through Django's storage
API to a folder both processes name (here a shared directory, in a deployment the S3-compatible
object store of ``STORAGE_BACKEND=s3``).

PostgreSQL only: two processes cannot share the in-memory SQLite database of the test run."""

import os
import re
import socket
import subprocess
import sys
import time
from contextlib import ExitStack
from pathlib import Path
from urllib.parse import quote

import pytest
import requests
from django.conf import settings
from django.db import connection
from django.urls import reverse

from accounts.demo import DEMO_PASSWORD
from tests.training.helpers import PDF
from training.models import Certificate, CertificateKind, StaffMember

ROOT = Path(__file__).resolve().parents[1]

pytestmark = [
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
        reason="needs PostgreSQL: two web processes cannot share the test run's in-memory SQLite database",
    ),
    pytest.mark.django_db(transaction=True),  # the web processes see only committed rows
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _database_url() -> str:
    """This test's database (the test run's, not DATABASE_URL's) as an address for the children."""
    db = connection.settings_dict
    credentials = quote(db["USER"] or "postgres") + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _start(port: int, media: Path, log: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_ENV": "test",  # the test run's password hasher, for the cast's passwords
        "DATABASE_URL": _database_url(),
        "MEDIA_ROOT": str(media),
        "STORAGE_BACKEND": "local",
        "EMBEDDED_SCHEDULER": "false",
    }
    if settings.REDIS_URL:
        env["REDIS_URL"] = settings.REDIS_URL
    command = [sys.executable, "-m", "gunicorn", "yuyao_childcare.wsgi", "-w", "1", "-b", f"127.0.0.1:{port}"]
    return subprocess.Popen(  # noqa: S603 - our own interpreter and fixed arguments
        command, cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT
    )


def _wait_up(base: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the web process on {base} stopped: {log.read_text(errors='replace')[-2000:]}")
        try:
            if requests.get(f"{base}/healthz/", timeout=5).status_code == 200:
                return
        except requests.RequestException:  # not listening yet, or still loading
            pass
        time.sleep(0.2)
    pytest.fail(f"the web process on {base} did not answer in 30 s: {log.read_text(errors='replace')[-2000:]}")


def _csrf(session: requests.Session, url: str) -> str:
    page = session.get(url, timeout=10)
    assert page.status_code == 200, (url, page.status_code)
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)


@pytest.fixture
def two_web_processes(tmp_path):
    media = tmp_path / "media"  # one storage for both: the object store of a real deployment
    media.mkdir()
    with ExitStack() as stack:
        bases, processes = [], []
        for name in ("a", "b"):
            port, log = _free_port(), tmp_path / f"web-{name}.log"
            process = _start(port, media, log)
            stack.callback(process.wait, 10)
            stack.callback(process.terminate)
            bases.append(f"http://127.0.0.1:{port}")
            processes.append((process, log))
        for base, (process, log) in zip(bases, processes, strict=True):
            _wait_up(base, process, log)
        yield bases


def test_a_session_and_an_upload_cross_from_one_web_process_to_the_other(two_web_processes):
    first, second = two_web_processes
    member = (
        StaffMember.objects.filter(
            institution__organisation__code="demo-simen-xingxing", role="caregiver", left_on__isnull=True
        )
        .order_by("pk")
        .first()
    )
    browser = requests.Session()  # one browser: its cookies go to whichever node answers

    # Signed in on the first process...
    login = f"{first}{reverse('login')}"
    token = _csrf(browser, login)
    answer = browser.post(
        login,
        data={"username": "nursery1", "password": DEMO_PASSWORD, "csrfmiddlewaretoken": token},
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 302 and reverse("login") not in answer.headers["Location"]

    # ...and still signed in on the second, which uploads a certificate scan.
    create = f"{second}{reverse('certificate_create', args=[member.pk])}"
    token = _csrf(browser, create)  # a login page would have no such form
    answer = browser.post(
        create,
        data={
            "csrfmiddlewaretoken": token,
            "kind": CertificateKind.objects.get(code="infant-carer").pk,
            "level": "四级",
            "number": "双节点证书0001",
            "issuer": "浙江省人力资源和社会保障厅",
            "issued_on": "2024-06-01",
            "expires_on": "",
        },
        files={"scan": ("certificate.pdf", PDF, "application/pdf")},
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 302, answer.text[:500]
    certificate = Certificate.objects.get(number="双节点证书0001")

    # The first process serves the file the second one stored.
    scan = browser.get(f"{first}{reverse('certificate_scan', args=[certificate.pk])}", timeout=10)
    assert scan.status_code == 200 and scan.content == PDF

    # Signing out on the second ends the session on the first as well.
    token = _csrf(browser, f"{second}/")
    assert browser.post(f"{second}{reverse('logout')}", data={"csrfmiddlewaretoken": token}, timeout=10).ok
    after = browser.get(f"{first}{reverse('certificate_create', args=[member.pk])}", allow_redirects=False, timeout=10)
    assert after.status_code == 302 and reverse("login") in after.headers["Location"]
