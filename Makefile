# One task runner (STYLE.md #14). `make run` and `make test` work on a fresh clone.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PORT   ?= 8550

.PHONY: run test test-fast lint bench docs screenshots system-deps clean

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test,relay]'
	touch $@

run: $(VENV)/.installed
	$(VENV)/bin/assistenzzeit app --port $(PORT)

# Installs what the tests need from Debian (Chromium, poppler, PostgreSQL) when missing.
system-deps:
	bash scripts/system-deps.sh

test: $(VENV)/.installed system-deps
	bash scripts/test.sh

test-fast: $(VENV)/.installed
	$(PY) -m pytest -m "not browser and not postgres" -q

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check app tests bench
	$(VENV)/bin/mypy

bench: $(VENV)/.installed
	@for b in bench/bench_*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

# Every screen at phone and desktop width, into docs/screenshots (linked from the README).
screenshots: $(VENV)/.installed system-deps
	ASSISTENZZEIT_WRITE_SCREENSHOTS=1 $(PY) -m pytest -q -p no:cacheprovider tests/e2e/test_audit_screens.py

docs: $(VENV)/.installed
	$(PY) -m app.cli settings --markdown > docs/settings.md

clean:
	rm -rf $(VENV) .pytest_cache build/flet-out
