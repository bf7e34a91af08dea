# Seams: `make run` serves the monolith on embedded defaults; `make test` runs every check.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000
TEST_WORKERS ?= 2
EXTRACT ?= payments
# FRESH=1: drop the local databases first.
FRESH ?=

.PHONY: install run broker split test lint fmt check schema clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

# The embedded defaults: SQLite under var/, events delivered in process, demo data.
run: $(STAMP)
	DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DEBUG=1 $(BIN)/python manage.py seed_demo
	DEBUG=1 $(BIN)/python manage.py runserver $(HOST):$(PORT)

# The monolith in broker mode on loopback (PostgreSQL database seams_local, RabbitMQ):
# creates, migrates and seeds the database, then honcho runs deploy/processes/Procfile
# (web on PORT, relay, worker, beat).
broker: $(STAMP)
	$(BIN)/python -m extraction.launch.local --extract none --port $(PORT) $(if $(FRESH),--fresh)

# Split on loopback: the monolith without $(EXTRACT) (public URL, port PORT) and
# $(EXTRACT) as its own service (PORT+1), each with its own database, relay and worker
# (deploy/processes/Procfile.split). EXTRACT=users|orders|payments.
split: $(STAMP)
	$(BIN)/python -m extraction.launch.local --extract $(EXTRACT) --port $(PORT) $(if $(FRESH),--fresh)

lint: $(STAMP)
	$(BIN)/lint-imports importlinter.ini
	$(BIN)/ruff check .
	$(BIN)/mypy --strict contracts
	SECRET_KEY=check-only $(BIN)/python manage.py check

# mypy on contracts and manage.py check run inside pytest (tests/architecture), not twice.
test: $(STAMP)
	$(BIN)/lint-imports importlinter.ini
	$(BIN)/ruff check .
	$(BIN)/pytest -n $(TEST_WORKERS)

# Regenerate the committed OpenAPI schema after an API change (a test compares them).
schema: $(STAMP)
	SECRET_KEY=schema-only $(BIN)/python manage.py spectacular --validate --fail-on-warn --file schema/openapi.yaml

fmt: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf var/seams.sqlite3 .pytest_cache .mypy_cache .ruff_cache
