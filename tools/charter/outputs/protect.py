"""The one protection every writer of a plan-derived output goes through.

A regeneration (`charter board`, `charter handoff`, the board an edit or
`charter watch` triggers, the HTML page) is refused when:

- a plan could not be read reliably (unreadable file or folder, frontmatter
  never closed, invalid UTF-8, nesting too deep), so some of its tasks may be
  missing; nothing is regenerated from an incomplete read;
- it would drop more tasks than `max_drop_rows` / `max_drop_share` allow, or
  every task, counted against a baseline that deleting files cannot lower:
  the board CSV git last committed, the CSV on disk, and the high-water mark
  (every task key charter saw since the commit HEAD names, kept under
  `.charter/outputs/`). So neither deleting a few tasks at a time nor deleting
  TaskBoard.csv first slips a large drop past it; committing the plans (or
  `--force`) accepts the drop.
"""

from __future__ import annotations

import csv
import hashlib
import json
import subprocess
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from charter.cache import CACHE_DIR, load_cache, save_cache
from charter.config import Config
from charter.errors import CharterError
from charter.io import STATE_DIR, ensure_state_dir, locked, read_text, write_text_atomic
from charter.model import Diagnostic, Plan
from charter.repo import RepoModel
from charter.rulecodes import FILE_ENCODING, NESTING_TOO_DEEP, PARSE_ERROR
from charter.sorting import natural_key

HIGH_WATER = f"{STATE_DIR}/outputs/high-water.json"
COMMITTED = f"{CACHE_DIR}/committed-board.cache"  # the keys of the last commit's board CSV
EXAMPLE_PLAN = "example.md"  # the file name of the example plan `charter init` writes
_SHOW_IDS = 30
_GIT_TIMEOUT_S = 10

Keys = dict[str, str]  # task key -> the plan it was in


def row_key(task_id: str, plan: str, title: str) -> str:
    """What identifies a task across regenerations: its ID, or its plan and title."""
    return task_id or f"{plan}: {title}"


# ---- a complete read ---------------------------------------------------------------


def unreadable_problems(repo: RepoModel) -> list[Diagnostic]:
    """Parse problems after which charter cannot be sure it read every task of a plan.

    A frontmatter block that is never closed or an unreadable file or folder
    (CH001 on line 1; invalid YAML in a closed block is reported on its own line
    and leaves the body intact), invalid UTF-8 (CH016 error) or nesting too deep (CH017).
    """
    return sorted(d for plan in repo.plans for d in plan_unreadable(plan))


def plan_unreadable(plan: Plan) -> list[Diagnostic]:
    """`unreadable_problems` of one plan."""
    return [
        d
        for d in plan.problems
        if d.severity == "error"
        and ((d.code == PARSE_ERROR and d.line == 1) or d.code in (FILE_ENCODING, NESTING_TOO_DEEP))
    ]


def incomplete_error(problems: list[Diagnostic], output: str) -> CharterError:
    lines = "\n  ".join(str(d) for d in problems)
    first = problems[0]
    return CharterError(
        f"{len(problems)} plan problem(s) mean some tasks may not have been read, so {output} "
        f"was left as it is:\n  {lines}\nFix the plan(s), or run with --force",
        first.path,
        first.line,
    )


def require_complete(repo: RepoModel, output: str) -> None:
    """CharterError when a plan could not be read reliably."""
    problems = unreadable_problems(repo)
    if problems:
        raise incomplete_error(problems, output)


# ---- tasks that would vanish -------------------------------------------------------


def repo_keys(repo: RepoModel) -> Keys:
    """The key of every task the board would show (see charter.board.render.board_rows)."""
    keys: Keys = {}
    for task in repo.tasks():
        if task.id:
            keys[task.id] = task.path
    if repo.config.anonymous_tasks:
        for plan in repo.plans:
            for task in plan.tasks:
                if not task.id:
                    keys[row_key("", task.path, " ".join(task.title.split()))] = task.path
    return keys


def baseline(config: Config, on_disk_csv: str | None, on_disk_keys: Keys | None = None) -> Keys:
    """Every task key the last commit, the CSV on disk and the high-water mark hold
    (`on_disk_keys`: the keys of `on_disk_csv`, when the caller knows them already)."""
    head = _git(config, "rev-parse", "--verify", "-q", "HEAD")
    mark = _read_mark(config)
    current = mark is not None and mark.head == (head or "")
    keys: Keys = {}
    blob = None
    # A forced write since the commit accepted its drop: count from there instead.
    if head is not None and not (current and mark is not None and mark.forced):
        blob, committed = _committed(config)
        keys.update(committed)
    if on_disk_keys is not None:
        keys.update(on_disk_keys)
    elif on_disk_csv is None or blob is None or _blob_id(on_disk_csv, blob) != blob:
        keys.update(csv_keys(on_disk_csv))  # (the committed CSV itself adds nothing)
    if current and mark is not None:
        for key, plan in mark.keys.items():
            keys.setdefault(key, plan)
    return keys


def drop_inputs(config: Config, names: tuple[str, str] | None = None) -> str:
    """A hash of what the drop guard reads besides the board itself: the commit HEAD names,
    its board CSV's blob and the high-water mark. While it holds, a verdict on one set of
    keys stands (charter.board.patch keeps it). `names`: `committed_names`, when the caller
    read them already (a regeneration asks before and after it writes; a commit between
    leaves the pass on the names it judged, and the next run judges again)."""
    head, blob = names if names is not None else committed_names(config)
    try:
        mark = read_text(config.path(HIGH_WATER)) or ""
    except (OSError, CharterError):
        mark = "\0unreadable"
    digest = hashlib.sha256(f"{head}\0{blob}\0".encode())
    digest.update(mark.encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


def committed_names(config: Config) -> tuple[str, str]:
    """HEAD's commit and its board CSV's blob ("" for either that is missing): one git
    process when both exist, as they do after the first commit of a board."""
    both = _git(config, "rev-parse", "HEAD", f"HEAD:./{config.board_csv}")
    lines = both.split("\n") if both is not None else []
    if len(lines) == 2 and all(len(line) >= 40 for line in lines):
        return lines[0], lines[1]
    head = _git(config, "rev-parse", "--verify", "-q", "HEAD") or ""
    blob = _git(config, "rev-parse", "--verify", "-q", f"HEAD:./{config.board_csv}") or ""
    return head, blob


def committed_keys(config: Config) -> Keys:
    """The keys of the board CSV HEAD holds, remembered by the blob's hash: at 50,000 tasks
    reading them from git on every regeneration took half a second."""
    return _committed(config)[1]


def _committed(config: Config) -> tuple[str | None, Keys]:
    """The blob HEAD holds the board CSV in (None: none), and its keys."""
    blob = _git(config, "rev-parse", "--verify", "-q", f"HEAD:./{config.board_csv}")
    if blob is None:
        return None, {}
    path = config.path(COMMITTED)
    stored = load_cache(path)
    if (
        isinstance(stored, dict)
        and stored.get("blob") == blob
        and isinstance(stored.get("keys"), dict)
    ):
        return blob, stored["keys"]
    keys = csv_keys(_git(config, "cat-file", "blob", blob))
    save_cache(path, {"blob": blob, "keys": keys})
    return blob, keys


def _blob_id(text: str, like: str) -> str:
    """The id git gives `text` as a blob, in the hash `like` is in (SHA-1, or SHA-256)."""
    data = text.encode("utf-8")
    h = hashlib.sha256() if len(like) == 64 else hashlib.sha1(usedforsecurity=False)
    h.update(b"blob %d\0" % len(data))
    h.update(data)
    return h.hexdigest()


def drop_refusal(
    config: Config,
    new: Mapping[str, str],
    on_disk_csv: str | None,
    on_disk_keys: Keys | None = None,
) -> CharterError | None:
    """A refusal when `new` would drop too many of the baseline's tasks; None when fine."""
    old = baseline(config, on_disk_csv, on_disk_keys)
    if not old:
        return None
    gone = sorted(set(old) - set(new), key=natural_key)
    if not gone:
        return None
    share = len(gone) / len(old)
    if new and len(gone) <= config.max_drop_rows and share <= config.max_drop_share:
        return None
    plans = {old[key] for key in gone if old[key]}
    where = ", ".join(
        f"{p}{'' if config.path(p).is_file() else ' (missing)'}" for p in sorted(plans)
    )
    shown = ", ".join(gone[:_SHOW_IDS]) + (
        f" and {len(gone) - _SHOW_IDS} more" if len(gone) > _SHOW_IDS else ""
    )
    limit = (
        f"limit: {config.max_drop_rows} rows or {config.max_drop_share:.0%}"
        if new
        else "every row would go"
    )
    example = _removed_example(config, plans)
    if example is not None:
        return CharterError(
            f"the example plan {example} was removed, and its tasks ({shown}) with it: run "
            "`charter board --force` once to drop them from the board",
            config.board_csv,
        )
    return CharterError(
        f"regenerating would drop {len(gone)} of {len(old)} tasks ({share:.0%}; {limit}): "
        f"{shown}. They were in {where or 'unknown plans'} (counted since the last commit). "
        "If a plan is half-saved or failed to parse, fix it; if the tasks were removed on "
        "purpose, commit the plans or run with --force",
        config.board_csv,
    )


def _removed_example(config: Config, plans: set[str]) -> str | None:
    """The path of `charter init`'s example plan when every dropped task came from it and
    it no longer exists: replacing the example is the scaffold's first step, not an accident."""
    if len(plans) != 1:
        return None
    (plan,) = plans
    if Path(plan).name != EXAMPLE_PLAN or config.path(plan).exists():
        return None
    return plan


def csv_keys(text: str | None) -> Keys:
    """(row key -> Plan) of every row of a board CSV; {} when there is none or it is unreadable."""
    if not text:
        return {}
    try:
        reader = csv.reader(text.splitlines())
        header = next(reader, None)
        if not header or "ID" not in header:
            return {}
        # Positions, not a dict per row (csv.DictReader): the board has 50,000 rows.
        # A column named twice counts by its last position, as DictReader's rows did.
        at = {name: n for n, name in enumerate(header)}
        ids, plans, titles = at["ID"], at.get("Plan"), at.get("Title")
        found: Keys = {}
        for row in reader:
            if not row:
                continue  # DictReader skipped blank lines too
            plan = _cell(row, plans)
            key = row_key(_cell(row, ids), plan, _cell(row, titles))
            if key.strip(": "):
                found[key] = plan
        return found
    except csv.Error:
        return {}


def _cell(row: list[str], at: int | None) -> str:
    return row[at] if at is not None and at < len(row) else ""


# ---- the high-water mark -----------------------------------------------------------


def record(config: Config, keys: Mapping[str, str], *, reset: bool = False) -> None:
    """Remember `keys` in the high-water mark after a successful write (`reset`: after a
    forced one, the mark starts again from `keys`). Best effort: the mark only adds
    protection, and a write that succeeded is not failed by it."""
    head = _git(config, "rev-parse", "--verify", "-q", "HEAD") or ""
    path = config.path(HIGH_WATER)
    try:
        ensure_state_dir(config.path(STATE_DIR))
        with locked(path):
            mark = _read_mark(config)
            same = mark is not None and mark.head == head
            merged: Keys = dict(mark.keys) if mark is not None and same and not reset else {}
            merged.update(keys)
            forced = reset or (mark is not None and same and mark.forced)
            if mark is not None and same and merged == mark.keys and forced == mark.forced:
                return  # nothing new to remember (most regenerations after an edit)
            text = json.dumps({"head": head, "keys": merged, "forced": forced}, sort_keys=True)
            if read_text(path) != text:
                write_text_atomic(path, text)
    except (OSError, CharterError):
        return


@dataclass(frozen=True)
class _Mark:
    head: str  # the commit HEAD named when it was recorded ("" outside git)
    keys: Keys
    forced: bool  # a forced write since that commit: its drop was accepted


_last_mark: list[tuple[str, _Mark]] = []  # the text last decoded, and what it said


def _read_mark(config: Config) -> _Mark | None:
    try:
        text = read_text(config.path(HIGH_WATER)) or "null"
    except (OSError, CharterError):
        return None
    if _last_mark and _last_mark[0][0] == text:  # a regeneration reads it twice: decode once
        return _last_mark[0][1]
    try:
        data = json.loads(text)
    except ValueError:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("keys"), dict):
        return None
    keys = data["keys"]  # JSON object keys are strings already
    if not all(type(v) is str for v in keys.values()):
        keys = {k: str(v) for k, v in keys.items()}
    mark = _Mark(str(data.get("head") or ""), keys, data.get("forced") is True)
    _last_mark[:] = [(text, mark)]
    return mark


def _git(config: Config, *args: str) -> str | None:
    try:
        done = subprocess.run(
            ["git", *args],
            cwd=config.root,
            capture_output=True,
            timeout=_GIT_TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode != 0:
        return None
    return (
        done.stdout.decode("utf-8", "replace").strip("\n")
        if args[0] == "rev-parse"
        else (done.stdout.decode("utf-8", "replace"))
    )


def keys_of(items: Iterable[tuple[str, str, str]]) -> Keys:
    """Keys of (id, plan, title) triples."""
    return {row_key(i, p, t): p for i, p, t in items}
