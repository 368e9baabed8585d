# Two commands for a newcomer: `make run` and `make test`. Everything else is set up on the way.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
STAMP := $(VENV)/.installed

# Debian packages: the PDF's fonts for running; a PDF reader and a browser for the tests.
FONT_FILE := /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc

.PHONY: run worker serve test bench setup test-setup system-packages test-system-packages lint messages clean-db

# The development server and a background worker beside it (bin/run stops both on Ctrl+C).
run: setup
	$(PY) manage.py bootstrap --demo
	PORT=$(PORT) PY=$(PY) bin/run

# The background worker alone (production: run it as its own service, docs/operators.md).
worker: setup
	PY=$(PY) bin/worker

# The production configuration (gunicorn, WhiteNoise, settings from the environment) on
# 127.0.0.1:$(PORT); needs SECRET_KEY and DATABASE_URL (docs/deploy.md). No demo data.
serve: setup
	PORT=$(PORT) PY=$(PY) bin/serve

# One worker per core (pytest-xdist); each worker has its own test database. A worker that
# runs out of tests takes some from the other's queue (worksteal): the browser tests, a few
# seconds each, no longer end the run on one worker (PostgreSQL 5:15 → 3:37 here).
test: test-setup
	$(PY) -m pytest -n auto --dist worksteal

# Benchmarks (not part of `make test`; several minutes): publish through the edition commands,
# admin pages, import and public pages at 1×, 10× and 100× on SQLite and, when DATABASE_URL
# names a PostgreSQL server, there too (in a database `<name>_bench` beside the named one,
# dropped and made again). The run goes atop bench/HISTORY.md with the date, the machine and
# the load average; bench/README.md keeps the current figures.
BENCH_SCALES ?= 1,10,100
bench: setup
	@command -v wrk >/dev/null || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq wrk; }
	$(PY) bench/run.py --scales $(BENCH_SCALES) --write

# Our modules' bytecode, written once (also where PYTHONDONTWRITEBYTECODE is set): every
# command and worker then starts about 0.1 s sooner.
setup: system-packages $(STAMP)
	@$(PY) -m compileall -q -j 0 manage.py config catalogue publishing operations >/dev/null

test-setup: setup test-system-packages

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' \
		|| { echo "需要 Python 3.11 以上（目前：$$($(PYTHON) --version)）"; exit 1; }
	@$(PYTHON) -c 'import ensurepip' 2>/dev/null \
		|| $(SUDO) apt-get install -y python3-venv
	@[ -x $(PY) ] || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e '.[test]'
	@touch $@

system-packages:
	@[ -e $(FONT_FILE) ] || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq fonts-noto-cjk fonts-dejavu-core; }

test-system-packages:
	@missing=""; \
	command -v pdftotext >/dev/null || missing="$$missing poppler-utils"; \
	[ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	if [ -n "$$missing" ]; then $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq $$missing; fi

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# After changing user-facing text: update the English catalogue, translate, then compile.
messages: setup
	$(PY) manage.py makemessages -l en
	$(PY) manage.py compilemessages --ignore=$(VENV)

clean-db:
	rm -f db.sqlite3
