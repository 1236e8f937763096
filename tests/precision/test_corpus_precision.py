"""Precision on the real corpora, as measured: judged findings keep their verdicts.

`judged_samples.json` holds, per corpus in ../shared/corpora, a seeded random
sample of 20 findings (`random.Random(17).sample` over the findings sorted by
path, line, col, code, message) taken before the precision work and after it,
each judged by reading its source: true when a maintainer would act on it.
Here every finding judged false must be gone, every one judged true must
still be reported, and the judged samples must give at least 90 % precision
after the work. Regenerate the samples (and judge them again) with
`python -m tests.precision.test_corpus_precision` when the rules change.
"""

from __future__ import annotations

import json
import random
import sys
import tomllib
from pathlib import Path

import pytest

from charter.config import config_from_table
from charter.model import Diagnostic
from tests.conftest import CORPORA, check_findings

HERE = Path(__file__).parent
JUDGED = json.loads((HERE / "judged_samples.json").read_text("utf-8"))
SEED, SAMPLE = 17, 20


def config_file(name: str) -> Path:
    own = HERE.parent / "corpora" / f"{name}.toml"
    return own if own.is_file() else HERE / "corpora" / f"{name}.toml"


def check(name: str) -> list[Diagnostic]:
    root = CORPORA / name
    if not root.is_dir():
        pytest.skip(f"corpus {name} is not present beside the repository (../shared/corpora)")
    source = config_file(name)
    config = config_from_table(root, tomllib.loads(source.read_text("utf-8")), source)
    return check_findings(config)


def sample(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    ordered = sorted(diagnostics, key=lambda d: (d.path, d.line, d.col, d.code, d.message))
    return random.Random(SEED).sample(ordered, min(SAMPLE, len(ordered)))


@pytest.mark.parametrize("name", sorted(JUDGED))
def test_judged_findings_keep_their_verdicts(name: str) -> None:
    found = {(d.path, d.line, d.code) for d in check(name)}
    judged = JUDGED[name]
    false = {(p, line, c) for p, line, c, true in judged["before"] + judged["after"] if not true}
    true = {(p, line, c) for p, line, c, true in judged["after"] if true}
    assert sorted(false & found) == []
    assert sorted(true - found) == []


@pytest.mark.parametrize("name", sorted(JUDGED))
def test_precision_on_the_judged_sample_is_at_least_90_percent(name: str) -> None:
    after = JUDGED[name]["after"]
    if not after:
        return  # no finding left to judge: nothing said, nothing wrong
    assert sum(1 for *_, true in after if true) / len(after) >= 0.9


def _print_samples(names: list[str]) -> None:
    """The current seeded sample of each corpus, to judge by reading the source."""
    for name in names or sorted(JUDGED):
        found = check(name)
        print(f"== {name}: {len(found)} finding(s)")
        for d in sample(found):
            print(f"  {d.path}:{d.line}:{d.col} {d.code} {d.message[:160]}")


if __name__ == "__main__":
    _print_samples(sys.argv[1:])
