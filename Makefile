# The kit's two everyday commands. Each sets up .venv from the pinned requirements when needed.
#   make preview STACK=prod   offline go-live preview of a stack (no cloud account, no Pulumi CLI)
#   make test                 the whole test suite

STACK ?= prod
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: preview test bench readme constraints clean

$(STAMP): requirements.txt requirements-dev.txt constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

preview: $(STAMP)
	$(PY) -m golive preview --stack $(STACK) --json out/plan-$(STACK).json

test: $(STAMP)
	$(PY) -m pytest -n 2 -q

bench: $(STAMP)
	$(PY) -m bench

readme: $(STAMP)
	$(PY) -m golive.reference --write-readme README.md

constraints: $(STAMP)
	{ echo "# Every package the kit and its tests install, pinned (transitive ones included)."; \
	  echo "# Regenerate after changing requirements*.txt: make constraints"; \
	  $(PY) -m pip freeze --exclude-editable; } > constraints.txt

clean:
	rm -rf $(VENV) out .pytest_cache
