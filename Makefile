# The single entry point: CI calls the same targets a person does.
# Every target installs what it needs from the project's own files (requirements.lock).

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export PATH := $(CURDIR)/$(BIN):$(PATH)

HOST ?= 127.0.0.1
PORT ?= 8080
PYTEST_ARGS ?=

.PHONY: help install generate check-generated run test contract check fmt lint-contract

help: ## list the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  \033[36m%-16s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(STAMP): requirements.lock pyproject.toml generated/client/setup.py
	@echo "install: creating $(VENV) from requirements.lock"
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e . -e generated/client
	@touch $@

install: $(STAMP) ## create .venv and install the locked dependencies, the service and the generated client

generate: $(STAMP) ## rebuild generated/ (models, Connexion stub, client) from openapi/openapi.yaml
	$(BIN)/python scripts/generate.py

check-generated: $(STAMP) ## fail if generated/ differs from a fresh generation
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	$(BIN)/python scripts/generate.py --out "$$tmp/generated" && \
	if diff -r -q -x __pycache__ -x '*.egg-info' generated "$$tmp/generated"; then \
		echo "check-generated: generated/ is up to date"; \
	else \
		echo "check-generated: generated/ is stale; run 'make generate' and commit the result" >&2; exit 1; \
	fi

run: $(STAMP) ## migrate var/global-chat.db and serve the API on http://$(HOST):$(PORT)
	$(BIN)/global-chat migrate
	$(BIN)/global-chat serve --host $(HOST) --port $(PORT)

test: $(STAMP) ## run the whole suite: pytest (in-process Schemathesis included), then `make contract`
	$(BIN)/pytest $(PYTEST_ARGS)
	$(MAKE) --no-print-directory contract

contract: $(STAMP) ## Schemathesis CLI against the real server (options: schemathesis.toml; JUnit: reports/)
	$(BIN)/python scripts/contract.py

lint-contract: $(STAMP) ## validate openapi/openapi.yaml as OpenAPI 3.0.3
	$(BIN)/openapi-spec-validator openapi/openapi.yaml

check: $(STAMP) lint-contract check-generated ## verify only: ruff, mypy strict on impl/, generated/ up to date, contract valid
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

fmt: $(STAMP) ## format and autofix (changes files)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .
