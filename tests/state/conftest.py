"""The state tests use the safety tests' governed repository (copied per test, pinned clock)."""

from tests.safety.conftest import repo, repo_template  # noqa: F401 - fixtures, shared by import
