# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip

.PHONY: run serve-prod bench faults test lint messages clean check-python

check-python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (set PYTHON=...)")'

# The pinned requirements are installed by uv, five times faster than pip (a fresh clone's
# venv in about 10 s instead of 50). uv reads UV_DEFAULT_INDEX for a mirror; `INSTALLER=pip`
# installs with pip and its pip.conf instead.
INSTALLER ?= uv
UV_VERSION := 0.13.10
ifeq ($(INSTALLER),uv)
INSTALL = $(VENV)/bin/uv pip install --quiet --python $(PY)
else
INSTALL = $(PIP) install --quiet
endif

$(VENV)/.installed-run: requirements.txt | check-python
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(if $(filter uv,$(INSTALLER)),$(PIP) install --quiet uv==$(UV_VERSION))
	$(INSTALL) -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed-run
	$(INSTALL) -r requirements-dev.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# The embedded default: SQLite under var/, no other service; Celery tasks run in-process.
run: $(VENV)/.installed-run node_modules/.installed
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_reference_data
	$(PY) manage.py load_demo_data
	@echo ""
	@echo "  余姚市婴幼儿照护服务管理平台 is starting on http://127.0.0.1:8000"
	@echo "  Log in at http://127.0.0.1:8000/accounts/login/ as health, leader, simen, nursery1 ... (see README)"
	@echo "  with the demo password Yuyao@2026"
	@echo ""
	$(PY) manage.py runserver 127.0.0.1:8000

# The production stack on one machine: PostgreSQL and Redis from DATABASE_URL and REDIS_URL,
# gunicorn, a Celery worker and beat, stopped together by Ctrl-C (see README, Production).
serve-prod: $(VENV)/.installed-run node_modules/.installed
	deploy/serve-prod.sh

# The load benchmark (bench/locustfile.py) against a running `make serve-prod` started with
# LOAD_DEMO_DATA=true and SECOND_FACTOR_DEMO_EXEMPT=true (the simulated demo users sign in with a
# password only): BENCH_USERS simulated users for BENCH_TIME, then a table per page.
BENCH_HOST ?= http://127.0.0.1:8001
BENCH_USERS ?= 20
BENCH_TIME ?= 1m
bench: $(VENV)/.installed-dev
	$(VENV)/bin/locust -f bench/locustfile.py --headless --only-summary --host $(BENCH_HOST) \
		--users $(BENCH_USERS) --spawn-rate 5 --run-time $(BENCH_TIME)

# The fault drills (bench/faults/run.py): the portal under production settings on a throwaway
# Redis (:6390) and PostgreSQL cluster (:5440, initdb into a temporary folder), with gunicorn, a
# Celery worker and beat; Redis stopped, a worker killed mid-import, PostgreSQL restarted under
# load. Never touches other services. FAULTS="redis worker postgres" picks drills.
FAULTS ?=
faults: $(VENV)/.installed-dev
	$(PY) bench/faults/run.py $(FAULTS)

# The whole suite, one worker per core (pytest-xdist; each worker has a database of its own).
# DATABASE_URL / REDIS_URL are used when set; the embedded defaults otherwise.
TEST_WORKERS ?= $(shell nproc 2>/dev/null || echo 2)
test: $(VENV)/.installed-dev node_modules/.installed
	DJANGO_ENV=test $(PY) -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# Refresh the Chinese catalogue after changing user-facing strings (needs GNU gettext).
messages: $(VENV)/.installed-dev
	$(PY) manage.py makemessages -l zh_Hans --ignore=node_modules --ignore=.venv --ignore=var
	$(PY) manage.py compilemessages -l zh_Hans --ignore=node_modules --ignore=.venv

clean:
	rm -rf var/db.sqlite3 var/media
