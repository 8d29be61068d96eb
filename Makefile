# 中介超市 — developer targets. The README's two commands need only Python: `python3 dev.py demo|test`.
PY ?= .venv/bin/python
PG_URL ?= postgres://postgres@127.0.0.1:5432/zjcs

.PHONY: help setup demo test test-pg test-browser lint migrations lock ci bench

help:  ## list targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

setup:  ## create .venv and install the locked dependencies
	python3 dev.py setup

demo:  ## migrate, seed demo data, serve http://127.0.0.1:8000
	python3 dev.py demo

test:  ## test suite on SQLite (the README command)
	python3 dev.py test

test-pg:  ## test suite on the local PostgreSQL
	DATABASE_URL=$(PG_URL) $(PY) -m pytest -n 2 -m "not browser"

test-browser:  ## Playwright journeys in Debian's chromium
	$(PY) -m pytest -m browser -n 0

lint:  ## ruff
	.venv/bin/ruff check .

migrations:  ## fail if models and migrations disagree
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run

lock:  ## re-resolve requirements.in into requirements.lock
	$(PY) -m pip install -q uv && .venv/bin/uv pip compile requirements.in -o requirements.lock --python-version 3.11

ci:  ## what CI runs
	bash .ci/run

bench:  ## benchmarks (see bench/README.md)
	@ls bench/*.py
