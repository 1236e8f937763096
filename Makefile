# The front door for people. Every target creates .venv/ on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CHARTER := $(BIN)/charter

.PHONY: help demo test lint typecheck check board handoff session-start bench clean

help:
	@echo "make demo            run charter on the example repository in examples/demo"
	@echo "make test            install charter with its test dependencies and run the suite"
	@echo "make check           charter check on this repository"
	@echo "make board           regenerate this repository's task board"
	@echo "make handoff         regenerate docs/SESSION_HANDOFF.md"
	@echo "make session-start TASK=ID [LEVEL=L2 APPROVED_BY=name AGENT=name]"
	@echo "make bench           benchmarks (tools/bench/)"

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,all]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/python tools/demo.py

test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check tools tests
	$(BIN)/ruff format --check tools tests

typecheck: $(STAMP)
	$(BIN)/mypy

check: $(STAMP)
	$(CHARTER) check

board: $(STAMP)
	$(CHARTER) board

handoff: $(STAMP)
	$(CHARTER) handoff

session-start: $(STAMP)
	@test -n "$(TASK)" || { echo "usage: make session-start TASK=ID [LEVEL=L2 APPROVED_BY=name AGENT=name]"; exit 2; }
	$(CHARTER) session start $(TASK) $(if $(LEVEL),--level $(LEVEL)) $(if $(APPROVED_BY),--approved-by "$(APPROVED_BY)") $(if $(AGENT),--agent "$(AGENT)")

bench: $(STAMP)
	$(BIN)/python tools/bench/run_all.py

clean:
	rm -rf $(VENV) .charter/cache .pytest_cache .mypy_cache .ruff_cache
