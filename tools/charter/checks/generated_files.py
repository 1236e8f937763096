"""charter's own outputs, as the size rule (CH025) must see them.

The Markdown board, its CSV and the handoff are written by charter from the
plans; their size follows the plans' (at 20,000 tasks the board passes 1 MB)
and is nobody's choice, so a size limit on them only reports charter to
itself. They are exempt, but only when what git holds at their path really is
charter's output: the blob in the index carries charter's generated stamp and
its body matches the stamp's hash (the CSV: its hash is the one the stamped
board records). A large file an agent stages at the board's path, or a
generated file edited by hand, is judged like any other file.
"""

from __future__ import annotations

import posixpath
import subprocess
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path

from charter import stamps
from charter.config import Config


def output_paths(config: Config) -> tuple[str, ...]:
    """Where charter writes files that are pure functions of the plans."""
    return (config.board, config.board_csv, config.handoff)


# `remembered(parts, compute)`: compute()'s answer, remembered under `parts` (checks.blob_facts)
Verdicts = Callable[[tuple[str, ...], Callable[[], bool]], bool]


def charter_outputs(
    root: Path,
    config: Config,
    blobs: dict[str, str],
    candidates: Iterable[str],
    remembered: Verdicts | None = None,
) -> set[str]:
    """Which `candidates` (paths in git's index, `blobs`: path -> blob id) are charter's
    own stamped output as git holds them. A blob id names its content, so a verdict
    `remembered` under the blob ids it read needs no blob read again."""
    wanted = [p for p in candidates if p in output_paths(config) and p in blobs]
    if not wanted:
        return set()
    names = sorted({*wanted, config.board} & set(blobs))
    texts: dict[str, str | None] = {}

    def text_of(path: str) -> str | None:
        if not texts:  # every blob needed, in one `git cat-file`, on the first need
            texts.update(zip(names, _blob_texts(root, [blobs[n] for n in names]), strict=True))
        return texts.get(path)

    def judge(path: str) -> bool:
        text = text_of(path)
        if text is None:
            return False
        if path == config.board_csv:
            return _csv_recorded(config, stamps.inspect_file(text_of(config.board)), text)
        return stamps.inspect_file(text).state == "generated"

    found: set[str] = set()
    for path in wanted:
        parts: tuple[str, ...]
        if path == config.board_csv:
            parts = ("csv", path, blobs[path], config.board, blobs.get(config.board, ""))
        else:
            parts = ("stamped", path, blobs[path])
        if remembered(parts, partial(judge, path)) if remembered else judge(path):
            found.add(path)
    return found


def _csv_recorded(config: Config, board: stamps.Stamp, text: str) -> bool:
    folder = posixpath.dirname(config.board) or "."
    key = stamps.companion_key(posixpath.relpath(config.board_csv, folder))
    return board.attrs.get(key) == stamps.digest(text)


def _blob_texts(root: Path, shas: list[str]) -> list[str | None]:
    """Each blob's text (None: missing or not UTF-8), from one `git cat-file --batch`."""
    try:
        done = subprocess.run(
            ["git", "-C", str(root), "cat-file", "--batch"],
            input="".join(f"{sha}\n" for sha in shas).encode(),
            capture_output=True,
            timeout=60,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return [None] * len(shas)
    if done.returncode != 0:
        return [None] * len(shas)
    out, pos = done.stdout, 0
    texts: list[str | None] = []
    for _ in shas:
        end = out.find(b"\n", pos)
        if end < 0:
            texts.append(None)
            continue
        header = out[pos:end].split()
        pos = end + 1
        if len(header) != 3 or not header[2].isdigit():
            texts.append(None)
            continue
        size = int(header[2])
        try:
            texts.append(out[pos : pos + size].decode("utf-8"))
        except UnicodeDecodeError:
            texts.append(None)
        pos += size + 1
    return texts
