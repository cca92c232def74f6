"""The fault drills (`make faults`): the portal under production settings, on throwaway services,
meets three bad days, and each drill prints what it saw and how long recovery took.

Nothing shared is touched: the drills start their own Redis (port FAULTS_REDIS_PORT, 6390) and
their own PostgreSQL cluster (initdb into a temporary folder, port FAULTS_PG_PORT, 5440, run as
the ``postgres`` system user when started as root), then the portal under gunicorn (port
FAULTS_WEB_PORT, 8090) with DJANGO_ENV=production, one Celery worker and Celery beat, all
pointing at them, and stop everything at the end.

1. **Redis stopped.** Pages (public, signed-in lists, the API) still answer: the cache forgives
   Redis being away. An import uploaded meanwhile is kept and shown as waiting; when Redis is
   back, the watch task queues it and it is imported. Prints the errors seen and the seconds
   from Redis's return to the import being done.
2. **A Celery worker killed (SIGKILL) in the middle of an import** (the main process and its
   pool process, as a machine that dies). The job is shown as failed once its heartbeat is
   stale; when a worker runs again, the broker delivers the unacknowledged task again (late
   acknowledgement, after the visibility timeout) and the rerun imports every row exactly once;
   one more delivery changes nothing.
3. **PostgreSQL restarted under load.** Four signed-in clients read pages and an import runs
   while the database stops for five seconds and starts again: requests fail with the Chinese
   503 page (never a 500 or a traceback) and recover; the import is all or nothing, and its
   task's retry imports it once the database is back.

Usage: ``make faults`` or ``.venv/bin/python bench/faults/run.py [redis worker postgres]``.
Exit status 0 when every drill passed. FAULTS_KEEP=1 keeps the temporary folder (logs, data);
FAULTS_REUSE=<that folder> starts from it again without rebuilding the demo data.
"""

# ruff: noqa: S603, S607 - the drills start the local service binaries (redis-server, pg_ctl, pgrep)

import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date, timedelta
from http.cookiejar import DefaultCookiePolicy
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VENV = Path(os.environ.get("VENV", ROOT / ".venv"))
PY = str(VENV / "bin" / "python")
REDIS_PORT = int(os.environ.get("FAULTS_REDIS_PORT", "6390"))
PG_PORT = int(os.environ.get("FAULTS_PG_PORT", "5440"))
WEB_PORT = int(os.environ.get("FAULTS_WEB_PORT", "8090"))
BASE = f"http://127.0.0.1:{WEB_PORT}"
HEARTBEAT_TIMEOUT = 20
PASSWORD = "Yuyao@2026"

# Secure cookies over the loopback's plain HTTP: the TLS proxy's part (as bench/locustfile.py).
DefaultCookiePolicy.return_ok_secure = lambda policy, cookie, request: True


def say(text: str) -> None:
    print(text, flush=True)


def pg_bin() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if not found:
        sys.exit("faults: PostgreSQL server binaries (initdb, pg_ctl) are needed under /usr/lib/postgresql/")
    return found[-1].parent


class Stack:
    """The throwaway services and the portal on them."""

    def __init__(self):
        reuse = os.environ.get("FAULTS_REUSE", "")
        self.reused = bool(reuse) and (Path(reuse) / "keys.json").exists()
        self.dir = Path(reuse) if self.reused else Path(tempfile.mkdtemp(prefix="yuyao-faults-"))
        self.pg = pg_bin()
        self.as_postgres = os.geteuid() == 0
        self.processes: dict[str, subprocess.Popen] = {}
        self.logs: dict[str, Path] = {}
        from cryptography.fernet import Fernet

        keys_file = self.dir / "keys.json"
        if self.reused:
            keys = json.loads(keys_file.read_text())
        else:
            keys = {"SECRET_KEY": secrets.token_urlsafe(50), "FIELD_ENCRYPTION_KEY": Fernet.generate_key().decode()}
            keys_file.write_text(json.dumps(keys))
        self.env = {
            **os.environ,
            "DJANGO_ENV": "production",
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:{PG_PORT}/yuyao_faults",
            "REDIS_URL": f"redis://127.0.0.1:{REDIS_PORT}/0",
            **keys,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECOND_FACTOR_DEMO_EXEMPT": "true",
            "VAR_DIR": str(self.dir / "var"),
            "IMPORT_HEARTBEAT_SECONDS": "3",
            "IMPORT_HEARTBEAT_TIMEOUT": str(HEARTBEAT_TIMEOUT),
            "CELERY_VISIBILITY_TIMEOUT": "30",
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "PYTHONUNBUFFERED": "1",
        }
        self.env.pop("PYTEST_XDIST_WORKER", None)

    # --- Services ------------------------------------------------------------------------

    def _pg(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        command = [str(self.pg / args[0]), *args[1:]]
        if self.as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, check=check, capture_output=True, text=True)

    def pg_start(self) -> None:
        options = f"-p {PG_PORT} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=60"
        self._pg("pg_ctl", "-D", str(self.dir / "pg"), "-o", options, "-l", str(self.dir / "pg.log"), "-w", "start")

    def pg_stop(self) -> None:
        self._pg("pg_ctl", "-D", str(self.dir / "pg"), "-m", "fast", "-w", "stop", check=False)

    def redis_start(self) -> None:
        subprocess.run(["redis-server", "--port", str(REDIS_PORT), "--bind", "127.0.0.1", "--save", "",
                        "--appendonly", "no", "--daemonize", "yes", "--pidfile", str(self.dir / "redis.pid"),
                        "--dir", str(self.dir), "--logfile", str(self.dir / "redis.log")], check=True)  # fmt: skip
        for _ in range(50):
            if subprocess.run(["redis-cli", "-p", str(REDIS_PORT), "ping"], capture_output=True).returncode == 0:
                return
            time.sleep(0.1)
        raise RuntimeError("the drill's Redis did not start")

    def redis_stop(self) -> None:
        subprocess.run(["redis-cli", "-p", str(REDIS_PORT), "shutdown", "nosave"], capture_output=True)
        for _ in range(50):
            if subprocess.run(["redis-cli", "-p", str(REDIS_PORT), "ping"], capture_output=True).returncode != 0:
                return
            time.sleep(0.1)

    def start(self) -> None:
        for port in (REDIS_PORT, PG_PORT, WEB_PORT):
            probe = subprocess.run(["bash", "-c", f"exec 3<>/dev/tcp/127.0.0.1/{port}"], capture_output=True)
            if probe.returncode == 0:
                sys.exit(f"faults: port {port} is in use; set FAULTS_REDIS_PORT / FAULTS_PG_PORT / FAULTS_WEB_PORT")
        if self.reused:  # FAULTS_REUSE: the cluster and data of an earlier run kept with FAULTS_KEEP
            self.pg_start()
            self.redis_start()
        else:
            if self.as_postgres:
                shutil.chown(self.dir, "postgres")
            self._pg("initdb", "-D", str(self.dir / "pg"), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync")
            self.pg_start()
            self._pg("createdb", "-h", "127.0.0.1", "-p", str(PG_PORT), "-U", "postgres", "yuyao_faults")
            self.redis_start()
        started = time.monotonic()
        commands = [["migrate", "--noinput"]]
        if not self.reused:
            commands += [["load_reference_data"], ["load_demo_data"], ["collectstatic", "--noinput"]]
        for command in commands:
            done = subprocess.run([PY, "manage.py", *command], cwd=ROOT, env=self.env, capture_output=True, text=True)
            if done.returncode:
                raise RuntimeError(f"manage.py {command[0]} failed:\n{done.stderr[-3000:]}")
        if self.reused:  # an earlier run's unfinished imports would hold the worker
            unfinished = "UPDATE registry_importjob SET status = 'failed' WHERE status NOT IN ('done', 'failed')"
            self._pg("psql", "-h", "127.0.0.1", "-p", str(PG_PORT), "-U", "postgres", "yuyao_faults", "-c", unfinished)
        say(f"  set-up: migrate, reference and demo data, static files in {time.monotonic() - started:.0f} s")
        self.spawn("web", [str(VENV / "bin" / "gunicorn"), "yuyao_childcare.wsgi", "--bind", f"127.0.0.1:{WEB_PORT}",
                           "--workers", "3", "--timeout", "60", "--access-logfile", "-"])  # fmt: skip
        self.worker_start()
        self.spawn("beat", [str(VENV / "bin" / "celery"), "-A", "yuyao_childcare", "beat", "--loglevel", "INFO",
                            "--schedule", str(self.dir / "beat-schedule")])  # fmt: skip
        seconds = wait_for(lambda: http_status("/healthz/") == 200, 180, "the portal did not answer", every=1)
        say(f"  the portal answers ({seconds:.0f} s after gunicorn started)")

    def spawn(self, name: str, command: list[str]) -> None:
        log = self.dir / f"{name}.log"
        self.logs[name] = log
        self.processes[name] = subprocess.Popen(
            command, cwd=ROOT, env=self.env, stdout=log.open("ab"), stderr=subprocess.STDOUT, start_new_session=True
        )

    def worker_start(self) -> None:
        self.spawn("worker", [str(VENV / "bin" / "celery"), "-A", "yuyao_childcare", "worker", "--loglevel", "INFO",
                              "--concurrency", "1", "--without-gossip", "--without-mingle"])  # fmt: skip

    def worker_children(self) -> list[int]:
        main = self.processes["worker"].pid
        out = subprocess.run(["pgrep", "-P", str(main)], capture_output=True, text=True).stdout
        return [int(pid) for pid in out.split()]

    def stop(self) -> None:
        for process in self.processes.values():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
        self.redis_stop()
        self.pg_stop()
        if os.environ.get("FAULTS_KEEP"):
            say(f"  kept {self.dir} (logs, data)")
        else:
            shutil.rmtree(self.dir, ignore_errors=True)


# --- HTTP --------------------------------------------------------------------------------------


def session():
    import requests

    client = requests.Session()
    client.headers.update({"X-Forwarded-Proto": "https", "Referer": f"https://127.0.0.1:{WEB_PORT}/"})
    return client


def http_status(path: str, client=None) -> int:
    import requests

    try:
        return (client or session()).get(BASE + path, timeout=10, allow_redirects=False).status_code
    except requests.RequestException as error:
        if os.environ.get("FAULTS_DEBUG"):
            say(f"  {path}: {error!r}")
        return 0


def log_in(username: str):
    client = session()
    page = client.get(BASE + "/accounts/login/", timeout=10)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    answer = client.post(BASE + "/accounts/login/", {"csrfmiddlewaretoken": token.group(1), "username": username,
                         "password": PASSWORD}, timeout=10, allow_redirects=False)  # fmt: skip
    if answer.status_code != 302:
        raise RuntimeError(f"{username} could not sign in ({answer.status_code})")
    return client


def wait_for(condition, seconds: float, failure: str, every: float = 0.5) -> float:
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if condition():
            return time.monotonic() - started
        time.sleep(every)
    raise RuntimeError(failure)


# --- The drills' data ----------------------------------------------------------------------------


def django_setup(stack: Stack) -> None:
    os.environ.update(stack.env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yuyao_childcare.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


# The drills' institutions are numbered from a random base, so that a rerun on kept data
# (FAULTS_REUSE) meets no credit code of an earlier run.
BASE_INDEX = secrets.randbelow(90) * 1000


def registration_workbook(first: int, count: int) -> bytes:
    from registry.validators import credit_code_check_character
    from tests.helpers import workbook

    headers = ["统一社会信用代码*", "机构名称*", "法人类型*", "机构类型*", "村（社区）代码*", "详细地址*",
               "登记证书编号*", "登记日期*"]  # fmt: skip
    rows = []
    for index in range(first, first + count):
        first17 = f"91330281MA3F{BASE_INDEX + index % 1000:05d}"
        number = BASE_INDEX + index % 1000
        rows.append([first17 + credit_code_check_character(first17), f"【演练】托育园{number}", "营利性企业",
                     "独立托育机构", "330281103001", f"泗门镇演练路{number}号", f"演练证{number:05d}",
                     date.today() - timedelta(days=3)])  # fmt: skip
    return workbook(headers, rows)


def upload(client, first: int, count: int) -> int:
    page = client.get(BASE + "/registry/imports/", timeout=10)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    answer = client.post(BASE + "/registry/imports/", data={"csrfmiddlewaretoken": token, "kind": "registrations"},
                         files={"file": ("演练.xlsx", registration_workbook(first, count))}, timeout=30,
                         allow_redirects=False)  # fmt: skip
    if answer.status_code != 302:
        raise RuntimeError(f"the upload answered {answer.status_code}")
    return int(re.search(r"/imports/(\d+)/", answer.headers["Location"]).group(1))


def job(pk: int):
    from django.db import connection

    from registry.models import ImportJob

    connection.close()  # a fresh connection each time: the database may have restarted
    return ImportJob.objects.get(pk=pk)


def drill_rows(first: int, count: int) -> int:
    from django.db import connection

    from registry.models import Registration

    connection.close()
    names = [f"【演练】托育园{BASE_INDEX + index % 1000}" for index in range(first, first + count)]
    return Registration.objects.filter(institution__name__in=names).count()


PAGES = ["/", "/accounts/login/", "/registry/institutions/", "/registry/imports/", "/api/v1/institutions/",
         "/training/staff/", "/dashboard/"]  # fmt: skip


# --- The drills ----------------------------------------------------------------------------------


def drill_redis(stack: Stack) -> bool:
    say("\n[1] Redis stopped")
    health, amr = log_in("health"), log_in("amr")
    stack.redis_stop()
    stopped = time.monotonic()
    answers, slowest = [], 0.0
    for _ in range(3):
        for path in PAGES:
            started = time.monotonic()
            answers.append(http_status(path, health))
            slowest = max(slowest, time.monotonic() - started)
    errors = [code for code in answers if code >= 500 or code == 0]
    say(f"  pages while Redis is down: {len(answers)} requests, {len(errors)} errors, slowest {slowest:.2f} s")
    started = time.monotonic()
    pk = upload(amr, 0, 50)
    upload_seconds = time.monotonic() - started
    waiting = job(pk).status
    page = amr.get(f"{BASE}/registry/imports/{pk}/", timeout=10).text
    note = "import-waiting" in page
    say(f"  an upload while Redis is down: accepted in {upload_seconds:.2f} s, job {waiting},"
        f" waiting note shown: {note}")  # fmt: skip
    time.sleep(5)
    down = time.monotonic() - stopped
    stack.redis_start()
    back = time.monotonic()
    say(f"  Redis back after {down:.0f} s (empty: nothing persisted)")
    done = False
    try:
        wait_for(lambda: job(pk).status == "done", 180, "the waiting import was not run")
        done = True
    except RuntimeError as error:
        say(f"  {error}")
    recovered = time.monotonic() - back
    rows = drill_rows(0, 50)
    after = [http_status(path, health) for path in PAGES]
    say(f"  the waiting import done {recovered:.0f} s after Redis returned: {done}, rows saved {rows}/50;"
        f" pages after: {sorted(set(after))}")  # fmt: skip
    ok = not errors and waiting == "pending" and note and done and rows == 50 and all(c < 500 for c in after)
    say(f"  result: {'PASS' if ok else 'FAIL'}")
    return ok


def drill_worker(stack: Stack) -> bool:
    say("\n[2] A Celery worker killed (SIGKILL) in the middle of an import")
    amr = log_in("amr")
    rows_in_file = 600
    pk = upload(amr, 100, rows_in_file)
    wait_for(lambda: job(pk).status == "running" and job(pk).processed_rows >= 100, 180, "the import did not start")
    state = job(pk)
    # The whole worker, its pool process with it: as a machine or container that dies.
    os.killpg(stack.processes["worker"].pid, signal.SIGKILL)
    say(f"  killed the worker (main and pool processes) at {state.processed_rows}/{state.total_rows} rows checked;"
        f" rows saved then: {drill_rows(100, rows_in_file)}")  # fmt: skip

    def shown_failed():
        answer = amr.get(f"{BASE}/registry/imports/{pk}/status/", timeout=10).json()
        errors = str(answer["errors"])
        return answer["status"] == "failed" and ("stopped" in errors or "停止" in errors)

    seen_failed = None
    with contextlib.suppress(RuntimeError):
        seen_failed = wait_for(shown_failed, HEARTBEAT_TIMEOUT + 90, "never shown as failed", every=1)
    say(f"  shown as failed (heartbeat stale) {seen_failed:.0f} s after the kill; heartbeat timeout"
        f" {HEARTBEAT_TIMEOUT} s" if seen_failed is not None else "  never shown as failed")  # fmt: skip
    stack.worker_start()
    restarted = time.monotonic()
    done = False
    try:
        wait_for(lambda: job(pk).status == "done", 600, "the import was not run again", every=1)
        done = True
    except RuntimeError as error:
        say(f"  {error}")
    final, rows = job(pk), drill_rows(100, rows_in_file)
    say(
        f"  worker restarted; the broker delivered the unacknowledged task again and the job was done"
        f" {time.monotonic() - restarted:.0f} s later (attempts {final.attempts}), rows saved {rows}/{rows_in_file}"
    )
    from registry.tasks import import_run_task

    import_run_task.delay(pk)
    time.sleep(10)
    again = drill_rows(100, rows_in_file)
    say(f"  one more delivery of the same job: rows {again}/{rows_in_file} (no duplicates)")
    ok = done and rows == rows_in_file and again == rows_in_file and seen_failed is not None
    say(f"  result: {'PASS' if ok else 'FAIL'}")
    return ok


ROWS_DURING_RESTART = 300


def drill_postgres(stack: Stack) -> bool:
    say("\n[3] PostgreSQL restarted under load")
    clients = [log_in(name) for name in ("health", "leader", "simen", "amr")]
    amr = clients[-1]
    pk = upload(amr, 700, ROWS_DURING_RESTART)
    wait_for(lambda: job(pk).status == "running", 180, "the import did not start")
    results: list[tuple[float, int, bool]] = []
    stop = threading.Event()

    def load(client):
        index = 0
        while not stop.is_set():
            path = PAGES[index % len(PAGES)]
            index += 1
            try:
                answer = client.get(BASE + path, timeout=15, allow_redirects=False)
                chinese = (
                    answer.status_code != 503
                    or "系统暂时无法使用" in answer.text
                    or "service_unavailable" in (answer.text)
                )
                results.append((time.monotonic(), answer.status_code, chinese and "Traceback" not in answer.text))
            except Exception:  # noqa: BLE001 - a refused connection counts as an error seen
                results.append((time.monotonic(), 0, False))
            time.sleep(0.05)

    threads = [threading.Thread(target=load, args=(client,), daemon=True) for client in clients]
    for thread in threads:
        thread.start()
    time.sleep(3)
    down_at = time.monotonic()
    stack.pg_stop()
    time.sleep(5)
    stack.pg_start()
    up_at = time.monotonic()

    def recovered():
        recent = [code for at, code, _ in results if at > time.monotonic() - 1.5]
        return bool(recent) and all(0 < code < 500 for code in recent)

    recovery = wait_for(recovered, 120, "the pages did not recover", every=0.5)
    time.sleep(3)
    stop.set()
    for thread in threads:
        thread.join(timeout=20)
    during = [(code, clean) for at, code, clean in results if at >= down_at]
    codes: dict[int, int] = {}
    for code, _ in during:
        codes[code] = codes.get(code, 0) + 1
    unclean = sum(1 for code, clean in during if not clean)
    say(f"  database down {up_at - down_at:.1f} s; {len(results)} requests in all, answers from the stop on: {codes}")
    say(f"  pages answering again {recovery:.1f} s after the database started; 503 pages not in the Chinese"
        f" page's words: {unclean}")  # fmt: skip
    try:
        # Done, or failed on its rows; a job failed only because its run was cut (interrupted) is
        # taken again by the task's retry.
        wait_for(lambda: (state := job(pk)).status == "done" or (state.status == "failed" and not state.interrupted),
                 600, "the import did not finish")  # fmt: skip
    except RuntimeError as error:
        say(f"  {error}")
    final, rows = job(pk), drill_rows(700, ROWS_DURING_RESTART)
    whole = (final.status == "done" and rows == ROWS_DURING_RESTART) or (final.status != "done" and rows == 0)
    say(f"  the import during the restart: {final.status}, attempts {final.attempts},"
        f" rows saved {rows}/{ROWS_DURING_RESTART}"
        f" ({'all or nothing' if whole else 'HALF-WRITTEN'})")  # fmt: skip
    ok = codes.get(500, 0) == 0 and unclean == 0 and whole
    say(f"  result: {'PASS' if ok else 'FAIL'}")
    return ok


DRILLS = {"redis": drill_redis, "worker": drill_worker, "postgres": drill_postgres}


def main(names: list[str]) -> int:
    chosen = names or list(DRILLS)
    unknown = [name for name in chosen if name not in DRILLS]
    if unknown:
        sys.exit(f"faults: unknown drill {unknown}; choose from {list(DRILLS)}")
    stack = Stack()
    say(f"faults: throwaway Redis :{REDIS_PORT}, PostgreSQL :{PG_PORT}, portal :{WEB_PORT} in {stack.dir}")
    results = {}
    try:
        stack.start()
        django_setup(stack)
        for name in chosen:
            try:
                results[name] = DRILLS[name](stack)
            except Exception as error:  # noqa: BLE001 - a drill that breaks is a failed drill
                say(f"  drill {name} broke: {error!r}")
                results[name] = False
    finally:
        stack.stop()
    say("\nfaults: " + ", ".join(f"{name} {'PASS' if ok else 'FAIL'}" for name, ok in results.items()))
    return 0 if results and all(results.values()) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
