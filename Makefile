PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app app
HOST ?= 127.0.0.1
PORT ?= 5000
WORKERS ?= 2
THREADS ?= 4

.PHONY: run serve bench screenshots test lint install setup clean

$(BIN)/python:
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Python 3.11 or newer is needed")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q --disable-pip-version-check -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q --disable-pip-version-check -e '.[test]'
	touch $@ $(VENV)/.installed

# A local Learning Record Store for the xAPI tests, kept apart from the app's environment.
.venv-lrs/.installed: tests/lrs-requirements.txt
	$(PYTHON) -m venv .venv-lrs
	.venv-lrs/bin/python -m pip install -q --disable-pip-version-check -r tests/lrs-requirements.txt
	touch $@

install: $(VENV)/.installed

# A few lines: the database revision, the course and code set loaded, the demo accounts, the address to open
# (`$(FLASK) setup -v` also shows each migration step).
setup: install
	@HOST=$(HOST) PORT=$(PORT) $(FLASK) setup

# HOST and PORT also reach the app, whose e-mailed links and certificate QR codes then point here (BASE_URL).
run: setup
	@HOST=$(HOST) PORT=$(PORT) $(FLASK) run --host $(HOST) --port $(PORT)

# Production: gunicorn with the production configuration (SECRET_KEY and AUDIT_KEY must be set; see README).
serve: install
	FLASK_CONFIG=production $(FLASK) db upgrade -x verbose=1
	FLASK_CONFIG=production $(FLASK) content sync
	FLASK_CONFIG=production $(BIN)/gunicorn --workers $(WORKERS) --threads $(THREADS) --bind $(HOST):$(PORT) \
		--access-logfile - --forwarded-allow-ips "$${FORWARDED_ALLOW_IPS:-127.0.0.1}" 'app:create_app(migrations=False)'

# Load test under gunicorn with wrk (Debian's package); DATABASE_URL may name an empty PostgreSQL database.
bench: $(VENV)/.installed-test
	@command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk >/dev/null)
	$(BIN)/python -m tests.bench
	$(BIN)/python -m tests.lock_bench

# The README's pictures: dashboard, lesson and quiz at phone and desktop widths (needs Debian's chromium).
screenshots: $(VENV)/.installed-test
	$(BIN)/python -m tests.screenshots

test: lint .venv-lrs/.installed
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check app tests config.py migrations/env.py
	$(BIN)/bandit -q -c pyproject.toml -r app config.py

clean:
	rm -rf $(VENV) .venv-lrs .pytest_cache
