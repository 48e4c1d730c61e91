# The two commands: `make run` and `make test`. Everything else here is what they need.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PY_STAMP := $(VENV)/.installed
JS_STAMP := node_modules/.installed

.PHONY: run test setup assets lint pytest bench clean

run: setup
	$(BIN)/ansinh db upgrade
	@if ls bpmn/*.bpmn >/dev/null 2>&1; then $(BIN)/ansinh deploy bpmn/; fi
	$(BIN)/ansinh serve

test: setup lint pytest

setup: $(PY_STAMP) $(JS_STAMP)

$(PY_STAMP): setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

$(JS_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

pytest:
	$(BIN)/pytest

bench: setup
	$(BIN)/python bench/engine.py

clean:
	rm -rf $(VENV) node_modules .pytest_cache .ruff_cache
