#!/usr/bin/env bash
# The production stack on one machine: gunicorn, a Celery worker and Celery beat, started after
# the deploy checks, migrations, reference data and collectstatic, and stopped together.
#
# Ctrl-C, or SIGTERM/SIGINT to this script or to its whole process group, stops all three and
# waits for them (gunicorn finishes its requests, the worker its tasks). If one of them dies,
# the others are stopped too: a half-running stack is worse than a stopped one.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
PY=$VENV/bin/python

fail() { echo "serve-prod: $*" >&2; exit 2; }

missing=()
for name in DATABASE_URL REDIS_URL SECRET_KEY ALLOWED_HOSTS FIELD_ENCRYPTION_KEY; do
    [ -n "${!name:-}" ] || missing+=("$name")
done
if ((${#missing[@]})); then
    fail "set ${missing[*]} in the environment (see README, \"Production on one machine\").
  For example:
    DATABASE_URL=postgres://user:password@127.0.0.1:5432/yuyao_prod
    REDIS_URL=redis://127.0.0.1:6379/0
    SECRET_KEY=\$($PY -c 'import secrets; print(secrets.token_urlsafe(50))')
    ALLOWED_HOSTS=portal.example.gov.cn,127.0.0.1
    FIELD_ENCRYPTION_KEY=\$($PY -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')"
fi
case "$DATABASE_URL" in
    postgres://* | postgresql://*) ;;
    *) fail "DATABASE_URL must be a PostgreSQL address (postgres://...), not ${DATABASE_URL%%:*}:" ;;
esac
case "$REDIS_URL" in
    redis://* | rediss://*) ;;
    *) fail "REDIS_URL must be a Redis address (redis://host:6379/0)" ;;
esac

export DJANGO_ENV=production
PORT=${PORT:-8001}
BIND=${BIND:-127.0.0.1}  # behind the TLS proxy; 0.0.0.0 only if the proxy is on another host
# gunicorn's rule of thumb, 2 x cores + 1; WEB_CONCURRENCY overrides it.
WEB_CONCURRENCY=${WEB_CONCURRENCY:-$((2 * $(nproc) + 1))}
CELERY_CONCURRENCY=${CELERY_CONCURRENCY:-$(nproc)}
VAR_DIR=${VAR_DIR:-var}
mkdir -p "$VAR_DIR"

"$PY" - <<'PY' || fail "the services in DATABASE_URL and REDIS_URL must be reachable (see above)."
import os, sys
import psycopg2, redis
try:
    psycopg2.connect(os.environ["DATABASE_URL"], connect_timeout=5).close()
except psycopg2.Error as error:
    sys.exit(f"PostgreSQL: {error}".strip())
try:
    redis.Redis.from_url(os.environ["REDIS_URL"], socket_connect_timeout=5).ping()
except redis.RedisError as error:
    sys.exit(f"Redis: {error}")
PY

"$PY" manage.py check --deploy --fail-level WARNING
"$PY" manage.py migrate --noinput
"$PY" manage.py load_reference_data
if [ "${LOAD_DEMO_DATA:-false}" = true ]; then
    "$PY" manage.py load_demo_data  # the demo accounts, for trials and the load benchmark only
fi
"$PY" manage.py collectstatic --noinput

pids=()
stop() {
    trap - INT TERM EXIT
    if ((${#pids[@]})); then
        echo "serve-prod: stopping gunicorn, the Celery worker and beat" >&2
        kill -TERM "${pids[@]}" 2>/dev/null || true
        wait "${pids[@]}" 2>/dev/null || true
    fi
}
trap 'stop; exit 130' INT
trap 'stop; exit 143' TERM
trap stop EXIT

"$VENV/bin/gunicorn" yuyao_childcare.wsgi --bind "$BIND:$PORT" --workers "$WEB_CONCURRENCY" \
    --max-requests 2000 --max-requests-jitter 200 --access-logfile - &
pids+=($!)
"$VENV/bin/celery" -A yuyao_childcare worker --loglevel INFO --concurrency "$CELERY_CONCURRENCY" &
pids+=($!)
# One beat per deployment: a second one would send every scheduled job twice.
"$VENV/bin/celery" -A yuyao_childcare beat --loglevel INFO --schedule "$VAR_DIR/celerybeat-schedule" &
pids+=($!)

echo "serve-prod: http://$BIND:$PORT/ (gunicorn x$WEB_CONCURRENCY, Celery worker x$CELERY_CONCURRENCY, beat);" \
    "Ctrl-C stops all" >&2
# Whichever stops first (or a signal) ends the wait; the EXIT trap stops the rest.
set +e
wait -n "${pids[@]}"
status=$?
echo "serve-prod: a process exited with status $status; stopping the others" >&2
exit "$status"
