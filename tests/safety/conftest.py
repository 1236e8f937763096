"""Fixtures for the safety tests: a governed repository (copied per test) and a pinned clock."""

from __future__ import annotations

from tests.governed import governed_repo_fixtures
from tests.safety.helpers import NOW, governed_repo

repo_template, repo = governed_repo_fixtures(
    governed_repo,
    now=NOW,
    unset=("CHARTER_APPROVED_BY", "CHARTER_AGENT", "CHARTER_BASE_REF"),
    chdir=True,
)
