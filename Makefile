# The front door for people. Every target creates .venv/ on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CHARTER := $(BIN)/charter
VERSION := $(shell sed -n 's/^version = "\(.*\)"/\1/p' pyproject.toml)

.PHONY: help demo test test-faults lint typecheck check board handoff session-start bench release clean

help:
	@echo "make demo            run charter on the example repository in examples/demo"
	@echo "make test            install charter with its test dependencies and run the suite"
	@echo "make test-faults     the full fault-injection suite (250 kills; docs/reliability.md)"
	@echo "make check           charter check on this repository"
	@echo "make board           regenerate this repository's task board"
	@echo "make handoff         regenerate docs/SESSION_HANDOFF.md"
	@echo "make session-start TASK=ID [LEVEL=L2 APPROVED_BY=name AGENT=name]"
	@echo "make bench           benchmarks (tools/bench/)"
	@echo "make release         tag this commit v$(VERSION), the rev: pre-commit users pin"

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,all]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/python tools/demo.py

test: $(STAMP)
	$(BIN)/python -m pytest

# `make test` runs the quick version of tests/faults; this, the full one (minutes).
test-faults: $(STAMP)
	CHARTER_FAULTS=full $(BIN)/python -m pytest -m faults -s -q tests/faults

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
	@test -n "$$TASK" || { echo "usage: make session-start TASK=ID [LEVEL=L2 APPROVED_BY=name AGENT=name]"; exit 2; }
	$(CHARTER) session start "$$TASK" $(if $(LEVEL),--level $(LEVEL)) $(if $(APPROVED_BY),--approved-by "$$APPROVED_BY") $(if $(AGENT),--agent "$$AGENT")

bench: $(STAMP)
	$(BIN)/python tools/bench/run_all.py

# A release is the annotated tag v<version> on a clean, committed tree: the `rev:` that
# pre-commit users pin (README.md). Push it yourself: git push origin v<version>.
release:
	@test -n "$(VERSION)" || { echo "release: no version in pyproject.toml"; exit 1; }
	@test -z "$$(git status --porcelain)" || { echo "release: commit or stash your changes first"; exit 1; }
	@grep -q '^__version__ = "$(VERSION)"' tools/charter/__init__.py || { echo "release: __version__ in tools/charter/__init__.py is not $(VERSION)"; exit 1; }
	@grep -q 'rev: v$(VERSION)$$' README.md || { echo "release: the pre-commit rev: in README.md is not v$(VERSION)"; exit 1; }
	@! git rev-parse -q --verify "refs/tags/v$(VERSION)" >/dev/null || { echo "release: v$(VERSION) is tagged already; raise the version in pyproject.toml and tools/charter/__init__.py"; exit 1; }
	git tag -a "v$(VERSION)" -m "charter $(VERSION)"
	@echo "tagged v$(VERSION): push it with git push origin v$(VERSION)"

clean:
	rm -rf $(VENV) .charter/cache .pytest_cache .mypy_cache .ruff_cache
