"""Shared fixtures: temporary governed repositories."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Iterator, Sequence
from datetime import date
from pathlib import Path

import pytest

from charter import model_memo
from charter.checks.engine import check_repo
from charter.config import Config
from charter.model import Diagnostic

# `make test` runs this suite: make's variables would make every make the tests start a
# sub-make ("make[1]: Entering directory ..."). The tests run make as a person would.
for _name in ("MAKELEVEL", "MAKEFLAGS", "MFLAGS"):
    os.environ.pop(_name, None)

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED = REPO_ROOT.parent / "shared"
CORPORA = SHARED / "corpora"
EXAMPLES = SHARED / "examples"

MakeRepo = Callable[..., Path]


def check_findings(
    config: Config,
    paths: Sequence[Path] = (),
    *,
    use_cache: bool = False,
    today: date | None = None,
) -> list[Diagnostic]:
    """What `charter check` finds (in `paths` only, when given): the same call it makes."""
    return check_repo(config, use_cache=use_cache, paths=paths, today=today).diagnostics


def write_files(root: Path, files: dict[str, str | bytes]) -> None:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_bytes(content.encode("utf-8"))


@pytest.fixture
def make_repo(tmp_path: Path) -> MakeRepo:
    """A git repository holding `files` (path -> text or bytes), with an optional charter.toml."""

    def make(files: dict[str, str | bytes], config: str | None = None, git: bool = True) -> Path:
        root = tmp_path / "repo"
        root.mkdir(exist_ok=True)
        if git:
            subprocess.run(["git", "init", "-q", str(root)], check=True)
        if config is not None:
            (root / "charter.toml").write_text(config, encoding="utf-8")
        write_files(root, files)
        return root

    return make


def _charter_state_in_shared() -> set[Path]:
    if not SHARED.is_dir():
        return set()
    return {p for p in SHARED.glob("**/.charter") if p.is_dir()}


@pytest.fixture(scope="session", autouse=True)
def shared_corpora_stay_untouched() -> object:
    """Tests read ../shared in place; none may leave charter's state behind there."""
    before = _charter_state_in_shared()
    yield
    created = _charter_state_in_shared() - before
    assert not created, f"tests wrote charter state into shared/: {sorted(map(str, created))}"


@pytest.fixture(autouse=True)
def no_models_kept_between_tests() -> Iterator[None]:
    """Each test starts as a command does: no model a task edit kept (charter.model_memo)."""
    model_memo.forget()
    yield
    model_memo.forget()


# The environment a person pasting a docs example has: no charter overrides from
# this shell, and not nested in `make test` (which would print make[1]: ...).
_NOT_A_PERSONS_ENV = (
    "CHARTER_ALLOW_NET",
    "CHARTER_APPROVED_BY",
    "CHARTER_AGENT",
    "CHARTER_BASE_REF",
    "CHARTER_NOW",
    "MAKELEVEL",
    "MAKEFLAGS",
    "MFLAGS",
    "MAKEOVERRIDES",
)


def doc_block(doc: Path, marker: str) -> str:
    """The fenced block right after `<!-- marker -->` in a docs page."""
    import re

    text = doc.read_text(encoding="utf-8")
    match = re.search(rf"<!-- {re.escape(marker)} -->\n```\w*\n(.*?)```", text, re.S)
    assert match is not None, f"no block after <!-- {marker} --> in {doc.name}"
    return match.group(1)


def run_doc_example(
    script: str, cwd: Path, env: dict[str, str] | None = None, timeout: int = 120
) -> str:
    """Run a docs page's bash example as a person would, with this charter on PATH;
    stdout and stderr interleaved, as a terminal shows them."""
    import os
    import sys

    run_env = {k: v for k, v in os.environ.items() if k not in _NOT_A_PERSONS_ENV}
    run_env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    run_env.update(env or {})
    result = subprocess.run(
        ["/bin/bash", "-c", script],
        cwd=cwd,
        env=run_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        check=False,
        timeout=timeout,
    )
    return result.stdout
