# The single entry point: CI calls the same targets a person does.
# Every target installs what it needs from the project's own files (requirements.lock, package-lock.json).

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export PATH := $(CURDIR)/$(BIN):$(PATH)

NPM_STAMP := node_modules/.installed
REDOCLY := node_modules/.bin/redocly
BASE ?= HEAD
# Redocly CLI: never send usage data, never check for updates (redocly.yaml also says telemetry: off)
export REDOCLY_TELEMETRY := off
export REDOCLY_SUPPRESS_UPDATE_NOTICE := true

HOST ?= 127.0.0.1
PORT ?= 8080
PYTEST_ARGS ?=
LAYERS_ARGS ?=
# the families tests/conftest.py marks (pyproject.toml lists them) that `make test-fast` leaves out
FAST_TESTS := not postgres and not browser and not deploy and not contract and not process and not bench
# what `make test` runs on every CPU at once (pytest-xdist, TEST_WORKERS of them): the tests that run in the
# test's own process. The rest (real servers timed by the test's own client, hostile input and bounded
# resources, the browser, the benchmark's baselines) run after, one at a time, on a machine left to them.
PARALLEL_TESTS := not deploy and not process and not hostile and not bench and not browser
TEST_WORKERS ?= auto

# pip-compile sees only the package index (PyPI, or PIP_INDEX_URL): never this machine's pip.conf, extra
# indexes, wheel folders or constraints, so the lock it writes installs anywhere.
PIP_COMPILE := env -u PIP_FIND_LINKS -u PIP_EXTRA_INDEX_URL -u PIP_CONSTRAINT PIP_CONFIG_FILE=/dev/null \
	CUSTOM_COMPILE_COMMAND="make lock" $(BIN)/pip-compile --quiet --allow-unsafe --generate-hashes \
	--no-emit-find-links --no-emit-index-url --strip-extras

.PHONY: help install hooks lock lock-upgrade generate check-generated migration run test test-fast contract check fmt lint-spec lint-ci diff-spec docs bench bench-scale bench-layers

help: ## list the targets
	@if [ -t 1 ]; then on=$$'\033[36m' off=$$'\033[0m'; else on= off=; fi; \
	awk -v on="$$on" -v off="$$off" -v host="$(HOST)" -v port="$(PORT)" -v base="$(BASE)" 'BEGIN {FS = ":.*## "} \
		/^[a-zA-Z_-]+:.*## / {gsub(/\$$\(HOST\)/, host, $$2); gsub(/\$$\(PORT\)/, port, $$2); gsub(/\$$\(BASE\)/, base, $$2); \
		printf "  %s%-16s%s %s\n", on, $$1, off, $$2}' $(MAKEFILE_LIST)

# $(wildcard): generated/ is never a prerequisite that must exist, so that `make generate` can always
# rebuild it (the editable client is installed when it is there, and again after the next install)
$(STAMP): requirements.lock pyproject.toml $(wildcard generated/client/setup.py)
	@echo "install: creating $(VENV) from requirements.lock"
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	@# editables carry no hash; built with the locked setuptools, without fetching anything
	@$(BIN)/python -m pip install --quiet --quiet --disable-pip-version-check --no-deps --no-build-isolation \
		-e . $(if $(wildcard generated/client/setup.py),-e generated/client)
	@touch $@

$(NPM_STAMP): package.json package-lock.json requirements-node.lock | $(STAMP)
	@scripts/ensure_node.sh $(VENV)
	@echo "install: node_modules from package-lock.json (npm ci)"
	@npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	@touch $@

install: $(STAMP) ## create .venv and install the locked dependencies, the service and the generated client

hooks: $(STAMP) ## install the git pre-commit hook: ruff, ruff format, mypy, check-generated (.pre-commit-config.yaml)
	$(BIN)/pre-commit install

lock: $(STAMP) ## re-resolve requirements.lock and requirements-node.lock (hashes; existing pins kept) after editing pyproject.toml
	$(PIP_COMPILE) --extra=dev --output-file=requirements.lock pyproject.toml
	$(PIP_COMPILE) --output-file=requirements-node.lock requirements-node.in

lock-upgrade: $(STAMP) ## move the pins to the newest releases: all, or one with PACKAGE=name; review the diff
	$(PIP_COMPILE) $(if $(PACKAGE),--upgrade-package $(PACKAGE),--upgrade) --extra=dev --output-file=requirements.lock pyproject.toml
	$(PIP_COMPILE) $(if $(PACKAGE),--upgrade-package $(PACKAGE),--upgrade) --output-file=requirements-node.lock requirements-node.in

generate: $(STAMP) $(NPM_STAMP) ## rebuild generated/ (models, server, Python and TypeScript clients) from openapi/openapi.yaml; atomic
	$(BIN)/python scripts/generate.py

check-generated: $(STAMP) $(NPM_STAMP) ## fail if generated/ (the TypeScript client included) differs from a fresh generation
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	$(BIN)/python scripts/generate.py --out "$$tmp/generated" && \
	if diff -r -q -x __pycache__ -x '*.egg-info' generated "$$tmp/generated"; then \
		echo "check-generated: generated/ is up to date"; \
	else \
		echo "check-generated: generated/ is stale; run 'make generate' and commit the result" >&2; exit 1; \
	fi

migration: $(STAMP) ## write the next Alembic migration from storage/tables.py (autogenerate): make migration NAME="add agents"
	$(BIN)/python scripts/migration.py "$(NAME)"

run: $(STAMP) ## migrate var/global-chat.db and serve the API on http://$(HOST):$(PORT)
	$(BIN)/global-chat migrate
	$(BIN)/global-chat serve --host $(HOST) --port $(PORT)

# The suite starts many Python processes (servers, the CLI, migrations): with bytecode written
# (an environment may set PYTHONDONTWRITEBYTECODE), each imports the compiled modules rather than the sources.
test: export PYTHONDONTWRITEBYTECODE =
test: $(STAMP) $(NPM_STAMP) ## the whole suite (what CI runs): pytest with the coverage floor, PostgreSQL, PgBouncer, Chromium and Node included, then `make contract`
	@scripts/ensure_chromium.sh
	@# PostgreSQL's server programs for the run's own instance (none needed with TEST_POSTGRES_URL)
	@test -n "$$TEST_POSTGRES_URL" || $(BIN)/python scripts/postgres_instance.py --bin-dir >/dev/null
	@# PgBouncer, for the tests that run the service through it (scripts/pgbouncer_instance.py)
	@scripts/ensure_pgbouncer.sh >/dev/null
	@# branch coverage of impl/ over the whole suite, failing under the floor of pyproject.toml (docs/testing.md):
	@# the in-process tests on every CPU, then the others one at a time, their coverage added to the first's;
	@# each part lists its slowest test phases, so that a CI log shows where its minutes went. Exit status 5
	@# (nothing selected: PYTEST_ARGS naming tests of one part only) is not a failure.
	@mkdir -p reports
	@echo "test: the in-process tests on $(TEST_WORKERS) workers (pytest-xdist)"
	$(BIN)/pytest -n $(TEST_WORKERS) -m "$(PARALLEL_TESTS)" --cov --cov-report= --cov-fail-under=0 --durations=15 $(PYTEST_ARGS) || [ $$? -eq 5 ]
	@echo "test: the tests of real processes, hostile input and the browser, one at a time; then coverage over both parts"
	$(BIN)/pytest -m "not ($(PARALLEL_TESTS))" --cov --cov-append --cov-report=term --cov-report=xml:reports/coverage.xml --durations=25 $(PYTEST_ARGS) || [ $$? -eq 5 ]
	$(MAKE) --no-print-directory contract

test-fast: $(STAMP) ## the edit-test loop: SQLite only; no PostgreSQL, browser, processes, Schemathesis, bench
	$(BIN)/pytest -m "$(FAST_TESTS)" $(PYTEST_ARGS)

contract: $(STAMP) ## Schemathesis CLI against the real server (options: schemathesis.toml; JUnit: reports/)
	$(BIN)/python scripts/contract.py

lint-spec: $(STAMP) $(NPM_STAMP) ## lint openapi/openapi.yaml: Redocly (redocly.yaml) + openapi-spec-validator
	$(REDOCLY) lint --format=stylish openapi/openapi.yaml
	$(BIN)/openapi-spec-validator openapi/openapi.yaml

lint-ci: $(STAMP) ## lint .github/workflows/: actionlint and zizmor (pinned in requirements.lock; offline)
	$(BIN)/actionlint -no-color
	$(BIN)/zizmor --offline --no-progress .github/workflows/

diff-spec: $(STAMP) ## breaking changes in openapi/openapi.yaml since BASE (default HEAD): make diff-spec BASE=HEAD~1; Markdown: reports/diff-spec.md
	$(BIN)/python scripts/diff_spec.py --base $(BASE) --report reports/diff-spec.md

docs: $(STAMP) $(NPM_STAMP) ## docs/index.html: the contract as one self-contained HTML page (opens offline)
	$(REDOCLY) build-docs openapi/openapi.yaml --inlineBundle --output docs/index.html
	$(BIN)/python scripts/check_offline_html.py --fix docs/index.html

bench: $(STAMP) ## benchmark POST /v1/sessions/chat: ours (also traced, 1 % and 100 %) vs raw Starlette (floor) vs FastAPI (peer, telemetry on and off), SQLite, PostgreSQL, PgBouncer
	$(BIN)/python scripts/bench/run.py

bench-scale: $(STAMP) ## hot path of ours with 1,000 vs 1,000,000 sessions stored in PostgreSQL
	$(BIN)/python scripts/bench/run.py --scale

bench-layers: $(STAMP) ## what each layer costs per hot request (pass-through A/B, py-spy in process and under load); LAYERS_ARGS=--docs also updates docs/performance.md
	$(BIN)/python scripts/bench/layers.py $(LAYERS_ARGS)

check: $(STAMP) $(NPM_STAMP) lint-spec lint-ci check-generated docs ## verify only: ruff, mypy strict, import rules, tsc, generated/ up to date, contract and workflow lint, docs
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/python scripts/typescript.py check

fmt: $(STAMP) ## format and autofix (changes files)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .
