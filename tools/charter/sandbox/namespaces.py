"""User, mount and network namespaces, entered by the child between fork and exec.

An unprivileged process may create a user namespace (mapping its own uid and
gid to themselves, so files keep their owners) and, inside it, a mount and a
network namespace. There it:

- bind-mounts every existing protected path onto itself, read-only;
- covers every existing forbidden file with a Unix socket file (open() fails
  with ENXIO, also for root), and every forbidden directory with an empty
  read-only tmpfs;
- below the network level, keeps a fresh network namespace where only its own
  loopback is up: no TCP, UDP or abstract Unix socket reaches the host or
  beyond, while a test suite's local servers still work among themselves.

Landlock, applied after the mounts, forbids every mount change. Without it,
the child enters a second user and mount namespace: the mounts, copied into a
less privileged namespace, are locked, so not even a caller running as root
(who keeps capabilities inside its namespace) can unmount a cover or make a
read-only mount writable. Everything here is prepared by the parent as bytes: the child only makes
system calls.
"""

from __future__ import annotations

import ctypes
import os
from dataclasses import dataclass

from charter.sandbox.landlock import libc

CLONE_NEWNS = 0x00020000
CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000
MS_RDONLY = 1
MS_NOSUID = 2
MS_NODEV = 4
MS_NOEXEC = 8
MS_REMOUNT = 32
MS_BIND = 4096
MS_REC = 16384
# Flags a mount made in a user namespace inherits locked: a remount must repeat them.
# statvfs's ST_* bits have the same values as these MS_* flags on Linux.
LOCKED_FLAGS = MS_NOSUID | MS_NODEV | MS_NOEXEC | 1024 | 2048 | 4096
AF_INET = 2
SOCK_DGRAM = 2
SIOCSIFFLAGS = 0x8914
IFF_UP_LOOPBACK_RUNNING = 0x1 | 0x8 | 0x40
# struct ifreq: the interface name in 16 bytes, then the flags (a short), 40 bytes in all
LOOPBACK_UP = b"lo".ljust(16, b"\0") + IFF_UP_LOOPBACK_RUNNING.to_bytes(2, "little") + bytes(22)


@dataclass(frozen=True)
class Mount:
    target: bytes
    source: bytes | None  # None: an empty tmpfs
    recursive: bool
    flags: int  # the locked flags of the file system below, kept on the remount


@dataclass(frozen=True)
class NamespacePlan:
    new_net: bool
    uid_map: bytes
    gid_map: bytes
    mounts: tuple[Mount, ...]
    lock: bool  # enter a second user namespace so the mounts are locked (no Landlock after)


def plan_namespaces(
    *, network: bool, read_only: list[str], masked: list[str], mask_file: str, lock: bool
) -> NamespacePlan:
    """What the child will do: `read_only` paths bound read-only, `masked` paths covered."""
    mounts = [Mount(_b(path), _b(path), os.path.isdir(path), _locked(path)) for path in read_only]
    for path in masked:
        if os.path.isdir(path):
            mounts.append(Mount(_b(path), None, False, 0))
        else:
            mounts.append(Mount(_b(path), _b(mask_file), False, _locked(mask_file)))
    uid, gid = os.getuid(), os.getgid()
    return NamespacePlan(
        new_net=not network,
        uid_map=f"{uid} {uid} 1\n".encode(),
        gid_map=f"{gid} {gid} 1\n".encode(),
        mounts=tuple(mounts),
        lock=lock,
    )


def _b(path: str) -> bytes:
    return os.fsencode(path)


def _locked(path: str) -> int:
    return os.statvfs(path).f_flag & LOCKED_FLAGS


def enter(plan: NamespacePlan) -> str | None:
    """In the child: unshare and mount. None on success, else what failed."""
    lib = libc()
    flags = CLONE_NEWUSER | CLONE_NEWNS | (CLONE_NEWNET if plan.new_net else 0)
    if lib.unshare(flags) != 0:
        return "unshare: " + os.strerror(ctypes.get_errno())
    problem = _map_ids(plan)
    if problem is not None:
        return problem
    if plan.new_net:
        problem = _loopback_up(lib)
        if problem is not None:
            return problem
    # No MS_PRIVATE pass: mounts copied into a namespace owned by a new user namespace
    # are slaves already, so nothing mounted here reaches the host.
    for mount in plan.mounts:
        problem = _mount(lib, mount)
        if problem is not None:
            return f"{os.fsdecode(mount.target)}: {problem}"
    if not plan.lock:
        return None  # Landlock, applied next, forbids every mount change
    if lib.unshare(CLONE_NEWUSER | CLONE_NEWNS) != 0:
        return "unshare (locking the mounts): " + os.strerror(ctypes.get_errno())
    return _map_ids(plan)


def _loopback_up(lib: ctypes.CDLL) -> str | None:
    fd = lib.socket(AF_INET, SOCK_DGRAM, 0)
    if fd < 0:
        return "socket: " + os.strerror(ctypes.get_errno())
    request = ctypes.create_string_buffer(LOOPBACK_UP, len(LOOPBACK_UP))
    failed = lib.ioctl(fd, SIOCSIFFLAGS, request) != 0
    errno = ctypes.get_errno()
    os.close(fd)
    return "bringing up lo: " + os.strerror(errno) if failed else None


def _map_ids(plan: NamespacePlan) -> str | None:
    for name, data in (
        (b"/proc/self/setgroups", b"deny"),
        (b"/proc/self/uid_map", plan.uid_map),
        (b"/proc/self/gid_map", plan.gid_map),
    ):
        try:
            fd = os.open(name, os.O_WRONLY)
            try:
                os.write(fd, data)
            finally:
                os.close(fd)
        except OSError as exc:
            return f"{name.decode()}: {exc.strerror}"
    return None


def _mount(lib: ctypes.CDLL, mount: Mount) -> str | None:
    if mount.source is None:
        flags = MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC
        if lib.mount(b"tmpfs", mount.target, b"tmpfs", flags, b"mode=000,size=4k") != 0:
            return "tmpfs: " + os.strerror(ctypes.get_errno())
        return None
    bind = MS_BIND | (MS_REC if mount.recursive else 0)
    if lib.mount(mount.source, mount.target, None, bind, None) != 0:
        return "bind: " + os.strerror(ctypes.get_errno())
    remount = MS_BIND | MS_REMOUNT | MS_RDONLY | mount.flags
    if lib.mount(None, mount.target, None, remount, None) != 0:
        return "read-only remount: " + os.strerror(ctypes.get_errno())
    return None
