"""A repository laid out for the file-tool battery, and the hook entry driven in process.

The repository holds secrets the policy forbids, steering files, a symlink and a
hard link pointing where an agent must not reach, and a fake home directory
and an outside directory beside it. Paths in the tables are written with
`{R}` (the repository), `{H}` (the home directory) and `{O}` (outside both).
"""

from __future__ import annotations

import io
import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest

from charter.guard.entry import main
from tests.guard.helpers import POLICY, make_repo


def make_battery_repo(base: Path, policy: str = POLICY) -> tuple[Path, Path, Path]:
    """(repository, home, outside) under `base`."""
    repo = make_repo(base / "repo", policy)
    home = base / "home"
    outside = base / "outside"
    for path, text in {
        repo / ".env": "SECRET=1\n",
        repo / "keys/server.pem": "pem\n",
        repo / "logs/raw/a.log": "raw\n",
        repo / "Makefile": "test:\n\tpytest\n",
        repo / ".git/config": "[core]\n",
        repo / ".git/hooks/pre-commit": "#!/bin/sh\n",
        repo / "nb/a.ipynb": "{}\n",
        home / ".ssh/id_rsa": "key\n",
        home / ".aws/credentials": "aws\n",
        home / ".claude/.credentials.json": "{}\n",
        outside / "secret.txt": "outside\n",
        outside / "docs/a.md": "doc\n",
    }.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    (repo / "src/link-out").symlink_to(outside / "secret.txt")
    (repo / "src/link-dir").symlink_to(outside)
    (repo / "src/link-hooks").symlink_to(repo / ".git/hooks")
    os.link(repo / ".git/config", repo / "src/hardlink.txt")
    return repo, home, outside


def fill(value: Any, places: dict[str, str]) -> Any:
    """`value` with {R}, {H}, {O} replaced, inside strings, lists and dicts."""
    if isinstance(value, str):
        for key, path in places.items():
            value = value.replace("{" + key + "}", path)
        return value
    if isinstance(value, list):
        return [fill(item, places) for item in value]
    if isinstance(value, dict):
        return {key: fill(item, places) for key, item in value.items()}
    return value


def run_hook(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    agent: str,
    request: dict[str, Any],
    *args: str,
) -> tuple[int, str, str]:
    """`charter guard --hook AGENT ARGS` with the request on stdin: (exit, stdout, stderr)."""
    raw = json.dumps(request).encode("utf-8")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(raw), encoding="utf-8"))
    capsys.readouterr()
    code = main(["--hook", agent, *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def assert_answer(code: int, out: str, err: str, expected: str, reason: str) -> None:
    """An allow is exit 0 and silence; a deny is exit 2, the JSON denial and the reason."""
    if expected == "allow":
        assert (code, out) == (0, ""), err
        return
    assert code == 2, f"allowed, expected a denial for {reason!r}"
    decision = json.loads(out)["hookSpecificOutput"]
    assert decision["permissionDecision"] == "deny"
    assert reason in err, err
    assert reason in decision["permissionDecisionReason"]
