# The two commands: `make run` and `make test`. Everything else here is what they need.
# `make browser-test` drives Chromium (apt-get install -y chromium); `make test` leaves it out.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PY_STAMP := $(VENV)/.installed
JS_STAMP := node_modules/.installed

.PHONY: run test browser-test api-fuzz setup translations messages assets lint pytest bench clean

run: setup
	$(BIN)/ansinh db upgrade
	$(BIN)/ansinh deploy bpmn/
	$(BIN)/ansinh demo load --only-new
	$(BIN)/ansinh serve

test: setup lint pytest

setup: $(PY_STAMP) $(JS_STAMP) translations

$(PY_STAMP): setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

$(JS_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# The English catalog (web/translations/en) compiled to the .mo Flask-Babel reads; the .mo is not in git.
translations: $(PY_STAMP)
	$(BIN)/pybabel -q compile -d web/translations

# After adding or changing a _("…") in web/: collect the strings, then write their English in the .po.
messages: $(PY_STAMP)
	$(BIN)/pybabel -q extract -F babel.cfg -k _ -k gettext --add-location=file --sort-by-file \
		--project "An Sinh" --copyright-holder "An Sinh" -o web/translations/messages.pot web
	$(BIN)/pybabel -q update -i web/translations/messages.pot -d web/translations --width 110

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

pytest:
	$(BIN)/pytest -m "not browser"

browser-test: setup
	$(BIN)/pytest -m browser

# Schemathesis against the running app (demo data, API tokens); reports in tests/artifacts/schemathesis.
api-fuzz: setup
	.ci/api-fuzz

bench: setup
	$(BIN)/python bench/engine.py

clean:
	rm -rf $(VENV) node_modules .pytest_cache .ruff_cache
