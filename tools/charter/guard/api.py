"""One call from a command and a working directory to a decision, failing closed.

Used by `charter guard`, its hooks and `charter run`. A broken policy, a damaged
active session, an unknown level or a working directory outside the repository
each deny every command, with the reason; nothing here raises CharterError.

Two safety checks wrap the decision (docs/safety.md): the kill switch
(`.charter/STOP`) denies everything before the policy is even read, and in an
active session the budget is consulted and an allowed command counted in one
locked step. The first denial for either cause starts the escalation.
"""

from __future__ import annotations

import os

from charter.guard.context import build_context, locate
from charter.guard.decide import Decision, classify, deny_all, quote
from charter.state import auditlog, killswitch
from charter.state.active import read_active_session
from charter.state.escalations import escalate_detached_once

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from charter.guard.compiled import CompiledPolicy
    from charter.guard.context import GuardContext


def _charter_error() -> type[Exception]:
    # evaluated only when an exception is on its way: keeps pathlib off the allow path
    from charter.errors import CharterError  # lazy: off the guard's start-up path

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
    count: bool = True,
    audit: str | None = None,
    shell: str = "bash",
) -> Outcome:
    """The decision on `command`. `count=False` checks the budget without spending it.

    `audit` names the caller (`guard`, `hook:claude-code`, ...): in an active session
    the decision is appended to the session's audit trail (`charter.state.auditlog`).
    `charter run` records its commands itself, so it passes None.
    """
    outcome = _check(command, cwd=cwd, root=root, level=level, env=env, count=count, shell=shell)
    if audit is not None and count and outcome.root is not None:
        _audit(outcome, audit)
    return outcome


def _check(
    command: str | bytes | Sequence[str],
    *,
    cwd: str | None,
    root: str | None,
    level: str | None,
    env: Mapping[str, str] | None,
    count: bool,
    shell: str,
) -> Outcome:
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
        stopped = killswitch.denial(repo_root)
        if stopped is not None:
            return Outcome(
                deny_all(level, source, mode, stopped),
                root=repo_root,
                policy_path=policy_path,
                context=None,
            )
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
    decision = classify(command, context, shell=shell)
    if context.session is not None:
        decision = _within_budget(decision, context, count)
    return Outcome(decision, root=repo_root, policy_path=policy_path, context=context)


def _within_budget(decision: Decision, context: GuardContext, count: bool) -> Decision:
    from charter.state import budget  # lazy: off the guard's start-up path

    session = context.session
    assert session is not None
    level = str(session["level"])
    limits = context.policy.budget(level)
    if not limits:
        return decision
    counted = count and decision.allowed and _counts(decision)
    try:
        spent = budget.consume(context.root, session, limits, count=counted, level=level)
    except budget.BudgetError as exc:
        reason = f"{exc}: every command is denied until a person repairs the budget counters"
        return _denied(decision, context, reason)
    if spent is None:
        return decision
    _escalate_once(
        context.root, f"budget-{session['id']}", "budget-spent", f"budget spent: {spent}"
    )
    return _denied(decision, context, budget.denial(spent))


def _denied(decision: Decision, context: GuardContext, reason: str) -> Decision:
    denied = deny_all(context.level, decision.source, decision.mode, reason)
    denied.level_source = context.level_source
    return denied


def _counts(decision: Decision) -> bool:
    """Whether an allowed decision spends a command: `charter run CMD` is counted as CMD,
    by charter run's own decision, not by the hook's decision on `charter run CMD`."""
    return not all(_is_charter_run(argv) for argv in decision.argvs)


def _is_charter_run(argv: Sequence[str]) -> bool:
    words = list(argv)
    if len(words) > 2 and words[0].startswith("python") and words[1] == "-m":
        words = words[2:]
    return len(words) >= 2 and words[0] == "charter" and words[1] == "run"


def _audit(outcome: Outcome, via: str) -> None:
    """One line in the active session's audit trail; a command `charter run` will run and
    record itself is left to it. Never raises: the answer stands whatever happens here."""
    decision = outcome.decision
    if decision.allowed and not _counts(decision):
        return
    root = outcome.root
    assert root is not None
    try:
        if outcome.context is not None:
            session = outcome.context.session
        else:  # the kill switch or a broken policy: the session is still the one to tell
            session = read_active_session(root)
    except Exception:  # a damaged session record: the denial already says so
        return
    if session is None:
        return
    source = decision.source
    text = source if isinstance(source, str) else " ".join(quote(w) for w in source)
    auditlog.record_decision(
        root,
        str(session["id"]),
        command=text,
        allowed=bool(decision.allowed),
        level=decision.level,
        rule=decision.rule,
        via=via,
        at=auditlog.now_iso(),
        network=decision.network,
    )


def _escalate_once(root: str, key: str, event: str, reason: str) -> None:
    escalate_detached_once(root, key=key, event=event, reason=reason)
