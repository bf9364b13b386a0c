# Tessera: the local stack and the test suite. See README.md.
#
#   make up      install what is missing, run everything in the foreground (Ctrl-C stops)
#   make start   the same, in the background; make stop / make status
#   make test    install, then the Python suite (it runs its own test stack) and the SPA's
#   make test-unit  the fast layer alone (tests/unit: pure logic, no stack), in seconds
#
# `install` uses the system python3 (standard library only); the rest runs in .venv.
# TESSERA_STACK picks the stack (dev by default; the suite uses test).

PYTHON ?= python3
VENV_PYTHON := .venv/bin/python
STACK := $(VENV_PYTHON) -m devstack
PYTEST_ARGS ?=

.PHONY: install up start stop status seed restart-services test test-unit bench

install:
	$(PYTHON) -m devstack install

up: install
	$(STACK) up

start: install
	$(STACK) start

stop:
	@if [ -x $(VENV_PYTHON) ]; then $(STACK) stop; else echo "nothing installed, nothing running"; fi

status:
	$(STACK) status

seed:
	$(STACK) seed

restart-services:
	$(STACK) restart-services

# Both suites run even when the first fails; the target fails if either did.
test: install
	@status=0; \
	$(VENV_PYTHON) -m pytest $(PYTEST_ARGS) || status=$$?; \
	if [ -f frontend/package.json ]; then \
		(cd frontend && CI=true npm test) || status=$$((status ? status : 1)); \
	fi; \
	exit $$status

# No `install` first: the fast layer needs only the venv, and stays fast.
test-unit:
	@[ -x $(VENV_PYTHON) ] || $(MAKE) install
	$(VENV_PYTHON) -m pytest tests/unit -q $(PYTEST_ARGS)

# BENCH_ARGS: --quick (short runs), or the scripts to run (e.g. BENCH_ARGS="login request_path")
BENCH_ARGS ?=
bench: install
	$(STACK) bench $(BENCH_ARGS)
