"""Precision with no configuration beyond `charter init --detect`, as measured.

Every corpus in ../shared/corpora and every example in ../shared/examples (put
in docs/plans/ with frontmatter added) is copied to a temporary git repository,
`charter init --detect` writes its charter.toml, and `charter check` runs.
`zero_config_judged.json` holds, per corpus, a seeded sample of 20 findings
(`random.Random(17).sample` over the findings sorted by path, line, col, code,
message) taken before the zero-config precision work and after it, each judged
by reading its source: true when a maintainer would act on it (false ones carry
the reason). Here the findings per rule must be the counts measured, every
finding judged false before the work must be gone, every one judged true after
it still reported, and the judged sample after the work at least 90 % true (the
false ones left are named in the file with what a general rule could not see). The false classes are
regression cases in test_zero_config_cases.py. Print the current samples to
judge again with `python -m tests.precision.test_zero_config_precision`.
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from charter.config import load_config
from charter.detect.run import write_detected
from charter.model import Diagnostic
from tests.conftest import CORPORA, EXAMPLES, check_findings

HERE = Path(__file__).parent
JUDGED = json.loads((HERE / "zero_config_judged.json").read_text("utf-8"))
SEED, SAMPLE = 17, 20

# name -> findings per rule with no configuration but `charter init --detect`.
FINDINGS: dict[str, dict[str, int]] = {
    "0xfauzi__testcraft": {},
    "Kbediako__CO": {"CH004": 729, "CH001": 20, "CH005": 8, "CH003": 7, "CH002": 3},
    "Young-Z__X-IPE": {"CH002": 157, "CH003": 65, "CH015": 5, "CH008": 4, "CH018": 1},
    "atomize-hq__agent-wrappers": {"CH008": 7},
    "gjwang__zero_x_infinity": {"CH008": 1},
    "liorfranko__Spectra": {},
    "michalptacnik__codex-telegram-bot": {},
    "paunchygent__skriptoteket": {"CH010": 9, "CH008": 9, "CH002": 9},
    "rjmurillo__ai-agents": {"CH008": 1},
    "ex:action-plan": {},
    "ex:autonomy-plan": {},
    "ex:long-session-plan": {},
    "ex:session-handoff": {},
    "ex:task-checklist": {"CH004": 24},
}


def detected_copy(name: str, dest: Path) -> Path:
    """A git repository holding corpus `name` (or `ex:<example>` in docs/plans/), with the
    charter.toml `charter init --detect` writes for it."""
    root = dest / name.replace(":", "_")
    if name.startswith("ex:"):
        source = EXAMPLES / f"{name[3:]}.md"
        if not source.is_file():
            pytest.skip("../shared/examples is not present beside the repository")
        plans = root / "docs" / "plans"
        plans.mkdir(parents=True)
        front = f"---\nid: {name[3:]}\ntitle: {name[3:]}\n---\n".encode()
        (plans / source.name).write_bytes(front + source.read_bytes())
    else:
        source = CORPORA / name
        if not source.is_dir():
            pytest.skip(f"corpus {name} is not present beside the repository (../shared/corpora)")
        shutil.copytree(source, root)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    write_detected(root)
    return root


def check(name: str, dest: Path) -> list[Diagnostic]:
    return check_findings(load_config(detected_copy(name, dest)))


def sample(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    ordered = sorted(diagnostics, key=lambda d: (d.path, d.line, d.col, d.code, d.message))
    return random.Random(SEED).sample(ordered, min(SAMPLE, len(ordered)))


@pytest.mark.parametrize("name", sorted(FINDINGS))
def test_findings_and_their_judged_verdicts(tmp_path: Path, name: str) -> None:
    found = check(name, tmp_path)
    assert dict(Counter(d.code for d in found)) == FINDINGS[name]
    where = {(d.path, d.line, d.code) for d in found}
    judged = JUDGED[name]
    fixed = {(r[0], r[1], r[2]) for r in judged["before"] if not r[3]}
    true = {(r[0], r[1], r[2]) for r in judged["after"] if r[3]}
    assert sorted(fixed & where) == []
    assert sorted(true - where) == []
    # The judged sample is the one the seed draws from today's findings.
    assert [(d.path, d.line, d.code) for d in sample(found)] == [
        (r[0], r[1], r[2]) for r in judged["after"]
    ]


@pytest.mark.parametrize("name", sorted(JUDGED))
def test_judged_precision_is_at_least_90_percent(name: str) -> None:
    after = JUDGED[name]["after"]
    if after:  # no finding left: nothing said, nothing wrong
        assert sum(1 for r in after if r[3]) / len(after) >= 0.9


def _print_samples(names: list[str], dest: Path) -> None:
    for name in names or sorted(FINDINGS):
        found = check(name, dest)
        print(f"== {name}: {len(found)} finding(s) {dict(Counter(d.code for d in found))}")
        for d in sample(found):
            print(f"  {d.path}:{d.line}:{d.col} {d.code} {d.message[:160]}")


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as scratch:
        _print_samples(sys.argv[1:], Path(scratch))
