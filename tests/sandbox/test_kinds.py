"""Each kind of OS sandbox on the real kernel, started through the launcher directly.

`charter run` picks the strongest kind the system offers (test_run_sandbox.py);
these tests force the weaker ones, which other systems fall back to, and the
choice rules.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from charter.sandbox import landlock
from charter.sandbox.launcher import FULL, LANDLOCK, NAMESPACES, Launcher, enforces_level
from charter.sandbox.plan import SandboxPlan
from charter.sandbox.run import _once
from charter.sandbox.system import capabilities
from charter.sandbox.tree import find_matches

SYSTEM = capabilities()
PROBE = str(Path(__file__).with_name("probe.py"))


def _available(kind: str) -> bool:
    return {
        FULL: SYSTEM.best_kind() == FULL,
        LANDLOCK: SYSTEM.landlock_abi > 0,
        NAMESPACES: SYSTEM.user_namespaces,
    }[kind]


def _plan(root: Path, network: bool = False) -> SandboxPlan:
    forbidden, protected = find_matches(
        str(root), [".env", "secrets/**"], [".git/**", "docs/agents/AUTONOMY.md"]
    )
    return SandboxPlan(str(root), "auto", "L1", network, tuple(forbidden), tuple(protected))


def _probe(root: Path, kind: str, action: str, target: str, outside: Path) -> int:
    chosen = Launcher(_plan(root), [kind], SYSTEM.landlock_abi)
    try:
        env = {"PATH": "/usr/bin:/bin", "PROBE_TARGET": target, "PROBE_OUTSIDE": str(outside)}
        process = chosen([sys.executable, PROBE, action], cwd=root, env=env)
        code = process.wait()
    finally:
        chosen.close()
    assert chosen.kind == kind and not chosen.problems
    return code


CASES = [
    # (action, target, stopped by: kinds)
    ("read", ".env", {FULL, LANDLOCK, NAMESPACES}),
    ("read", "secrets/token.txt", {FULL, LANDLOCK, NAMESPACES}),
    ("write", ".git/hooks/x", {FULL, LANDLOCK, NAMESPACES}),
    ("write", "docs/agents/AUTONOMY.md", {FULL, LANDLOCK, NAMESPACES}),
    ("write-outside", "", {FULL, LANDLOCK}),
    ("umount", ".env", {FULL, LANDLOCK, NAMESPACES}),
    ("read", "src/app.py", set()),
    ("write", "src/app.py", set()),
]


@pytest.mark.parametrize("kind", [FULL, LANDLOCK, NAMESPACES])
@pytest.mark.parametrize(("action", "target", "stopped_by"), CASES)
def test_each_kind_stops_what_it_promises(
    governed: Path, tmp_path: Path, kind: str, action: str, target: str, stopped_by: set[str]
) -> None:
    if not _available(kind):
        pytest.skip(f"{kind}: this system has {SYSTEM.summary()}")
    outside = tmp_path / "outside.txt"
    code = _probe(governed, kind, action, target, outside)
    assert code == (3 if kind in stopped_by else 0)
    if action == "write-outside":
        assert outside.exists() == (kind not in stopped_by)


def test_landlock_alone_cuts_tcp_from_abi_4(governed: Path) -> None:
    import socket

    if SYSTEM.landlock_abi < 4:
        pytest.skip(f"Landlock ABI {SYSTEM.landlock_abi} has no network rules (ABI 4+)")
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    try:
        code = _probe(governed, LANDLOCK, "connect", str(server.getsockname()[1]), governed / "x")
    finally:
        server.close()
    assert code == 3


def test_the_abi_is_what_the_kernel_reports() -> None:
    # a version query the kernel answers itself, not a guess from the release number
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from charter.sandbox.landlock import abi_version; print(abi_version())",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert int(result.stdout) == landlock.abi_version() == SYSTEM.landlock_abi


@pytest.mark.parametrize(
    ("kind", "network", "abi", "enforces"),
    [
        (FULL, False, 1, True),
        (LANDLOCK, False, 3, False),  # no network rules before ABI 4
        (LANDLOCK, False, 4, True),
        (LANDLOCK, True, 1, True),
        (NAMESPACES, True, 0, False),  # writes outside the repository are not confined
    ],
)
def test_what_required_accepts(kind: str, network: bool, abi: int, enforces: bool) -> None:
    plan = SandboxPlan("/r", "required", "L1", network, (), ())
    assert enforces_level(kind, plan, abi) is enforces


def test_the_no_sandbox_notice_is_said_once_per_session(tmp_path: Path) -> None:
    session = {"id": "2026-12-01_session-0001"}
    assert _once(str(tmp_path), session, "no sandbox") == "no sandbox"
    assert _once(str(tmp_path), session, "no sandbox") is None
    assert _once(str(tmp_path), None, "no sandbox") == "no sandbox"  # no session: every time
    assert os.path.exists(tmp_path / ".charter/sessions/2026-12-01_session-0001/sandbox-notice")
