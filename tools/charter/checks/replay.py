"""A warm `charter check` that replays: when nothing the last check read can have changed,
its findings are printed again without loading a plan or running a rule.

The memo (checks.memo) spares a check the plan rules when no plan changed, but
the rules that read the world (evidence files, git, agent configurations) run
on every check. Here the last check's whole result is stored in
`.charter/cache/check-replay.cache` with what it was computed from:

- a key: charter's version and code (the modification time of each module),
  the Python version, the configuration, today's date, and the environment
  that steers git and the commit rules (`GIT_*`, `CHARTER_BASE_REF`);
- the signature (`stat`: mode, device, inode, size, modification and change
  time; or "missing") of every input it read: each plan, session log and
  mirror; every folder the listings walked (a file added, removed or renamed
  in a folder changes its modification time); the repository's top folder;
  each evidence path and every folder on its way; the autonomy policy and the
  agent configurations CH050 reads; git's HEAD, index, configuration and
  every ref (files and folders), found the way git finds them.

A replay happens only when the key and every signature are equal. Writing a
file changes its modification and change time, and setting the first back
(`touch -d`) sets the second to now, which nobody can set back: an equal
signature is the same file. The result is stored only when the check could
read nothing this does not cover, and otherwise no replay is offered:

- no input changed within `RACY_NS` before the check started, or while it ran
  (file times tick coarsely: a file written twice within one tick could look
  unchanged, git's "racily clean" case);
- nothing is staged (staged files make CH027 read the active session and CH030
  the claims, which expire with time);
- no plan says `Reviewed:` (CH031 reads git history and the work tree);
- every evidence path is a plain relative path (no pattern, no `..`, not
  absolute) reached through no symbolic link, and none is a missing bare file
  name (found by name anywhere in the work tree);
- every listing could be walked (no pattern in a folder name).

Any other doubt (a signature that cannot be taken, an unreadable record) means
the full check, which stores a fresh record.
"""

from __future__ import annotations

import fnmatch
import os
import stat
import sys
import time
from array import array
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple, Protocol, TypeVar

from charter import __version__
from charter.cache import CACHE_DIR, code_stamp
from charter.fasthash import blake2b
from charter.io import stat_signature
from charter.sealed import read_sealed, write_sealed

TYPE_CHECKING = False
if TYPE_CHECKING:  # a warm check replays before charter.config is imported
    from charter.config import Config
    from charter.model import Diagnostic

REPLAY_FILE = "check-replay.cache"
RACY_NS = 2_000_000_000
MAX_REFS = 5_000  # refs and ref folders walked; more: no replay (walking them costs too much)
_GLOB_CHARS = frozenset("*?[")
_ENV = ("CHARTER_BASE_REF",)  # besides every GIT_* variable
# The locations charter.config validates (config._WRITTEN, config._READ): each resolved
_LOCATIONS = ("board", "board_csv", "handoff", "sessions", "runs", "policy", "gates", "templates")
AGENT_FILES = (".codex/config.toml", ".claude/settings.json", ".claude/settings.local.json")
CODEX_RULES = ".codex/rules"
_GIT_FILES = (
    *("HEAD", "index", "config", "config.worktree", "shallow", "commondir"),
    *("packed-refs", "info/grafts", "objects/info/alternates"),
)

Sig = tuple[int, int, int, int, int, int] | None  # None: nothing there
_UNSEEN: Any = object()


class _Doubt(Exception):
    """An input this module cannot vouch for: no replay."""


class Row(NamedTuple):
    """A replayed finding: a Diagnostic's fields, without loading charter.model."""

    path: str
    line: int
    col: int
    code: str
    message: str
    severity: str = "error"


class WorldPart(NamedTuple):
    """What the rules that read the world found, for `Witness.record` to store apart."""

    found: Sequence[Row | Diagnostic]  # their findings, severities applied
    digests: Mapping[str, str | None]  # each plan, log and mirror read: its content hash
    plans: Iterable[str]  # the plans whose citations they read (an import's source is not)
    carried: tuple[list[str], list[str], str] | None = None  # checks.world_replay.Partial.world


class Replayed(NamedTuple):
    diagnostics: list[Row]
    plans: int
    tasks: int
    sessions: int


class _Placed(Protocol):
    @property
    def path(self) -> str: ...


Found = TypeVar("Found", bound=_Placed)


def replay_key(config: Config, today: str) -> str:
    return _key(repr(config), today)


def root_key(root: str, today: str) -> str:
    """The key of a replay decided before the configuration is read (`replay_at_root`): the
    repository's root in place of the configuration, whose files are among the inputs."""
    return _key(f"root {root}", today)


def _key(configured: str, today: str) -> str:
    h = blake2b(digest_size=20)
    env = sorted((k, v) for k, v in os.environ.items() if k.startswith("GIT_") or k in _ENV)
    h.update(f"{__version__}\0{sys.version}\0{today}\0{configured}\0{env!r}\0".encode())
    h.update(code_stamp())
    return h.hexdigest()


def read_record(config: Config) -> Any:
    """The replay record as stored (None: none to believe), for `replay` and
    checks.world_replay to read."""
    return read_record_at(config.root)


def read_record_at(root: Path) -> Any:
    return read_sealed(str(root / CACHE_DIR / REPLAY_FILE), REPLAY_FILE)


def replay(
    config: Config,
    today: str,
    paths: Sequence[Path] = (),
    stored: Any = None,
    taken: dict[str, Sig] | None = None,
) -> Replayed | None:
    """The last check's report, when nothing it read can have changed since; else None.
    `stored`: the record, when the caller read it already (`read_record`). `taken` hears
    the signature of each file looked at ({full path: signature}), for a check after an
    edit not to take them again (repo.read_snapshot)."""
    if stored is None:
        stored = read_record(config)
    try:
        if not isinstance(stored, dict) or stored.get("key") != replay_key(config, today):
            return None
    except (TypeError, ValueError, _Doubt):  # the full check
        return None
    return _replayed(config.root, stored, paths, taken)


def replay_at_root(
    root: Path,
    today: str,
    paths: Sequence[Path],
    stored: Any,
    taken: dict[str, Sig] | None = None,
) -> tuple[bool, Replayed | None]:
    """The last check's report read before the configuration is (a warm check then loads
    neither it nor its validation): (whether the record was made under the configuration
    `root` holds now, the report when nothing the check read changed).

    The record holds this key only when the configuration came from `charter.toml` or
    `pyproject.toml` at the root, both of which are among its inputs, and every folder on
    the way to a location the configuration names (what its validation resolves) too."""
    try:
        if not isinstance(stored, dict) or stored.get("root_key") != root_key(str(root), today):
            return False, None
    except (TypeError, ValueError, _Doubt):
        return False, None
    return True, _replayed(root, stored, paths, taken)


def _replayed(
    top: Path, stored: dict[str, Any], paths: Sequence[Path], taken: dict[str, Sig] | None
) -> Replayed | None:
    """The stored report, when every input's signature is as recorded; else None. `taken`
    hears each file's signature by full path (see `replay`)."""
    try:
        root = str(top)
        # The files first (the plans lead them): after an edit, the folders need no look.
        of_files, of_folders = stored["digests"]
        if of_files != _digest(root, _split(stored["stat"]), os.stat, taken):
            return None
        if of_folders != _digest(root, _split(stored["lstat"]), os.lstat):
            return None
        plans, tasks, sessions = stored["counts"]
        if not all(type(n) is int for n in (plans, tasks, sessions)):
            return None
        found = [Row(*row) for row in stored["findings"]]
        texts = (f for d in found for f in (d.path, d.code, d.message, d.severity))
        if not all(type(d.line) is int and type(d.col) is int for d in found):
            return None
        if not all(type(text) is str for text in texts):
            return None
    except (KeyError, TypeError, ValueError, AttributeError, _Doubt):  # the full check
        return None
    return Replayed(selected(top, found, paths), plans, tasks, sessions)


def _digest(
    root: str,
    paths: list[str],
    take: Callable[[str], os.stat_result],
    taken: dict[str, Sig] | None = None,
) -> str:
    """A hash of the signatures `take` (stat or lstat) gives `paths` (relative to `root`, or
    absolute), as `Witness.record` makes it; each told to `taken` by full path."""
    prefix = os.path.join(root, "")
    fulls = [path if path.startswith("/") else prefix + path for path in paths]
    sigs = [_sig(full, take) for full in fulls]
    if taken is not None:
        taken.update(zip(fulls, sigs, strict=True))
    return _hashed(sigs)


_NONE = (-1, -1, -1, -1, -1, -1)  # a missing path: no stat gives a negative mode


def _hashed(sigs: list[Sig]) -> str:
    """One hash of many signatures: their numbers packed as 64-bit integers (a tenth of the
    time `repr` takes over thousands), or their `repr` when one does not fit."""
    flat: list[int] = []
    add = flat.extend
    for sig in sigs:
        add(_NONE if sig is None else sig)
    try:
        data = b"q" + array("q", flat).tobytes()
    except OverflowError:
        data = b"r" + repr(sigs).encode()
    return blake2b(data, digest_size=20).hexdigest()


def _sig(path: str, take: Callable[[str], os.stat_result] = os.lstat) -> Sig:
    try:
        info = take(path)
    except (FileNotFoundError, NotADirectoryError):
        return None
    except (OSError, ValueError) as exc:
        raise _Doubt(path) from exc
    return stat_signature(info)


class Witness:
    """The inputs of one check, gathered while it runs, for `record` to store."""

    def __init__(self, config: Config, today: str):
        self.config = config
        self.today = today
        self.started = time.time_ns()
        self.folders: dict[str, Sig] = {}  # lstat: folders and the components of paths
        self.seen: dict[str, Sig] = {}  # lstat: components walked through, not recorded
        # the folders on evidence paths walked (each one a folder, not a link), by relative
        # path: their full path and signature. Those above them are recorded.
        self.dirs: dict[str, tuple[str, Sig]] = {}
        self.paths: dict[str, Sig] = {}  # each evidence path walked: the last signature taken
        self.top_path = os.path.join(str(config.root), "")[:-1]  # "" for "/"
        self.files: dict[str, Sig] = {}  # stat: files read through any link
        self.top: frozenset[str] | None = None

    def record(
        self,
        files: Iterable[str],
        cited: Iterable[tuple[str, bool]],
        reviews: bool | None,
        diagnostics: Sequence[Row | Diagnostic],
        counts: tuple[int, int, int],
        world: WorldPart | None = None,
        sigs: Mapping[str, Sig] | None = None,
    ) -> bool:
        """Store the check's result with its inputs: `files`, the plans, logs and mirrors
        read (relative paths); `cited`, each evidence text with whether the rules may read
        the file it names by its text alone (a recorded hash, a run manifest); `reviews`,
        whether a plan says `Reviewed:`. False when the result may not be replayed.

        With `world`, what the rules that read the world found is stored apart, for a check
        after an edit to replay them (checks.world_replay); when `world.carried` is given,
        `cited` holds only the changed plans' evidence and the other inputs of those rules
        are the ones the last record listed, their signatures unchanged. `sigs`: the
        signatures of files in `files` taken before they were read, not taken again."""
        if reviews is not False:
            return False
        files = list(files)
        try:
            root = str(self.config.root)
            # `sigs`: files' signatures taken before they were read, which vouch for them
            # as well as one taken now (a later change changes the signature)
            known = sigs or {}
            prefix = os.path.join(root, "")  # os.path.join's answer for a relative path
            read = {prefix + rel: known.get(rel) or _sig(prefix + rel, os.stat) for rel in files}
            if self._racy(read.values()):  # a plan just edited: not worth looking further
                return False
            if world is not None and world.carried is not None:
                self._carry(*world.carried)
            else:
                self.folders[root] = _sig(root)
                self._agent_files()
            from charter.checks.path_claims import (  # lazy: only when recording
                claimed_paths,
                is_claim,
            )

            for text, is_read in cited:
                self._evidence(text, is_read, claimed_paths, is_claim)
            if world is None or world.carried is None:
                self._git()
            # The inputs of the rules that read the world: everything but the listings of
            # plans and logs, and those files themselves.
            world_folders, world_files = list(self.folders.items()), list(self.files.items())
            self.files.update(read)
            self._listings()
            by_root = self._configuration()
        except _Doubt:
            return False
        folders, files_read = _relative(root, self.folders), _relative(root, self.files)
        if len(read) != len(files):  # a file listed twice: no signature to match it by
            world = None
        # A signature taken after its input was read is still that input's: one that moved
        # since the check started is racy.
        if self._racy():
            return False
        digests = [_hashed(list(self.files.values())), _hashed(list(self.folders.values()))]
        payload: dict[str, object] = {
            "key": replay_key(self.config, self.today),
            "lstat": "\0".join(folders),
            "stat": "\0".join(files_read),
            "digests": digests,
            "findings": [
                [d.path, d.line, d.col, d.code, d.message, d.severity] for d in diagnostics
            ],
            "counts": list(counts),
        }
        if by_root:
            payload["root_key"] = root_key(root, self.today)
        if world is not None:
            payload["world"] = {
                "lstat": "\0".join(_relative(root, (p for p, _ in world_folders))),
                "stat": "\0".join(_relative(root, (p for p, _ in world_files))),
                "digest": _hashed([s for _, s in (*world_folders, *world_files)]),
                "found": [
                    [d.path, d.line, d.col, d.code, d.message, d.severity] for d in world.found
                ],
                "files": dict(world.digests),
                # each file's signature, for the next check to skip reading it (read_snapshot):
                # six numbers a file, in the order of "files" (a flat list of numbers
                # decodes three times as fast as an object of lists)
                "sigs": [n for sig in read.values() for n in (sig or _NONE)],
                "plans": sorted(world.plans),
            }
        folder = self.config.root / CACHE_DIR
        if not folder.is_dir():
            return False
        return write_sealed(str(folder / REPLAY_FILE), REPLAY_FILE, payload)

    def _carry(self, folders: list[str], files: list[str], digest: str) -> None:
        """The last record's inputs of the world rules, as they are now; _Doubt when one of
        them changed since (then the world rules run again, and this check records them)."""
        root = os.path.join(str(self.config.root), "")
        for path in folders:
            full = path if path.startswith("/") else root + path
            self.folders[full] = _sig(full)
        for path in files:
            full = path if path.startswith("/") else root + path
            self.files[full] = _sig(full, os.stat)
        if _hashed([*self.folders.values(), *self.files.values()]) != digest:
            raise _Doubt("the world changed while the check ran")

    def _racy(self, sigs: Iterable[Sig] | None = None) -> bool:
        since = self.started - RACY_NS
        if sigs is None:
            sigs = (*self.folders.values(), *self.files.values(), *self.seen.values())
        return any(s is not None and (s[4] >= since or s[5] >= since) for s in sigs)

    # -- the configuration (charter.config), for a replay before it is read ----------------

    def _configuration(self) -> bool:
        """Record what the configuration is read and validated from, and whether a replay
        may be decided before it is read (`replay_at_root`): both files `load_config` looks
        at, and every folder on the way to each location it names (a link there changes
        what its validation resolves, and turning one into a link changes its folder)."""
        config = self.config
        root = str(config.root)
        names = ("charter.toml", "pyproject.toml")
        for name in names:
            path = os.path.join(root, name)
            self.files[path] = _sig(path, os.stat)
        if config.source is None or str(config.source) not in (
            os.path.join(root, name) for name in names
        ):
            return False  # detected, or read from elsewhere: the configuration is read first
        for key in _LOCATIONS:
            text = str(getattr(config, key)).replace("\\", "/").strip("/")
            here = root
            for part in text.split("/")[:-1]:
                if part in ("", "."):
                    continue
                if part == "..":
                    return False
                here = f"{here}/{part}"
                sig = self.folders[here] = self.folders.get(here) or _sig(here)
                if sig is not None and stat.S_ISLNK(sig[0]):
                    return False
                if sig is None or not stat.S_ISDIR(sig[0]):
                    break
        return True

    # -- the listings of plans, logs and mirrors (charter.files) -------------------------

    def _listings(self) -> None:
        config = self.config
        patterns = [*config.plans, *config.handoff_plans, *config.mirrors]
        patterns.append(config.sessions.rstrip("/") + "/**/*.md")
        for pattern in patterns:
            self._walked(pattern)

    def _walked(self, pattern: str) -> None:
        """Every folder a listing of `pattern` reads, and where each link it may take leads;
        _Doubt for a pattern in a folder name (`Path.glob` reads what this cannot tell)."""
        *folders, last = pattern.split("/")
        recursive = bool(folders) and folders[-1] == "**"
        if recursive:
            folders.pop()
        odd = ("", ".", "..", "**")
        if last in odd or any(p in odd or _GLOB_CHARS & set(p) for p in folders):
            raise _Doubt(pattern)
        here = str(self.config.root)
        for name in folders:
            here = os.path.join(here, name)
            sig = self.folders[here] = _sig(here)
            if sig is None or stat.S_ISREG(sig[0]):
                return
            if not stat.S_ISDIR(sig[0]):
                raise _Doubt(here)
        pending = [here]
        while pending:
            folder = pending.pop()
            sig = self.folders[folder] = _sig(folder)
            if sig is None:
                continue
            try:
                with os.scandir(folder) as entries:
                    for entry in entries:
                        if entry.is_symlink():
                            # charter.files then asks Path.glob, which takes a link whose name
                            # fits when it leads to a file and never descends into one
                            if fnmatch.fnmatchcase(entry.name, last):
                                self.files[entry.path] = _sig(entry.path, os.stat)
                        elif recursive and entry.is_dir(follow_symlinks=False):
                            pending.append(entry.path)
            except OSError as exc:
                raise _Doubt(folder) from exc

    # -- evidence (CH004, CH005, CH019-CH023) ---------------------------------------------

    def _evidence(
        self,
        text: str,
        read: bool,
        claimed_paths: Callable[[str], Iterable[str] | None],
        is_claim: Callable[[str, Callable[[str], bool]], bool],
    ) -> None:
        if read:  # the evidence rules open `root/text`, lexically normalised
            self._path(text, missing_ok=True)
        for claimed in claimed_paths(text) or ():
            if is_claim(claimed, self._top_level):
                self._path(claimed, missing_ok="/" in claimed.strip("/"))

    def _top_level(self, name: str) -> bool:
        """Whether the repository's top folder holds `name` (its signature is recorded)."""
        if self.top is None:
            try:
                self.top = frozenset(os.listdir(self.config.root))
            except OSError as exc:
                raise _Doubt(str(self.config.root)) from exc
        return name in self.top

    def _path(self, text: str, missing_ok: bool) -> None:
        """Every component of `root/text`, lstat; _Doubt for a pattern, a path leaving the
        repository, a symbolic link on the way, or a missing bare name when that matters
        (CH004 then looks for the name anywhere in the work tree).

        Recorded: the last component reached, and the others but the folder holding it. A
        component replaced (by a link, another file or folder) or removed changes its
        folder's modification time, and itself, taken through the unchanged folders above,
        gives another signature: so of two components in a row one recorded is enough, and
        what else a folder holds no rule reads. A run manifest in a folder of its own costs
        a warm check one `lstat`, not two. A folder walked already is resumed from: it was
        recorded unless it held that walk's last component (then its own folder was), and
        it is recorded now unless it holds this one's."""
        while text.startswith("./"):
            text = text[2:]
        text = text.rstrip("/")
        last = self.paths.get(text, _UNSEEN)
        if last is not _UNSEEN:  # walked already (the evidence rules' text and its claim)
            if last is None and not missing_ok:
                raise _Doubt(text)
            return
        if not text or not _GLOB_CHARS.isdisjoint(text) or "\0" in text or "\\" in text:
            raise _Doubt(text)
        wrapped = f"/{text}/"
        if "//" in wrapped or "/./" in wrapped or "/../" in wrapped:  # "", "." or ".." in it
            raise _Doubt(text)
        parts = text.split("/")
        folders, seen, dirs = self.folders, self.seen, self.dirs
        # Resume below the deepest folder on the way walked already (paths share folders)
        rel, here, sig = "", self.top_path, _UNSEEN
        cut = text.rfind("/")
        while cut > 0:
            known = dirs.get(text[:cut])
            if known is not None:
                rel, (here, sig) = text[:cut], known
                break
            cut = text.rfind("/", 0, cut)
        walked: list[tuple[str, Sig]] = [] if sig is _UNSEEN else [(here, sig)]
        for part in parts[rel.count("/") + 1 if rel else 0 :]:
            here, rel = f"{here}/{part}", f"{rel}/{part}" if rel else part
            if here in folders:
                sig = folders[here]
            elif here in seen:
                sig = seen[here]
            else:
                sig = seen[here] = _sig(here)
            walked.append((here, sig))
            if sig is None:
                if not missing_ok:
                    raise _Doubt(text)
                break
            if stat.S_ISLNK(sig[0]):
                raise _Doubt(text)
            if not stat.S_ISDIR(sig[0]):
                break
            dirs[rel] = (here, sig)
        holder = len(walked) - 2
        for index, (path, sig) in enumerate(walked):
            if index != holder:
                folders[path] = sig
        self.paths[text] = walked[-1][1]

    # -- the agent configurations and the policy (CH050, CH024-CH027, CH023) ------------

    def _agent_files(self) -> None:
        root = self.config.root
        policy = str(self.config.path(self.config.policy))
        self.files[policy] = _sig(policy, os.stat)
        for rel in (*AGENT_FILES, CODEX_RULES):
            self.files[str(root / rel)] = _sig(str(root / rel), os.stat)
        rules = root / CODEX_RULES
        if self.files[str(rules)] is not None:
            try:
                names = sorted(os.listdir(rules))
            except OSError as exc:
                raise _Doubt(str(rules)) from exc
            for name in names:
                if name.endswith(".rules"):
                    self.files[str(rules / name)] = _sig(str(rules / name), os.stat)

    # -- git (CH024-CH027) ----------------------------------------------------------------

    def _git(self) -> None:
        """git's repository as git finds it from the root: the nearest `.git` above, its
        HEAD, index, configuration and refs; _Doubt when files are staged."""
        here = self.config.root
        dot = None
        for folder in (here, *here.parents):
            candidate = str(folder / ".git")
            sig = self.folders[candidate] = _sig(candidate)
            if sig is not None:
                dot = (candidate, sig)
                break
        if dot is None:
            return
        path, sig = dot
        assert sig is not None
        if stat.S_ISDIR(sig[0]):
            gitdir = path
        elif stat.S_ISREG(sig[0]):
            gitdir = self._linked(path)
        else:
            raise _Doubt(path)
        common = gitdir
        for name in _GIT_FILES:
            self.files[os.path.join(gitdir, name)] = _sig(os.path.join(gitdir, name), os.stat)
        if self.files[os.path.join(gitdir, "commondir")] is not None:
            common = os.path.normpath(os.path.join(gitdir, _read(gitdir, "commondir")))
            for name in _GIT_FILES:
                self.files[os.path.join(common, name)] = _sig(os.path.join(common, name), os.stat)
        for top in dict.fromkeys((gitdir, common)):
            self._refs(os.path.join(top, "refs"))
        if self._staged():
            raise _Doubt("staged files")

    def _linked(self, path: str) -> str:
        """The git folder a `.git` file names (`gitdir: PATH`, a worktree or submodule)."""
        content = _read(os.path.dirname(path), ".git")
        if not content.startswith("gitdir:"):
            raise _Doubt(path)
        gitdir = os.path.join(os.path.dirname(path), content.removeprefix("gitdir:").strip())
        self.folders[gitdir] = _sig(gitdir)
        return os.path.normpath(gitdir)

    def _refs(self, top: str) -> None:
        pending = [top]
        while pending:
            folder = pending.pop()
            self.folders[folder] = _sig(folder)
            if self.folders[folder] is None:
                continue
            try:
                with os.scandir(folder) as entries:
                    for entry in entries:
                        if len(self.folders) + len(self.files) > MAX_REFS * 2:
                            raise _Doubt("too many refs")
                        if entry.is_dir(follow_symlinks=False):
                            pending.append(entry.path)
                        else:
                            self.files[entry.path] = _sig(entry.path, os.stat)
            except OSError as exc:
                raise _Doubt(folder) from exc

    def _staged(self) -> bool:
        import subprocess

        try:
            done = subprocess.run(
                ["git", "-C", str(self.config.root), "diff", "--cached", "--name-only", "-z"],
                capture_output=True,
                timeout=60,
                check=False,
            )
        except (OSError, subprocess.SubprocessError) as exc:
            raise _Doubt("git") from exc
        if done.returncode != 0:
            raise _Doubt("git")
        return bool(done.stdout.strip(b"\0"))


def _split(joined: str) -> list[str]:
    return joined.split("\0") if joined else []


def _relative(root: str, paths: Iterable[str]) -> list[str]:
    prefix = os.path.join(root, "")
    return [p[len(prefix) :] if p.startswith(prefix) else p for p in paths]


def _read(folder: str, name: str) -> str:
    try:
        with open(os.path.join(folder, name), encoding="utf-8") as handle:
            return handle.read().strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise _Doubt(name) from exc


def selected(root: Path, diagnostics: list[Found], paths: Sequence[Path]) -> list[Found]:
    """The findings in `paths` (files or folders); all of them when no path is given."""
    if not paths:
        return diagnostics
    from charter.files import relpath  # lazy: only when paths are given

    wanted = [relpath(root, p) for p in paths]
    return [d for d in diagnostics if _selected(d.path, wanted)]


def _selected(path: str, wanted: Iterable[str]) -> bool:
    return any(path == w or path.startswith(w.rstrip("/") + "/") or w in (".", "") for w in wanted)
