"""Escalation markers: `<repo>/.charter/escalations/<cause>.json`, one per cause.

Automatic escalations (a spent budget, the kill switch, a failed blocking
gate) happen once per cause: the first process to create the cause's marker
escalates, every later one sees the marker. The guard cannot afford the
escalation's work on its own path, so it `spawn`s a detached `charter escalate`
with the absolute interpreter path; nothing here imports anything heavy.
"""

from __future__ import annotations

import json
import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

ESCALATIONS_DIR = ".charter/escalations"


def claim(root: str, key: str, info: dict[str, Any]) -> bool:
    """Create the marker for cause `key`; True for the one caller that created it."""
    directory = os.path.join(root, ESCALATIONS_DIR)
    try:
        os.makedirs(directory, exist_ok=True)
        fd = os.open(os.path.join(directory, key + ".json"), os.O_WRONLY | os.O_CREAT | os.O_EXCL)
    except FileExistsError:
        return False
    except OSError:
        return False  # no marker, no escalation: the denial itself still stands
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(info, handle, ensure_ascii=False, sort_keys=True)
    return True


def forget(root: str, prefix: str) -> list[str]:
    """Remove the markers whose cause starts with `prefix` (a resumed kill switch)."""
    directory = os.path.join(root, ESCALATIONS_DIR)
    try:
        names = os.listdir(directory)
    except OSError:
        return []
    removed = []
    for name in sorted(names):
        if name.startswith(prefix) and name.endswith(".json"):
            try:
                os.unlink(os.path.join(directory, name))
                removed.append(name)
            except OSError:
                pass
    return removed


def spawn(root: str, *, key: str, event: str, reason: str) -> None:
    """Start `charter escalate` detached from the caller; its output goes to `<key>.log`."""
    import subprocess
    import sys

    directory = os.path.join(root, ESCALATIONS_DIR)
    args = [sys.executable, "-I", "-m", "charter", "escalate", "--repo", root]
    args += ["--event", event, "--reason", reason, "--by", "charter"]
    try:
        with open(os.path.join(directory, key + ".log"), "ab") as log:
            subprocess.Popen(
                args,
                cwd=root,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # survives the hook's process group being killed
                close_fds=True,
            )
    except OSError:
        pass  # the denial stands; `charter session status` and the marker show the cause


def escalate_detached_once(root: str, *, key: str, event: str, reason: str) -> bool:
    """Claim cause `key`; the one caller that does starts `charter escalate` detached."""
    if not claim(root, key, {"event": event, "reason": reason}):
        return False
    spawn(root, key=key, event=event, reason=reason)
    return True
