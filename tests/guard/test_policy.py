"""charter.guard.policy: the policy frontmatter, validated with file and line on every error."""

from __future__ import annotations

from pathlib import Path

import pytest

from charter.errors import CharterError
from charter.guard.compiled import CompiledPolicy
from charter.guard.export import render_levels_table
from charter.guard.policy import load_policy, parse_policy
from charter.guard.policy_model import compile_policy
from tests.guard.helpers import POLICY, POLICY_PATH

MINIMAL = """\
---
charter_policy: 1
levels:
  L0: {title: Observe, allow: ["git status"]}
  L1: {title: Edit, inherits: L0, allow: ["pytest"]}
---
"""


def test_the_example_policy() -> None:
    policy = parse_policy(POLICY, POLICY_PATH)
    assert policy.default_level == "L1"
    assert [level.name for level in policy.levels] == ["L0", "L1", "L2", "L3"]
    assert [level.name for level in policy.chain("L3")] == ["L0", "L1", "L2", "L3"]
    l3 = policy.level("L3")
    assert l3.env == (("CHARTER_ALLOW_NET", "1"),)
    assert l3.requires == ("Operator opt-in",)
    assert l3.line == POLICY.splitlines().index("  L3:") + 1
    assert "git push --force" in policy.deny
    assert ".env" in policy.forbidden_paths


def test_defaults() -> None:
    policy = parse_policy(MINIMAL, "p.md")
    assert policy.default_level == "L1"
    assert policy.deny == policy.forbidden_paths == policy.protected_paths == ()
    assert policy.level("L0").description == ""


def test_patterns_are_normalised() -> None:
    text = MINIMAL.replace('["pytest"]', '["  pytest   -q  "]')
    assert parse_policy(text, "p.md").level("L1").allow == ("pytest -q",)


def _replace(old: str, new: str, anchor: str = "") -> tuple[str, int]:
    """POLICY with `old` replaced by `new`, and the line of `anchor` in `new` (its first
    line when not given): where the error must point, however the test policy changes."""
    assert old in POLICY
    at = POLICY.index(old)
    line = POLICY.count("\n", 0, at) + new.count("\n", 0, new.index(anchor)) + 1
    return POLICY.replace(old, new, 1), line


INVALID: list[tuple[str, int, str]] = [
    (*_replace("charter_policy: 1", "charter_policy: 2"), "charter_policy must be 1"),
    (POLICY.replace("charter_policy: 1\n", "", 1), 1, "missing `charter_policy: 1`"),
    (*_replace("default_level: L1", "default_level: L9"), "default level 'L9'"),
    (*_replace("default_level: L1", "default_levl: L1"), "unknown key 'default_levl'"),
    (*_replace("    inherits: L0", "    inherits: L7"), "inherits 'L7'"),
    (*_replace("    inherits: L2", "    inherits: L3"), "inheritance cycle"),
    (*_replace("    title: Observe", "    titel: Observe"), "unknown key 'titel' in level L0"),
    (*_replace('"git show", ', '"git show", "git $(x)", '), "bad pattern 'git $(x)'"),
    (*_replace('"make test", ', '"make test", "./run.sh", '), "bad pattern './run.sh'"),
    (*_replace('"make test", ', '"make test", "env", '), "'env' can never be allowed"),
    (*_replace('"make test", ', '"make test", "git -c x=y", '), "never be allowed"),
    (*_replace('"make test", ', '"make test", 7, '), "allow entries must be text"),
    (*_replace('"git reset --hard"]', '"git reset --hard", "rg |x"]'), "bad pattern 'rg |x'"),
    (
        *_replace('env: {CHARTER_ALLOW_NET: "1"}', "env: {CHARTER_ALLOW_NET: 1}"),
        "must be quoted text",
    ),
    (
        *_replace('env: {CHARTER_ALLOW_NET: "1"}', 'env: {CHARTER-NET: "1"}'),
        "not an environment variable name",
    ),
    (*_replace("  L2:\n", "  L2 x:\n"), "level name 'L2 x'"),
    (*_replace('forbidden_paths: ["*.accdb"', 'forbidden_paths: ["../x"'), "bad path pattern"),
    (*_replace("  L1:\n", "  L0:\n"), "duplicate key 'L0'"),
    (
        *_replace("    description: Read-only analysis", "    description: [1]"),
        "description must be text",
    ),
    (*_replace("levels:\n", "levels: []\nlevelz:\n", "levelz"), "unknown key 'levelz'"),
    (*_replace("deny: [", "deny: 7\nx: [", "x: ["), "unknown key 'x'"),
    ("no frontmatter\n", 1, "must start with YAML frontmatter"),
    ("---\ncharter_policy: 1\n", 1, "never closed"),
    ("---\nlevels: [\n---\n", 3, "invalid YAML"),
    ("---\ncharter_policy: 1\n---\n", 1, "needs `levels:`"),
    ("---\ncharter_policy: 1\nlevels:\n  L0: x\n---\n", 4, "level L0 must be a mapping"),
]


@pytest.mark.parametrize(("text", "line", "message"), INVALID)
def test_invalid_policy_names_file_and_line(text: str, line: int, message: str) -> None:
    with pytest.raises(CharterError) as raised:
        parse_policy(text, "docs/agents/AUTONOMY.md")
    error = raised.value
    assert message in error.message
    assert error.path == "docs/agents/AUTONOMY.md"
    assert error.line == line, str(error)


def test_a_missing_policy_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(CharterError, match="no autonomy policy"):
        load_policy(tmp_path / "AUTONOMY.md", "docs/agents/AUTONOMY.md")


def test_compiled_form_round_trips_through_json() -> None:
    import json

    data = json.loads(json.dumps(compile_policy(parse_policy(POLICY, POLICY_PATH))))
    compiled = CompiledPolicy(data)
    assert compiled.chain("L3") == ["L0", "L1", "L2", "L3"]
    assert compiled.levels["L3"]["env"] == {"CHARTER_ALLOW_NET": "1"}
    assert ["rg", "--pre"] in compiled.deny


@pytest.mark.parametrize(
    "damage",
    [
        lambda d: d.pop("levels"),
        lambda d: (
            d["levels"]["L1"].update(inherits="L3") or d["levels"]["L3"].update(inherits="L1")
        ),
        lambda d: d["levels"]["L0"].update(allow=[[]]),
        lambda d: d["levels"]["L0"].update(allow=[[1]]),
        lambda d: d.update(default_level="L9"),
    ],
)
def test_damaged_compiled_policy_is_rejected(damage: object) -> None:
    data = compile_policy(parse_policy(POLICY, POLICY_PATH))
    damage(data)  # type: ignore[operator]
    with pytest.raises(ValueError):
        CompiledPolicy(data)


LEVELS_TABLE = """\
| Level | Description | Allowed actions | Extra requirements |
|-------|-------------|-----------------|--------------------|
| L0 – Observe | Read-only analysis | `git status`, `git diff`, `git log`, `git show`, `rg`, \
`ls`, `cat`, `head`, `wc` | None |
| L1 – Edit & test (default) | Modify code and docs, run tests | Everything in L0, plus \
`pytest`, `make test`, `ruff check`, `git add`, `git commit`, `cp`, `rm`, `touch` | Attach \
test results to the session log |
| L2 – Experiment | Run benchmarks and pipelines | Everything in L1, plus `make bench`, `cd` \
| None |
| L3 – Online | Guarded downloads | Everything in L2, plus `pip install`, `git push` | \
Operator opt-in; `CHARTER_ALLOW_NET=1` set when the guard runs |
"""


def test_levels_table_is_rendered_from_the_frontmatter() -> None:
    assert render_levels_table(parse_policy(POLICY, POLICY_PATH)) == LEVELS_TABLE


def test_levels_table_escapes_pipes() -> None:
    text = MINIMAL.replace("title: Observe", "title: Observe, description: 'a | b'")
    assert "a \\| b" in render_levels_table(parse_policy(text, "p.md"))
