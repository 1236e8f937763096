"""The incremental check on real corpora: after one edit, the same findings as a full check.

Each corpus of ../shared/corpora is copied into a temporary git repository and
read with the configuration `charter detect` gives it (as `charter init
--detect` writes it), so every rule that compares files (CH002 with its
mentions and ID scopes, CH006, CH007, CH012, CH018) meets the shapes real
teams write. One file is edited at a time, in the ways people edit plans, and
the check that re-reads only that file must find exactly what a check without
any cache finds.
"""

from __future__ import annotations

import random
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest

from charter.checks.engine import check_repo
from charter.config import Config
from charter.detect import config_for_repo
from charter.repo import read_snapshot
from tests.conftest import CORPORA

TODAY = date(2026, 11, 21)
NAMES = sorted(
    [
        "0xfauzi__testcraft",
        "Kbediako__CO",
        "Young-Z__X-IPE",
        "atomize-hq__agent-wrappers",
        "gjwang__zero_x_infinity",
        "liorfranko__Spectra",
        "michalptacnik__codex-telegram-bot",
        "paunchygent__skriptoteket",
        "rjmurillo__ai-agents",
    ]
)
_BOX = re.compile(r"^(\s*[-*+] )\[( |x|X)\]", re.M)
_ID = re.compile(r"\b[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*-?\d+[a-z]?\b")


def _copy(name: str, dest: Path) -> Config:
    source = CORPORA / name
    if not source.is_dir():
        pytest.skip(f"corpus {name} is not present beside the repository (../shared/corpora)")
    shutil.copytree(source, dest, symlinks=True)
    subprocess.run(["git", "init", "-q", str(dest)], check=True)
    config, _ = config_for_repo(dest)
    return config


def _findings(config: Config, use_cache: bool) -> tuple[object, ...]:
    report = check_repo(config, use_cache, (), TODAY)
    return (
        report.plans,
        report.tasks,
        report.sessions,
        [(d, d.severity) for d in report.diagnostics],
    )


def _governed(config: Config) -> list[Path]:
    """The plans and mirrors charter reads, those with checklist items first."""
    files = [config.root / f.rel for f in read_snapshot(config).files if f.kind != "session"]
    files = [f for f in files if f.is_file()]
    return sorted(files, key=lambda f: (not _BOX.search(_text(f)), str(f)))


def _text(path: Path) -> str:
    return path.read_bytes().decode("utf-8", "surrogateescape")


def _write(path: Path, text: str) -> None:
    path.write_bytes(text.encode("utf-8", "surrogateescape"))


def _edit(config: Config, rng: random.Random, kind: str) -> str:
    """One edit of `kind` to one governed file; says what it did."""
    files = _governed(config)
    with_boxes = [f for f in files if _BOX.search(_text(f))] or files
    target = rng.choice(with_boxes[:20])
    text = _text(target)
    rel = target.relative_to(config.root)
    if kind == "tick":  # a checkbox flipped: status, mirrors, evidence
        boxes = list(_BOX.finditer(text))
        if not boxes:
            return f"tick: no checkbox in {rel}"
        box = rng.choice(boxes)
        mark = " " if box.group(2) != " " else "x"
        _write(target, f"{text[: box.end() - 2]}{mark}{text[box.end() - 1 :]}")
        return f"tick {rel}:{text.count(chr(10), 0, box.start()) + 1}"
    if kind == "copy-id":  # an ID of another file written here, for other work
        ids = sorted({m.group(0) for f in files[:40] for m in _ID.finditer(_text(f))})
        if not ids:
            return "copy-id: no ID"
        task_id = rng.choice(ids)
        title = rng.choice(["refactor the billing exporter", "a copy of the same task"])
        _write(target, f"{text.rstrip()}\n\n- [x] {task_id}: {title}\n  - Depends: {task_id}\n")
        return f"copy-id {task_id} into {rel}"
    lines = text.split("\n")  # drop-line: everything below moves up a line
    n = rng.randrange(len(lines))
    del lines[n]
    _write(target, "\n".join(lines))
    return f"drop-line {rel}:{n + 1}"


@pytest.mark.parametrize("name", NAMES)
def test_one_edit_to_a_corpus_finds_what_a_full_check_finds(tmp_path: Path, name: str) -> None:
    config = _copy(name, tmp_path / "repo")
    assert _findings(config, True) == _findings(config, False)  # cold cache == no cache
    rng = random.Random(name)
    done = []
    for kind in ("tick", "copy-id", "drop-line"):
        done.append(_edit(config, rng, kind))
        assert _findings(config, True) == _findings(config, False), f"after {done}"
