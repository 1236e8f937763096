"""charter.guard.cache: the compiled policy cache, and what a cache hit costs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from charter.errors import CharterError
from charter.guard.cache import CACHE_PATH, load_compiled
from charter.sealed import seal, unseal
from tests.guard.helpers import POLICY, POLICY_PATH


def test_a_miss_writes_the_cache_and_a_hit_reads_it(repo: Path) -> None:
    first = load_compiled(str(repo), POLICY_PATH)
    cache = repo / CACHE_PATH
    entry = unseal(cache.name, cache.read_bytes())
    assert entry["key"][0] == POLICY_PATH
    assert entry["policy"]["default_level"] == "L1"
    # a hit must not reparse: prove it by making the cached copy differ from the file
    entry["policy"]["default_level"] = "L0"
    cache.write_bytes(seal(cache.name, entry))
    assert load_compiled(str(repo), POLICY_PATH).default_level == "L0"
    assert first.default_level == "L1"


def test_editing_the_policy_invalidates_the_cache(repo: Path) -> None:
    load_compiled(str(repo), POLICY_PATH)
    policy = repo / POLICY_PATH
    stat = policy.stat()
    # same size, same mtime: ctime and the inode still change
    policy.write_text(POLICY.replace("default_level: L1", "default_level: L2"), encoding="utf-8")
    os.utime(policy, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert load_compiled(str(repo), POLICY_PATH).default_level == "L2"


def test_an_invalid_policy_is_cached_as_its_error(repo: Path) -> None:
    (repo / POLICY_PATH).write_text(POLICY.replace("charter_policy: 1", "charter_policy: 9"))
    for _ in range(2):
        with pytest.raises(CharterError) as raised:
            load_compiled(str(repo), POLICY_PATH)
        assert raised.value.line == 2
        assert raised.value.path == POLICY_PATH
    assert "error" in unseal((repo / CACHE_PATH).name, (repo / CACHE_PATH).read_bytes())


@pytest.mark.parametrize("content", ["not json", "[]", '{"key": 1}', '{"policy": {}}'])
@pytest.mark.parametrize("sealed", [False, True])
def test_a_damaged_cache_is_rebuilt(repo: Path, content: str, sealed: bool) -> None:
    cache = repo / CACHE_PATH
    cache.parent.mkdir(parents=True)
    data = content.encode()
    cache.write_bytes(
        seal(cache.name, json.loads(content)) if sealed and content[0] in "[{" else data
    )
    assert load_compiled(str(repo), POLICY_PATH).default_level == "L1"


def test_a_damaged_entry_with_the_right_key_is_rebuilt(repo: Path) -> None:
    load_compiled(str(repo), POLICY_PATH)
    cache = repo / CACHE_PATH
    entry = unseal(cache.name, cache.read_bytes())
    entry["policy"]["levels"] = "nonsense"
    cache.write_bytes(seal(cache.name, entry))
    assert load_compiled(str(repo), POLICY_PATH).order == ["L0", "L1", "L2", "L3"]


def test_a_read_only_cache_directory_only_costs_speed(repo: Path) -> None:
    (repo / ".charter").mkdir()
    (repo / ".charter").chmod(0o500)
    try:
        assert load_compiled(str(repo), POLICY_PATH).default_level == "L1"
    finally:
        (repo / ".charter").chmod(0o700)


def test_a_missing_policy_is_an_error(repo: Path) -> None:
    (repo / POLICY_PATH).unlink()
    with pytest.raises(CharterError, match="no autonomy policy"):
        load_compiled(str(repo), POLICY_PATH)


HEAVY = ("click", "jinja2", "markdown_it", "yaml", "pandas")
PROBE = """
import sys
from charter.guard.entry import main
code = main(sys.argv[1:])
heavy = sorted(m for m in sys.modules if m.split(".")[0] in {heavy!r})
sys.stdout.write("MODULES " + ",".join(heavy) + "\\n")
sys.exit(code)
"""


def _imported(repo: Path, *args: str) -> tuple[int, list[str]]:
    result = subprocess.run(
        [sys.executable, "-I", "-c", PROBE.format(heavy=set(HEAVY)), *args],
        cwd=repo,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    line = [x for x in result.stdout.splitlines() if x.startswith("MODULES ")][-1]
    modules = line.removeprefix("MODULES ").split(",") if line != "MODULES " else []
    return result.returncode, modules


@pytest.mark.parametrize(
    ("command", "code"),
    [("git status", 0), ("curl x; git status", 2), ("git log $(x)", 2)],
)
def test_a_cache_hit_imports_nothing_heavy(repo: Path, command: str, code: int) -> None:
    _imported(repo, "--command", "git status")  # warm the cache
    assert _imported(repo, "--command", command) == (code, [])


def test_a_cache_miss_may_import_yaml_only(repo: Path) -> None:
    code, modules = _imported(repo, "--command", "git status")
    assert code == 0
    assert {m.split(".")[0] for m in modules} <= {"yaml"}


def test_the_console_script_path_stays_light(repo: Path) -> None:
    """`charter guard` through charter.cli dispatches before click is imported."""
    _imported(repo, "--command", "git status")
    probe = (
        "import sys\nfrom charter.cli import main\ncode = main(sys.argv[1:])\n"
        f"heavy = sorted(m for m in sys.modules if m.split('.')[0] in {set(HEAVY)!r})\n"
        "sys.stdout.write('MODULES ' + ','.join(heavy))\nsys.exit(code)\n"
    )
    result = subprocess.run(
        [sys.executable, "-I", "-c", probe, "guard", "--command", "git status"],
        cwd=repo,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert (result.returncode, result.stdout) == (0, "MODULES ")
