# The kit's two everyday commands. Each sets up .venv from the pinned requirements when needed.
#   make preview STACK=prod   offline go-live preview of a stack (no cloud account, no Pulumi CLI)
#   make test                 the whole test suite

STACK ?= prod
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# The real HTTP Observatory scanner, for tests/golive/grader/test_grader_differential.py.
OBSERVATORY := tools/observatory
# The open ObjectOS runtime with Node 22, for the go-live rehearsal (golive/rehearse, tests/golive/rehearse).
RUNTIME := tools/runtime
# checkov, for tests/golive/test_checkov.py: its own venv, since its pins conflict with the kit's.
CHECKOV := tools/checkov

.PHONY: preview test check bench readme schema constraints clean runtime checkov rehearse

$(STAMP): requirements.txt requirements-dev.txt constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

# npm ci from the committed lock. Install scripts are skipped: the scanner's own fetch the HSTS
# preload list and a CA bundle from the network, and the test needs neither, so an empty
# preload list stands in (no loopback host is on it). Without npm this is a skip, except under CI=true.
$(OBSERVATORY)/node_modules: $(OBSERVATORY)/package.json $(OBSERVATORY)/package-lock.json
	@if ! command -v npm >/dev/null 2>&1; then \
	  if [ "$$CI" = "true" ]; then echo "npm is missing: install Node.js 20+ and npm for the grader's differential test" >&2; exit 1; fi; \
	  echo "note: npm is missing, so the grader's differential test will be skipped"; exit 0; \
	fi; \
	npm ci --prefix $(OBSERVATORY) --ignore-scripts --no-audit --no-fund --loglevel=error && \
	echo '{}' > $(OBSERVATORY)/node_modules/@mdn/mdn-http-observatory/conf/hsts-preload.json && \
	touch $@

# npm ci from the committed lock, nothing but npm and the registry: install scripts are skipped
# (better-sqlite3's would fetch a prebuilt binary or compile one for the system's Node, not the
# Node 22 the runtime runs on; so the rehearsal uses the in-memory database, memory://). The lock
# pins every @objectstack/* package at one version (package.json's overrides). Without npm this is
# a skip of the rehearsal's tests, except under CI=true.
$(RUNTIME)/node_modules/.installed: $(RUNTIME)/package.json $(RUNTIME)/package-lock.json
	@if ! command -v npm >/dev/null 2>&1; then \
	  if [ "$$CI" = "true" ]; then echo "npm is missing: install npm for the go-live rehearsal's runtime" >&2; exit 1; fi; \
	  echo "note: npm is missing, so the go-live rehearsal's tests will be skipped"; exit 0; \
	fi; \
	npm ci --prefix $(RUNTIME) --ignore-scripts --no-audit --no-fund --loglevel=error && \
	touch $@

runtime: $(RUNTIME)/node_modules/.installed

# The go-live rehearsal of a stack on this machine: the real runtime, nginx and Redis on loopback.
rehearse: $(STAMP) $(RUNTIME)/node_modules/.installed
	tools/system-packages.sh nginx:nginx redis-server:redis-server
	$(PY) -m golive rehearse --stack $(STACK) --json out/rehearsal-$(STACK).json --junit out/rehearsal-$(STACK).xml

$(CHECKOV)/.venv/.installed: $(CHECKOV)/requirements.txt
	test -x $(CHECKOV)/.venv/bin/python || $(PYTHON) -m venv $(CHECKOV)/.venv
	$(CHECKOV)/.venv/bin/python -m pip install --quiet --no-deps -r $(CHECKOV)/requirements.txt
	touch $@

checkov: $(CHECKOV)/.venv/.installed

preview: $(STAMP)
	$(PY) -m golive preview --stack $(STACK) --json out/plan-$(STACK).json --sarif out/preview-$(STACK).sarif

# The code checks: lint, format, the layer contracts, and the types of the core and components.
check: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache
	$(VENV)/bin/mypy

test: check $(OBSERVATORY)/node_modules $(RUNTIME)/node_modules/.installed $(CHECKOV)/.venv/.installed
	tools/system-packages.sh nginx:nginx redis-server:redis-server
	$(PY) -m pytest -n 2 -q

bench: $(STAMP)
	$(PY) -m bench

readme: $(STAMP)
	$(PY) -m golive.reference --write-readme README.md

# The stack file's JSON Schema for editors, from the settings model (a test keeps it in step).
schema: $(STAMP)
	$(PY) -m settings.json_schema --write

constraints: $(STAMP)
	{ echo "# Every package the kit and its tests install, pinned (transitive ones included)."; \
	  echo "# Regenerate after changing requirements*.txt: make constraints"; \
	  $(PY) -m pip freeze --exclude-editable; } > constraints.txt

clean:
	rm -rf $(VENV) out .pytest_cache $(OBSERVATORY)/node_modules $(RUNTIME)/node_modules
