"""Landlock through ctypes: the ABI version, a ruleset, and restricting the calling process.

Landlock (Linux 5.13+) is an allow-list: once a process restricts itself, it
may touch a path only with the rights some rule grants on that path or a
directory above it; rights only ever shrink, also for every child. The
ruleset is built in the parent (opening each path once); the child only sets
no_new_privs and calls landlock_restrict_self between fork and exec, so that
step allocates nothing.

Constants and structures are the kernel's uapi (include/uapi/linux/landlock.h).
The three system calls have the same numbers on every architecture.
"""

from __future__ import annotations

import ctypes
import os

SYS_CREATE_RULESET = 444
SYS_ADD_RULE = 445
SYS_RESTRICT_SELF = 446
CREATE_RULESET_VERSION = 1 << 0
RULE_PATH_BENEATH = 1
PR_SET_NO_NEW_PRIVS = 38

EXECUTE = 1 << 0
WRITE_FILE = 1 << 1
READ_FILE = 1 << 2
READ_DIR = 1 << 3
REMOVE_DIR = 1 << 4
REMOVE_FILE = 1 << 5
MAKE_CHAR = 1 << 6
MAKE_DIR = 1 << 7
MAKE_REG = 1 << 8
MAKE_SOCK = 1 << 9
MAKE_FIFO = 1 << 10
MAKE_BLOCK = 1 << 11
MAKE_SYM = 1 << 12
REFER = 1 << 13  # ABI 2
TRUNCATE = 1 << 14  # ABI 3
IOCTL_DEV = 1 << 15  # ABI 5
NET_BIND_TCP = 1 << 0  # ABI 4
NET_CONNECT_TCP = 1 << 1  # ABI 4
SCOPE_ABSTRACT_UNIX_SOCKET = 1 << 0  # ABI 6
SCOPE_SIGNAL = 1 << 1  # ABI 6

READ = READ_FILE | READ_DIR | EXECUTE
# Rights a rule on a regular file may carry; the rest only make sense on a directory.
FILE_RIGHTS = EXECUTE | WRITE_FILE | READ_FILE | TRUNCATE | IOCTL_DEV


class _RulesetAttr(ctypes.Structure):
    _fields_ = (
        ("handled_access_fs", ctypes.c_uint64),
        ("handled_access_net", ctypes.c_uint64),
        ("scoped", ctypes.c_uint64),
    )


class _PathBeneathAttr(ctypes.Structure):
    _pack_ = 1
    _fields_ = (("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32))


_libc: ctypes.CDLL | None = None


def libc() -> ctypes.CDLL:
    global _libc
    if _libc is None:
        _libc = ctypes.CDLL(None, use_errno=True)
    return _libc


def abi_version() -> int:
    """The Landlock ABI the kernel offers, 0 when it offers none (or this is not Linux)."""
    if not hasattr(os, "O_PATH"):
        return 0
    try:
        version = int(libc().syscall(SYS_CREATE_RULESET, None, 0, CREATE_RULESET_VERSION))
    except (OSError, AttributeError):
        return 0
    return max(version, 0)


def handled_fs(abi: int) -> int:
    """Every filesystem right the ABI knows: each one is then denied unless a rule grants it."""
    rights = (MAKE_SYM << 1) - 1
    if abi >= 2:
        rights |= REFER
    if abi >= 3:
        rights |= TRUNCATE
    if abi >= 5:
        rights |= IOCTL_DEV
    return rights


class Ruleset:
    """A Landlock ruleset under construction; `fd` is what the child restricts itself with."""

    def __init__(self, abi: int, *, network: bool, scope_signals: bool = True):
        if abi < 1:
            raise OSError("Landlock is not available")
        self.abi = abi
        self.fs = handled_fs(abi)
        net = 0 if network or abi < 4 else NET_BIND_TCP | NET_CONNECT_TCP
        scoped = 0
        if abi >= 6:
            scoped = SCOPE_SIGNAL if scope_signals else 0
            if not network:
                scoped |= SCOPE_ABSTRACT_UNIX_SOCKET
        self.network_rules = bool(net)
        attr = _RulesetAttr(self.fs, net, scoped)
        size = 8 if abi < 4 else 16 if abi < 6 else 24
        fd = int(libc().syscall(SYS_CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(size), 0))
        if fd < 0:
            errno = ctypes.get_errno()
            raise OSError(errno, f"landlock_create_ruleset: {os.strerror(errno)}")
        self.fd = fd

    def allow(self, path: str, rights: int, *, is_dir: bool | None = None) -> None:
        """Grant `rights` on `path` and, for a directory, everything beneath it."""
        if is_dir is None:
            is_dir = os.path.isdir(path)
        rights &= self.fs if is_dir else self.fs & FILE_RIGHTS
        if not rights:
            return
        target = os.open(path, os.O_PATH | os.O_CLOEXEC)
        try:
            attr = _PathBeneathAttr(rights, target)
            done = int(
                libc().syscall(SYS_ADD_RULE, self.fd, RULE_PATH_BENEATH, ctypes.byref(attr), 0)
            )
            if done != 0:
                errno = ctypes.get_errno()
                raise OSError(errno, f"landlock_add_rule {path}: {os.strerror(errno)}")
        finally:
            os.close(target)

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1


def restrict_self(ruleset_fd: int) -> int:
    """In the child: no new privileges, then the ruleset. 0, or the errno that stopped it."""
    lib = libc()
    if lib.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        return ctypes.get_errno() or 1
    if lib.syscall(SYS_RESTRICT_SELF, ruleset_fd, 0) != 0:
        return ctypes.get_errno() or 1
    return 0
