"""One call from a command and a working directory to a decision, failing closed.

Used by `charter guard`, its hooks and `charter run`. A broken policy, a damaged
active session, an unknown level or a working directory outside the repository
each deny every command, with the reason; nothing here raises CharterError.
"""

from __future__ import annotations

import os

from charter.guard.decide import Decision, classify, deny_all

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from charter.guard.compiled import CompiledPolicy
    from charter.guard.context import GuardContext


def _charter_error() -> type[Exception]:
    # evaluated only when an exception is on its way: keeps pathlib off the allow path
    from charter.errors import CharterError

    return CharterError


class Outcome:
    __slots__ = ("context", "decision", "policy_path", "root")

    def __init__(
        self,
        decision: Decision,
        *,
        root: str | None,
        policy_path: str | None,
        context: GuardContext | None,
    ):
        self.decision = decision
        self.root = root
        self.policy_path = policy_path
        self.context = context

    @property
    def policy(self) -> CompiledPolicy | None:
        return None if self.context is None else self.context.policy


def check_command(
    command: str | bytes | Sequence[str],
    *,
    cwd: str | None = None,
    root: str | None = None,
    level: str | None = None,
    env: Mapping[str, str] | None = None,
) -> Outcome:
    from charter.guard.context import build_context, locate

    mode = "string" if isinstance(command, str | bytes) else "argv"
    source: str | list[str]
    if isinstance(command, bytes):
        source = command.decode("utf-8", "replace")
    elif isinstance(command, str):
        source = command
    else:
        source = list(command)
    repo_root: str | None = None
    policy_path: str | None = None
    try:
        work = os.path.abspath(cwd if cwd is not None else os.getcwd())
        repo_root, policy_path = locate(work, root)
        real_root = os.path.realpath(repo_root)
        real_work = os.path.realpath(work)
        if real_work != real_root and not real_work.startswith(real_root.rstrip("/") + "/"):
            reason = (
                f"the working directory {work} is outside the repository {repo_root}: "
                "run commands from inside it"
            )
            return Outcome(
                deny_all(level, source, mode, reason),
                root=repo_root,
                policy_path=policy_path,
                context=None,
            )
        context = build_context(
            root=repo_root, cwd=work, policy_path=policy_path, explicit_level=level, env=env
        )
    except _charter_error() as exc:
        reason = f"{exc}: every command is denied until this is fixed"
        return Outcome(
            deny_all(level, source, mode, reason),
            root=repo_root,
            policy_path=policy_path,
            context=None,
        )
    return Outcome(
        classify(command, context), root=repo_root, policy_path=policy_path, context=context
    )
