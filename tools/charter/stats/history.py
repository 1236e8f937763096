"""The plans' git history as task moves, read incrementally and cached.

Every first-parent commit that touched a plan file is a snapshot of every
task's board column; consecutive snapshots give the moves (task, from, to,
snapshot). Reading the whole history again on every `charter stats` made it
grow with every commit ever made, so the moves read so far are kept in
`.charter/cache/stats-history.cache` (sealed JSON, charter.sealed) with the
commit they run to. The next run reads only the commits since then, when that
commit is still on HEAD's first-parent line; after a rebase, a reset or a
force-push it is not, and the history is read again from the start. A change
of configuration or of charter's code starts over too.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from charter.cache import CACHE_DIR, code_stamp, load_cache, save_cache
from charter.config import Config
from charter.errors import CharterError
from charter.fasthash import blake2b
from charter.files import plan_listing

CACHE = f"{CACHE_DIR}/stats-history.cache"
State = dict[str, str]  # task id -> column
# Columns of a plan version by (path, content digest); None when it is not known.
KnownColumns = Callable[[str, str], State | None]
ParseColumns = Callable[[str, bytes], State]


@dataclass
class History:
    """Snapshots (one per plan commit, oldest first) and the moves between them."""

    head: str | None = None  # the last commit read
    shas: list[str] = field(default_factory=list)
    times: list[datetime] = field(default_factory=list)
    task: list[str] = field(default_factory=list)
    before: list[str | None] = field(default_factory=list)  # None: the task appeared
    after: list[str | None] = field(default_factory=list)  # None: the task was removed
    snap: list[int] = field(default_factory=list)  # index into times
    files: dict[str, State] = field(default_factory=dict)  # each plan file at `head`
    available: bool = True  # False: no git history to read
    reread: bool = False  # this run read the history from the start

    @property
    def commits(self) -> int:
        return len(self.times)

    def state(self) -> State:
        """Every task's column at the last commit read (files in name order, later wins)."""
        merged: State = {}
        for name in sorted(self.files):
            merged.update(self.files[name])
        return merged


def add_moves(history: History, previous: State, state: State, snap: int) -> None:
    """The moves from `previous` to `state`: changes in `state`'s order, then removals."""
    for task, column in state.items():
        old = previous.get(task)
        if old != column:
            history.task.append(task)
            history.before.append(old)
            history.after.append(column)
            history.snap.append(snap)
    for task, column in previous.items():
        if task not in state:
            history.task.append(task)
            history.before.append(column)
            history.after.append(None)
            history.snap.append(snap)


def read_history(
    config: Config, known: KnownColumns, parse: ParseColumns, *, use_cache: bool = True
) -> History:
    """The history up to HEAD: the cached part, and the commits since, read and recorded."""
    root = config.root
    head = _git(root, "rev-parse", "--verify", "-q", "HEAD^{commit}")
    if head is None:  # not a repository, or no commit yet
        return History(available=False)
    head = head.strip()
    # The listing's own relative names, as the facts name the plans: resolving 2,000
    # paths one by one cost a quarter of a second.
    wanted = {rel for rel, _ in plan_listing(config)}
    key = _key(config, wanted)
    history = _load(config, key) if use_cache else None
    if (
        history is not None
        and history.head != head
        and not _on_first_parent_line(root, history.head, head)
    ):
        history = None
    if history is None:
        history = History(reread=True)
    if history.head != head:
        _read_commits(config, history, head, wanted, known, parse)
        history.head = head
        if use_cache:
            _save(config, key, history)
    return history


def _on_first_parent_line(root: Path, old: str | None, head: str) -> bool:
    """Whether `old` is on HEAD's first-parent line, so that the commits after it are
    exactly the ones a full read would add."""
    if old is None:
        return True
    listing = _git(root, "rev-list", "--first-parent", "--reverse", "--parents", head, f"^{old}")
    if listing is None:  # `old` is gone (gc after a rewrite)
        return False
    lines = listing.splitlines()
    if not lines:  # HEAD is behind `old`: a reset
        return False
    parents = lines[0].split()[1:]
    return bool(parents) and parents[0] == old


def _read_commits(
    config: Config,
    history: History,
    head: str,
    wanted: set[str],
    known: KnownColumns,
    parse: ParseColumns,
) -> None:
    root = config.root
    span = [head] if history.head is None else [f"{history.head}..{head}"]
    log = _git(
        root,
        "log",
        "--first-parent",
        "--diff-merges=first-parent",
        "--reverse",
        "--no-renames",
        "--format=%x1e%H%x09%cI",
        "--name-only",
        *span,
        "--",
        *(f":(glob){pattern}" for pattern in config.plans),
    )
    if log is None:
        raise CharterError("git log failed while reading the plans' history", root)
    previous = history.state()
    for record in log.split("\x1e")[1:]:
        head_line, _, names = record.partition("\n")
        sha, _, stamp = head_line.partition("\t")
        files = [n for n in names.splitlines() if n and is_plan(n, config, wanted)]
        if not files:
            continue
        for name, content in zip(files, _blobs(root, sha, files), strict=True):
            if content is None:
                history.files.pop(name, None)
                continue
            digest = blake2b(content, digest_size=16).hexdigest()
            columns = known(name, digest)
            history.files[name] = columns if columns is not None else parse(name, content)
        state = history.state()
        snap = len(history.times)
        history.shas.append(sha)
        history.times.append(datetime.fromisoformat(stamp.strip()))
        add_moves(history, previous, state, snap)
        previous = state


def is_plan(name: str, config: Config, present: set[str]) -> bool:
    """Plan files now, or deleted ones that were not generated files or session logs."""
    if name in present:
        return True
    generated = {config.board, config.handoff}
    return name not in generated and not name.startswith(config.sessions.rstrip("/") + "/")


def _key(config: Config, wanted: set[str]) -> str:
    """What the cached moves depend on besides the commits: the configuration, charter's
    code, and which present plan files `is_plan` would otherwise leave out."""
    h = blake2b(digest_size=20)
    h.update(f"{config!r}\0".encode())
    odd = sorted(name for name in wanted if not is_plan(name, config, set()))
    h.update("\0".join(odd).encode())
    h.update(code_stamp())
    return h.hexdigest()


# ---- the cache file ------------------------------------------------------------


def _save(config: Config, key: str, history: History) -> None:
    names = sorted({c for c in (*history.before, *history.after) if c is not None})
    for state in history.files.values():
        names.extend(sorted(set(state.values()) - set(names)))
    code = {name: n for n, name in enumerate(names)}
    payload = {
        "key": key,
        "head": history.head,
        "columns": names,
        "shas": history.shas,
        "times": [t.isoformat() for t in history.times],
        "task": history.task,
        "before": [-1 if c is None else code[c] for c in history.before],
        "after": [-1 if c is None else code[c] for c in history.after],
        "snap": history.snap,
        "files": {
            name: [list(state), [code[c] for c in state.values()]]
            for name, state in history.files.items()
        },
    }
    save_cache(config.path(CACHE), payload)


def _load(config: Config, key: str) -> History | None:
    data = load_cache(config.path(CACHE))
    if not isinstance(data, dict) or data.get("key") != key:
        return None
    try:
        names: list[str] = data["columns"]
        columns: list[str | None] = [*names, None]  # -1 picks None
        history = History(
            head=str(data["head"]),
            shas=[str(s) for s in data["shas"]],
            times=[datetime.fromisoformat(t) for t in data["times"]],
            task=[str(t) for t in data["task"]],
            before=[columns[int(c)] for c in data["before"]],
            after=[columns[int(c)] for c in data["after"]],
            snap=[int(s) for s in data["snap"]],
            files={
                str(name): dict(zip(map(str, ids), (names[int(c)] for c in codes), strict=True))
                for name, (ids, codes) in data["files"].items()
            },
        )
    except (KeyError, TypeError, ValueError, IndexError):
        return None  # a well-formed file of the wrong shape: read the history again
    lengths = {len(history.task), len(history.before), len(history.after), len(history.snap)}
    if len(lengths) != 1 or len(history.shas) != len(history.times):
        return None
    if any(not 0 <= snap < len(history.times) for snap in history.snap):
        return None
    if not all(isinstance(name, str) for name in names):
        return None
    return history


# ---- git -----------------------------------------------------------------------


def _git(root: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(
            ["git", "-C", str(root), "-c", "core.quotepath=off", *args],
            capture_output=True,
            check=False,
        )
    except OSError:
        return None
    if done.returncode != 0:
        return None
    return done.stdout.decode("utf-8", "replace")


def _blobs(root: Path, sha: str, names: Iterable[str]) -> list[bytes | None]:
    """Each file's content at `sha` (None: deleted there), in one `git cat-file --batch`."""
    names = list(names)
    request = "".join(f"{sha}:{name}\n" for name in names).encode()
    done = subprocess.run(
        ["git", "-C", str(root), "cat-file", "--batch"],
        input=request,
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        raise CharterError(f"git cat-file failed: {done.stderr.decode(errors='replace')}", root)
    out, pos = done.stdout, 0
    result: list[bytes | None] = []
    for _ in names:
        end = out.index(b"\n", pos)
        header = out[pos:end].split()
        pos = end + 1
        if header[-1] == b"missing":
            result.append(None)
            continue
        size = int(header[2])
        result.append(out[pos : pos + size])
        pos += size + 1
    return result
