"""Fixtures for the guard: a governed repository with the example policy, and a decider."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import pytest

from charter.guard.compiled import CompiledPolicy
from charter.guard.decide import Decision, classify
from tests.guard.helpers import compiled, make_context, make_repo

Decide = Callable[..., Decision]


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository governed by the example policy (with an empty .git directory)."""
    return make_repo(tmp_path / "repo")


@pytest.fixture(scope="session")
def example_policy() -> CompiledPolicy:
    return compiled()


@pytest.fixture
def decide(example_policy: CompiledPolicy, repo: Path) -> Decide:
    """classify() at a level in the example repository."""

    def run(
        command: str | bytes | Sequence[str],
        level: str = "L1",
        env: Mapping[str, str] | None = None,
        cwd: Path | None = None,
    ) -> Decision:
        context = make_context(example_policy, repo, level=level, env=env, cwd=cwd)
        return classify(command, context)

    return run
