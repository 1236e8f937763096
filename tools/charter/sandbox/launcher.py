"""Starting a command inside the OS sandbox: choose the kind, prepare it, fork, restrict, exec.

Kinds, strongest first:

- `landlock+namespaces`: Landlock lets the command read everything and write
  only the repository, a private temporary folder (its TMPDIR), devices and
  /dev/shm (multiprocessing's semaphores);
  in its own user and mount namespace protected paths are read-only and
  forbidden ones covered; below the network level it has a network namespace
  of its own with only its loopback.
- `landlock`: where user namespaces are not allowed. Reads and writes are
  carved out of the tree with Landlock rules alone (forbidden paths get no
  rule, protected ones no write rule); directories on the way to such a path
  cannot gain or lose entries. The network is cut for TCP only (ABI 4+).
- `namespaces`: where Landlock is missing: protected, forbidden and network as
  above, but writes outside the repository are left to file permissions.
- `none`: the guard alone.

A `Launcher` is called like `subprocess.Popen`. When the strongest kind fails
in the child (a kernel that forbids unprivileged user namespaces at mount
time), nothing has run yet, and it tries the next kind.
"""

from __future__ import annotations

import contextlib
import os
import stat
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from charter.errors import CharterError
from charter.sandbox import landlock
from charter.sandbox.namespaces import NamespacePlan, enter, plan_namespaces
from charter.sandbox.plan import SandboxPlan
from charter.sandbox.system import capabilities

FULL = "landlock+namespaces"
LANDLOCK = "landlock"
NAMESPACES = "namespaces"
NONE = "none"
DEVICES = landlock.READ | landlock.WRITE_FILE | landlock.TRUNCATE | landlock.IOCTL_DEV
SHARED_MEMORY = "/dev/shm"


@dataclass
class Attempt:
    kind: str
    ruleset: landlock.Ruleset | None
    namespaces: NamespacePlan | None


@dataclass
class Launcher:
    """Starts commands for one plan; `kind` is what the last start used."""

    plan: SandboxPlan
    kinds: list[str]
    abi: int
    base: str | None = None
    kind: str = NONE
    problems: list[str] = field(default_factory=list)

    @property
    def scratch(self) -> str | None:
        return None if self.base is None else os.path.join(self.base, "tmp")

    def env(self, env: dict[str, str]) -> dict[str, str]:
        """`env` with TMPDIR (and TMP, TEMP) pointing at the run's private temporary folder,
        and XDG_CACHE_HOME below it: the home folder is read-only, and tools that keep a
        cache there (pip, virtualenv) would fail instead of starting a fresh one."""
        scratch = self.scratch
        if scratch is None:
            return dict(env)
        cache = os.path.join(scratch, ".cache")
        return {**env, "TMPDIR": scratch, "TMP": scratch, "TEMP": scratch, "XDG_CACHE_HOME": cache}

    def __call__(self, args: Any, **kwargs: Any) -> subprocess.Popen[bytes]:
        if self.kinds != [NONE]:
            try:
                self._make_base()
            except OSError as exc:
                raise CharterError(
                    f"cannot make the sandbox's private folder ({exc}): set TMPDIR to a "
                    "writable folder; nothing was run"
                ) from None
        if self.base is not None:
            kwargs["env"] = self.env(kwargs.get("env") or dict(os.environ))
        for kind in self.kinds:
            if kind == NONE:
                self.kind = NONE
                return subprocess.Popen(args, **kwargs)
            try:
                attempt = self._prepare(kind)
            except OSError as exc:
                self.problems.append(f"{kind}: {exc}")
                continue
            read_end, write_end = os.pipe()
            try:
                process = subprocess.Popen(args, preexec_fn=_child(attempt, write_end), **kwargs)
            except (subprocess.SubprocessError, OSError) as exc:
                os.close(write_end)
                write_end = -1
                # CPython reports a failed preexec_fn as OSError when errno is set:
                # the child's own report says whether it was the set-up or the exec
                reason = _drain(read_end)
                if not reason and not isinstance(exc, subprocess.SubprocessError):
                    raise
                self.problems.append(f"{kind}: {reason or 'the set-up failed'}")
                continue
            finally:
                if write_end >= 0:
                    os.close(write_end)
                os.close(read_end)
                if attempt.ruleset is not None:
                    attempt.ruleset.close()
            self.kind = kind
            return process
        raise CharterError(
            "the OS sandbox could not be set up, and the policy requires it: "
            + "; ".join(self.problems)
        )

    def _prepare(self, kind: str) -> Attempt:
        plan = self.plan
        self.base = self._make_base()
        scratch = os.path.join(self.base, "tmp")
        namespaces = None
        if kind in (FULL, NAMESPACES):
            namespaces = plan_namespaces(
                network=plan.network,
                read_only=list(plan.protected),
                masked=list(plan.forbidden),
                mask_file=os.path.join(self.base, "mask"),
                lock=kind == NAMESPACES,
            )
        ruleset = None
        if kind in (FULL, LANDLOCK):
            # with a network namespace of its own, Landlock leaves TCP alone: the
            # namespace already cuts the host off, and local test servers keep working
            ruleset = landlock.Ruleset(self.abi, network=plan.network or kind == FULL)
            try:
                if kind == FULL:
                    ruleset.allow("/", landlock.READ)
                    ruleset.allow(plan.root, ruleset.fs)
                else:
                    _carve(ruleset, "/", landlock.READ, landlock.READ_DIR, set(plan.forbidden))
                    holes = set(plan.forbidden) | set(plan.protected)
                    _carve(ruleset, plan.root, ruleset.fs, 0, holes)
                ruleset.allow(scratch, ruleset.fs)
                ruleset.allow("/dev", DEVICES)
                if os.path.isdir(SHARED_MEMORY):
                    # POSIX semaphores and shared memory (multiprocessing) live here
                    ruleset.allow(SHARED_MEMORY, ruleset.fs)
            except OSError:
                ruleset.close()
                raise
        return Attempt(kind, ruleset, namespaces)

    def _make_base(self) -> str:
        # the run's private folder: tmp/ (the command's TMPDIR) and the mask
        if self.base is None:
            self.base = _private_dir()
            os.mkdir(os.path.join(self.base, "tmp"), 0o700)
            _make_mask(os.path.join(self.base, "mask"))
        return self.base

    def close(self) -> None:
        if self.base is not None:
            _remove_tree(self.base)
            self.base = None


def launcher(plan: SandboxPlan) -> Launcher:
    """A launcher trying the kinds this system offers, strongest first.

    `sandbox: off` gives the guard alone; `required` refuses (CharterError)
    when no kind on offer enforces the whole level (docs/guard.md).
    """
    system = capabilities()
    if plan.mode == "off":
        return Launcher(plan, [NONE], system.landlock_abi)
    kinds: list[str] = []
    if system.landlock_abi and system.user_namespaces:
        kinds.append(FULL)
    if system.landlock_abi:
        kinds.append(LANDLOCK)
    if system.user_namespaces:
        kinds.append(NAMESPACES)
    if plan.mode == "required":
        kinds = [kind for kind in kinds if enforces_level(kind, plan, system.landlock_abi)]
        if not kinds:
            raise CharterError(
                "the policy requires the OS sandbox (`sandbox: required`), and this system "
                f"offers none that enforces the level ({system.summary()}): nothing was run"
            )
        return Launcher(plan, kinds, system.landlock_abi)
    return Launcher(plan, [*kinds, NONE], system.landlock_abi)


def enforces_level(kind: str, plan: SandboxPlan, abi: int) -> bool:
    """Whether `kind` enforces writes, forbidden reads and (when off) the network."""
    if kind == FULL:
        return True
    if kind == LANDLOCK:
        return plan.network or abi >= 4
    return False


def _make_mask(path: str) -> None:
    """A Unix socket file: bound over a forbidden file, every open() of it fails (ENXIO),
    also for root, which file modes would not stop."""
    os.mknod(path, 0o000 | stat.S_IFSOCK)


# tempfile and shutil cost `charter run` about 10 ms of imports; these few lines do not
def _private_dir() -> str:
    parent = os.environ.get("TMPDIR") or "/tmp"
    for _ in range(100):
        path = os.path.join(parent, f"charter-run-{os.urandom(6).hex()}")
        try:
            os.mkdir(path, 0o700)
        except FileExistsError:
            continue
        return path
    raise OSError(f"cannot make a private folder in {parent}")


def _remove_tree(top: str) -> None:
    for folder, dirs, files in os.walk(top, topdown=False):
        for name in files:
            _quietly(os.unlink, os.path.join(folder, name))
        for name in dirs:
            path = os.path.join(folder, name)
            _quietly(os.unlink if os.path.islink(path) else os.rmdir, path)
    _quietly(os.rmdir, top)


def _quietly(remove: Callable[[str], None], path: str) -> None:
    with contextlib.suppress(OSError):
        remove(path)


def _carve(
    ruleset: landlock.Ruleset, top: str, rights: int, on_the_way: int, holes: set[str]
) -> None:
    """Grant `rights` below `top` except on `holes`; directories above a hole get `on_the_way`."""
    if top in holes:
        return
    prefix = top.rstrip("/") + "/"
    if not any(hole.startswith(prefix) for hole in holes):
        ruleset.allow(top, rights)
        return
    ruleset.allow(top, on_the_way, is_dir=True)
    try:
        entries = list(os.scandir(top))
    except OSError:
        return
    for entry in entries:
        if entry.is_symlink():
            continue  # its target has rules of its own where it lives
        if entry.is_dir(follow_symlinks=False):
            _carve(ruleset, entry.path, rights, on_the_way, holes)
        elif entry.path not in holes:
            ruleset.allow(entry.path, rights, is_dir=False)


def _child(attempt: Attempt, report: int) -> Callable[[], None]:
    ruleset_fd = -1 if attempt.ruleset is None else attempt.ruleset.fd
    namespaces = attempt.namespaces

    def restrict() -> None:
        # Runs in the child after fork: system calls only, and a short report on failure.
        if namespaces is not None:
            problem = enter(namespaces)
            if problem is not None:
                os.write(report, problem.encode("utf-8", "replace"))
                raise OSError(problem)
        if ruleset_fd >= 0:
            errno = landlock.restrict_self(ruleset_fd)
            if errno:
                message = f"landlock_restrict_self: {os.strerror(errno)}"
                os.write(report, message.encode())
                raise OSError(message)

    return restrict


def _drain(fd: int) -> str:
    chunks = []
    while chunk := os.read(fd, 4096):
        chunks.append(chunk)
    return b"".join(chunks).decode("utf-8", "replace").strip()
