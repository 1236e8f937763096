"""What a decision depends on besides the command: repository, policy, level, environment.

The level is `--level` when given, else the active session's level, else the
policy's default. The active session file is written by `charter session
start`; the guard only reads it, and refuses to guess when it is damaged.
"""

from __future__ import annotations

import os

from charter.reporoot import find_root
from charter.sealed import read_sealed
from charter.state.active import ACTIVE_SESSION, read_active_session

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

    from charter.guard.compiled import CompiledPolicy

CONFIG_CACHE = ".charter/cache/guard-config.cache"


def _error(message: str, path: str | None = None, line: int | None = None) -> Exception:
    # charter.errors imports pathlib (7 ms): only a failing guard call pays for it
    from charter.errors import CharterError  # lazy: off the guard's start-up path

    return CharterError(message, path, line)


class GuardContext:
    __slots__ = ("cwd", "env", "level", "level_source", "policy", "root", "session")

    def __init__(
        self,
        *,
        policy: CompiledPolicy,
        level: str,
        level_source: str,
        root: str,
        cwd: str,
        env: Mapping[str, str],
        session: dict[str, Any] | None = None,
    ):
        self.policy = policy
        self.level = level
        self.level_source = level_source
        self.root = root
        self.cwd = cwd
        self.env = env
        self.session = session


def resolve_level(
    policy: CompiledPolicy,
    explicit: str | None,
    session: dict[str, Any] | None,
) -> tuple[str, str]:
    """(level, where it came from); CharterError for an unknown level or an unapproved raise."""
    if explicit is not None:
        if explicit not in policy.levels:
            raise _error(
                f"unknown level {explicit!r} (levels: {', '.join(policy.order)})", policy.path
            )
        return explicit, "--level"
    if session is None:
        return policy.default_level, "policy default"
    level = session["level"]
    if level not in policy.levels:
        raise _error(
            f"the active session's level {level!r} is not in the policy "
            f"(levels: {', '.join(policy.order)})",
            ACTIVE_SESSION,
        )
    raised = level != policy.default_level and policy.default_level in policy.chain(level)
    if raised and not session.get("approved_by"):
        raise _error(
            f"the active session runs at {level}, above the default {policy.default_level}, "
            "without an approval (approved_by)",
            ACTIVE_SESSION,
        )
    return level, f"active session {session['id']}"


def build_context(
    *,
    root: str,
    cwd: str,
    policy_path: str,
    explicit_level: str | None = None,
    env: Mapping[str, str] | None = None,
) -> GuardContext:
    from charter.guard.cache import load_compiled  # lazy: off the guard's start-up path

    policy = load_compiled(root, policy_path)
    session = read_active_session(root)
    level, source = resolve_level(policy, explicit_level, session)
    return GuardContext(
        policy=policy,
        level=level,
        level_source=source,
        root=root,
        cwd=cwd,
        env=os.environ if env is None else env,
        session=session,
    )


def locate(start: str, root: str | None = None) -> tuple[str, str]:
    """(repository root, policy path relative to it) for a working directory.

    The policy path comes from the configuration; it is cached, keyed by the
    configuration files' metadata, so that a guard call need not parse TOML.
    """
    repo = find_root(root if root is not None else start)
    key = [_stat_key(os.path.join(repo, name)) for name in ("charter.toml", "pyproject.toml")]
    cache_file = os.path.join(repo, CONFIG_CACHE)
    entry = read_sealed(cache_file, os.path.basename(cache_file))
    if isinstance(entry, dict) and entry.get("key") == key and isinstance(entry.get("policy"), str):
        return repo, str(entry["policy"])
    from pathlib import Path

    from charter.config import load_config  # lazy: off the guard's start-up path

    policy = load_config(Path(repo)).policy
    from charter.guard.cache import write_json  # lazy: off the guard's start-up path

    write_json(cache_file, {"key": key, "policy": policy})
    return repo, policy


def _stat_key(path: str) -> list[int] | None:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return [info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino]
