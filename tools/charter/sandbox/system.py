"""What this system offers the OS sandbox: the Landlock ABI, unprivileged user namespaces.

Both are read without forking: the Landlock version is one system call, user
namespaces are read from the sysctls that switch them off (Debian's
`unprivileged_userns_clone`, `max_user_namespaces`, Ubuntu's AppArmor
restriction) and from whether the id map may be opened for writing (not inside
another sandbox). A system whose sysctls allow them but whose security module
refuses a mount is found out when the command starts: the launcher then
falls back to the next kind.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

from charter.sandbox import landlock

_OFF_SWITCHES = (
    ("/proc/sys/kernel/unprivileged_userns_clone", "0"),
    ("/proc/sys/user/max_user_namespaces", "0"),
    ("/proc/sys/kernel/apparmor_restrict_unprivileged_userns", "1"),
)


@dataclass(frozen=True)
class Capabilities:
    landlock_abi: int
    user_namespaces: bool

    def summary(self) -> str:
        parts = [
            f"Landlock ABI {self.landlock_abi}" if self.landlock_abi else "no Landlock",
            "user namespaces" if self.user_namespaces else "no unprivileged user namespaces",
        ]
        return ", ".join(parts)

    def best_kind(self) -> str:
        if self.landlock_abi and self.user_namespaces:
            return "landlock+namespaces"
        if self.landlock_abi:
            return "landlock"
        if self.user_namespaces:
            return "namespaces"
        return "none"


def capabilities() -> Capabilities:
    if not sys.platform.startswith("linux"):
        return Capabilities(0, False)
    return Capabilities(landlock.abi_version(), _user_namespaces())


def _user_namespaces() -> bool:
    import os

    if not os.path.exists("/proc/self/ns/user"):
        return False
    for path, off in _OFF_SWITCHES:
        try:
            with open(path, encoding="ascii") as handle:
                if handle.read().strip() == off:
                    return False
        except OSError:
            continue
    # Inside another sandbox (Landlock without write rights on /proc) the child could
    # not write its id maps: opening the file for writing, which writes nothing, tells.
    try:
        os.close(os.open("/proc/self/uid_map", os.O_WRONLY))
    except OSError:
        return False
    return True
