"""`make serve-prod` (deploy/serve-prod.sh): refuses an incomplete environment with a clear
message, and starts gunicorn, the Celery worker and beat so that they stop together.

The three servers are stand-ins here (a fake virtualenv whose programs only record their pid
and sleep): what is under test is the script's checks and its process handling. The real stack
is tried by hand as the README describes."""

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "deploy" / "serve-prod.sh"
REQUIRED = ["DATABASE_URL", "REDIS_URL", "SECRET_KEY", "ALLOWED_HOSTS", "FIELD_ENCRYPTION_KEY"]


@pytest.fixture
def fake_venv(tmp_path):
    """bin/python accepts every step and does nothing; gunicorn and celery record their pid and
    sleep (``celery`` records ``celery-worker`` or ``celery-beat``)."""
    bin_dir = tmp_path / "venv" / "bin"
    bin_dir.mkdir(parents=True)
    (bin_dir / "python").write_text('#!/bin/sh\n[ "$1" = - ] && cat >/dev/null\nexit 0\n')
    server = '#!/bin/sh\necho $$ > "$PIDS/{name}"\nexec sleep 300\n'
    (bin_dir / "gunicorn").write_text(server.format(name="gunicorn"))
    (bin_dir / "celery").write_text(server.format(name="celery-$3"))
    for program in bin_dir.iterdir():
        program.chmod(0o755)
    (tmp_path / "pids").mkdir()
    return tmp_path


def script_env(fake_venv, **overrides):
    env = {"PATH": os.environ["PATH"], "VENV": str(fake_venv / "venv"), "PIDS": str(fake_venv / "pids")}
    env.update(
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/yuyao_prod",
        REDIS_URL="redis://127.0.0.1:6379/0",
        SECRET_KEY="k" * 60,
        ALLOWED_HOSTS="127.0.0.1",
        FIELD_ENCRYPTION_KEY="key",
        VAR_DIR=str(fake_venv / "var"),
    )
    env.update(overrides)
    return {name: value for name, value in env.items() if value is not None}


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def start(env) -> subprocess.Popen:
    # A session of its own, as a terminal gives `make serve-prod` a process group of its own.
    return subprocess.Popen(  # noqa: S603 - our own script
        [str(SCRIPT)], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True
    )


def wait_for_servers(fake_venv) -> dict[str, int]:
    names = {"gunicorn", "celery-worker", "celery-beat"}
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        found = {p.name: p.read_text().strip() for p in (fake_venv / "pids").iterdir()}
        if set(found) == names and all(found.values()):
            return {name: int(pid) for name, pid in found.items()}
        time.sleep(0.05)
    raise AssertionError(f"the servers did not start: {found}")


@pytest.mark.parametrize("missing", REQUIRED)
def test_serve_prod_names_each_missing_variable_and_starts_nothing(fake_venv, missing):
    result = subprocess.run(  # noqa: S603
        [str(SCRIPT)], env=script_env(fake_venv, **{missing: None}), capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 2
    assert f"set {missing} in the environment" in result.stderr
    assert not list((fake_venv / "pids").iterdir())


def test_serve_prod_refuses_a_database_that_is_not_postgresql(fake_venv):
    env = script_env(fake_venv, DATABASE_URL="sqlite:///var/db.sqlite3")
    result = subprocess.run([str(SCRIPT)], env=env, capture_output=True, text=True, timeout=30)  # noqa: S603
    assert result.returncode == 2
    assert "DATABASE_URL must be a PostgreSQL address" in result.stderr


@pytest.mark.parametrize("signal_to", ["group", "script"])
def test_a_signal_stops_web_worker_and_beat_together(fake_venv, signal_to):
    process = start(script_env(fake_venv))
    pids = wait_for_servers(fake_venv)
    assert all(alive(pid) for pid in pids.values())
    if signal_to == "group":
        os.killpg(process.pid, signal.SIGTERM)  # what a supervisor or Ctrl-C does
    else:
        process.send_signal(signal.SIGTERM)
    output, _ = process.communicate(timeout=15)
    assert process.returncode == 143, output
    assert "stopping gunicorn, the Celery worker and beat" in output
    assert not [name for name, pid in pids.items() if alive(pid)]


def test_when_one_server_dies_the_others_are_stopped(fake_venv):
    process = start(script_env(fake_venv))
    pids = wait_for_servers(fake_venv)
    os.kill(pids["celery-worker"], signal.SIGKILL)
    output, _ = process.communicate(timeout=15)
    assert process.returncode != 0
    assert "a process exited" in output
    assert not [name for name, pid in pids.items() if alive(pid)]
