"""Property: whatever path an agent composes, an allowed file-tool write lands inside the
repository, on no protected and no forbidden file, and an allowed read stays inside.

Paths are built from pieces an agent that wants out would use (`..`, `.`, `~`,
symlinks inside the repository pointing out or at `.git/hooks`, case variants,
trailing dots and slashes, protected names). The oracle resolves the real
target with the operating system and matches each pattern on its own, not
through the guard's code.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from charter.guard.file_tools import judge_file_access
from charter.guard.patch import PatchError, patch_paths
from charter.guard.paths import _first_match, glob_regex
from charter.guard.protected import CORE, STEERING
from tests.guard.filetool_helpers import make_battery_repo
from tests.guard.helpers import POLICY_PATH, compiled

PIECES = [
    "src", "..", ".", "~", "link-out", "link-dir", "link-hooks", ".git", ".GIT", "hooks",
    "pre-commit", "Makefile", "makefile.", "conftest.py", ".claude", "settings.json", ".env",
    ".Env", "keys", "server.pem", "docs", "agents", "AUTONOMY.md", "new.py", "HEAD", "outside",
    "secret.txt", "", ".git.", "nb", "a.ipynb", "hardlink.txt",
]  # fmt: skip
PROTECTED = (*CORE, POLICY_PATH, *STEERING)
FORBIDDEN = compiled().forbidden


@pytest.fixture(scope="module")
def battery(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    repo, home, _outside = make_battery_repo(tmp_path_factory.mktemp("property"))
    for link in ("link-out", "link-dir", "link-hooks"):
        (repo / link).symlink_to(os.readlink(repo / "src" / link))
    return repo, home


def _oracle(repo: Path, home: Path, path: str) -> tuple[bool, bool, bool]:
    """(inside the repository, protected, forbidden) for the file the path really opens."""
    text = str(home) + path[1:] if path.startswith("~/") or path == "~" else path
    real = os.path.realpath(os.path.join(repo, text))
    root = os.path.realpath(repo)
    inside = real.startswith(root + "/")
    relative = real[len(root) + 1 :] if inside else None
    protected = relative is not None and any(
        _first_match([(p, *glob_regex(p))], real, relative) for p in PROTECTED
    )
    forbidden = any(_first_match([(p, *glob_regex(p))], real, relative) for p in FORBIDDEN)
    return inside, protected, forbidden


paths = st.lists(st.sampled_from(PIECES), min_size=1, max_size=6).map("/".join)


@given(path=paths, absolute=st.booleans(), trailing=st.sampled_from(["", "/", ".", " "]))
@settings(max_examples=800, deadline=None)
def test_an_allowed_write_lands_on_no_protected_file(
    battery: tuple[Path, Path], path: str, absolute: bool, trailing: str
) -> None:
    repo, home = battery
    path = (f"{repo}/{path}" if absolute and not path.startswith("~") else path) + trailing
    policy = compiled()
    decision = judge_file_access(policy, "L1", str(repo), str(repo), "write", path)
    if decision.allowed:
        inside, protected, forbidden = _oracle(repo, home, path)
        assert inside and not protected and not forbidden, path
        assert (
            os.stat(os.path.join(repo, path)).st_nlink == 1
            if os.path.isfile(os.path.join(repo, path))
            else True
        )
    assert not judge_file_access(policy, "L0", str(repo), str(repo), "write", path).allowed


@given(path=paths, absolute=st.booleans())
@settings(max_examples=800, deadline=None)
def test_an_allowed_read_stays_inside_and_off_forbidden_files(
    battery: tuple[Path, Path], path: str, absolute: bool
) -> None:
    repo, home = battery
    path = f"{repo}/{path}" if absolute and not path.startswith("~") else path
    decision = judge_file_access(compiled(), "L0", str(repo), str(repo), "read", path)
    if decision.allowed:
        inside, _protected, forbidden = _oracle(repo, home, path)
        assert inside or os.path.realpath(os.path.join(repo, path)) == os.path.realpath(repo)
        assert not forbidden, path


MARKERS = ["*** Add File: ", "*** Update File: ", "*** Delete File: ", "*** Move to: "]


@given(
    st.lists(st.tuples(st.sampled_from(MARKERS), paths), min_size=1, max_size=4),
    st.sampled_from(["\n", "\r\n"]),
)
@settings(max_examples=800, deadline=None)
def test_an_allowed_patch_touches_no_protected_file(
    battery: tuple[Path, Path], hunks: list[tuple[str, str]], newline: str
) -> None:
    repo, home = battery
    lines = ["*** Begin Patch"]
    for marker, path in hunks:
        lines.append(marker + path)
        lines.append("+x")
    lines.append("*** End Patch")
    try:
        touched = patch_paths(newline.join(lines))
    except PatchError:
        return  # an unreadable patch is denied
    named = {path.strip() for _marker, path in hunks}
    assert {path.strip() for _op, path in touched} >= named
    policy = compiled()
    for operation, path in touched:
        decision = judge_file_access(policy, "L1", str(repo), str(repo), operation, path)
        if decision.allowed:
            inside, protected, forbidden = _oracle(repo, home, path)
            assert inside and not protected and not forbidden, path
