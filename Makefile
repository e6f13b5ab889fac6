# The two commands of the README: `make run` and `make test`.
# The first of these that is Python 3.11 or newer (or: make PYTHON=/path/to/python3).
PYTHON ?= $(shell for candidate in python3 python3.13 python3.12 python3.11; do \
	$$candidate -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null \
	&& command -v $$candidate && break; done)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8000
export DJANGO_DEBUG ?= 1

.PHONY: install run test migrate lint serve

install: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || test -n "$(PYTHON)" \
		|| { echo "Python 3.11 or newer is needed: none of python3, python3.13, python3.12, python3.11 is. Install one, or make PYTHON=/path/to/python3." >&2; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

migrate: install
	$(BIN)/python manage.py migrate --noinput

run: migrate
	$(BIN)/python manage.py load_dataset --if-empty
	$(BIN)/python manage.py ensure_admin
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# On every core (pytest-xdist): each worker has its own test database, cache
# key prefix (alert/settings_test.py) and live server port. TEST_WORKERS=0
# runs the suite in one process.
TEST_WORKERS ?= auto
test: install
	$(BIN)/python -m pytest --numprocesses $(TEST_WORKERS) --dist worksteal

# Production-style: static files collected, migrations applied, gunicorn on
# DATABASE_URL (see docs/operations.md). Needs DJANGO_DEBUG=0 and the
# production variables; `make serve` does not set DJANGO_DEBUG=1.
serve: export DJANGO_DEBUG = 0
serve: install
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/gunicorn --config gunicorn.conf.py

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
