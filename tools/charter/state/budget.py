"""Session budgets: commands, minutes, consecutive failures and failed test runs.

The counters live in `<repo>/.charter/sessions/<id>/budget.json` and change only
under an `fcntl` lock on `budget.lock` beside it, so concurrent guards and
`charter run`s count every command exactly once. (filelock costs the guard
more to import than the whole update; one `flock` is all it needs.)

- `charter guard` calls `consume` on every decision in a session: a spent
  budget turns the decision into a denial, and an allowed command is counted
  in the same locked step, so the limit is exact under any concurrency.
- `charter run` calls `record_exit` with the command's exit code: a non-zero
  code extends the run of consecutive failures (zero ends it), and a failed
  test command (the policy's `test_commands`) counts against
  `max_test_failures`.

A limit is spent when its counter reaches it; the time budget when the
session's age reaches `max_minutes`. Nothing is sticky: raising a limit in the
policy lets the session continue. Damaged counters deny (fail closed).
"""

from __future__ import annotations

import json
import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping, Sequence
    from typing import Any

SESSIONS_DIR = ".charter/sessions"
BUDGET_FILE = "budget.json"
LOCK_FILE = "budget.lock"
LOCK_TIMEOUT_S = 10.0
DENIAL_PREFIX = "budget spent: stop and escalate"


class BudgetError(Exception):
    """The counters cannot be read or written; the caller denies."""


def session_dir(root: str, session_id: str) -> str:
    return os.path.join(root, SESSIONS_DIR, session_id)


def empty_state() -> dict[str, Any]:
    return {"commands": 0, "consecutive_failures": 0, "test_failures": 0, "last_test": None}


def read_state(root: str, session_id: str) -> dict[str, Any]:
    """The session's counters (zero when nothing was counted yet); BudgetError when damaged."""
    return _read(os.path.join(session_dir(root, session_id), BUDGET_FILE))


def consume(
    root: str,
    session: Mapping[str, Any],
    limits: Mapping[str, int],
    *,
    count: bool,
    level: str,
    now: float | None = None,
) -> str | None:
    """Why the budget is spent (see `denial`); else None, after counting the command if `count`."""
    if not limits:
        return None
    import time

    moment = time.time() if now is None else now
    with _locked(root, str(session["id"])) as path:
        state = _read(path)
        reason = spent_reason(state, limits, _start(session), moment, level)
        if reason is not None:
            return reason
        if count:
            state["commands"] = int(state["commands"]) + 1
            _write(path, state)
    return None


def record_exit(
    root: str,
    session: Mapping[str, Any],
    limits: Mapping[str, int],
    *,
    exit_code: int,
    test: bool,
    command: str,
    level: str,
    at: str,
    now: float | None = None,
) -> str | None:
    """Record a finished command; `spent_reason` when its outcome spends a budget."""
    import time

    moment = time.time() if now is None else now
    with _locked(root, str(session["id"])) as path:
        state = _read(path)
        failed = exit_code != 0
        state["consecutive_failures"] = int(state["consecutive_failures"]) + 1 if failed else 0
        if test:
            state["last_test"] = {"command": command, "exit_code": exit_code, "at": at}
            if failed:
                state["test_failures"] = int(state["test_failures"]) + 1
        _write(path, state)
    return spent_reason(state, limits, _start(session), moment, level) if limits else None


def spent_reason(
    state: Mapping[str, Any],
    limits: Mapping[str, int],
    started: Any,
    now: float,
    level: str,
) -> str | None:
    """Which budgets are spent, and whether tests still fail; None while every budget holds."""
    spent = list(_spent(state, limits, started, now))
    if not spent:
        return None
    text = f"at level {level}, " + "; ".join(spent)
    failing = tests_failing(state)
    return f"{text}. {failing}" if failing is not None else text


def denial(detail: str) -> str:
    """What the agent reads on every command once a budget is spent."""
    return (
        f"{DENIAL_PREFIX}: {detail}. The task is escalated to a person: record in the session "
        "log what you did, what failed (with its output) and what is left, then stop"
    )


def tests_failing(state: Mapping[str, Any]) -> str | None:
    """The stop condition "tests still failing", from the last test command's exit code."""
    last = state.get("last_test")
    if not isinstance(last, dict) or last.get("exit_code") in (0, None):
        return None
    return (
        f"Tests still failing: `{last.get('command')}` exited {last.get('exit_code')} "
        f"at {last.get('at')}"
    )


def _spent(
    state: Mapping[str, Any], limits: Mapping[str, int], started: Any, now: float
) -> Iterator[str]:
    limit = limits.get("max_commands")
    if limit is not None and state["commands"] >= limit:
        yield f"the session has run {state['commands']} of {limit} commands (max_commands)"
    limit = limits.get("max_consecutive_failures")
    if limit is not None and state["consecutive_failures"] >= limit:
        yield (
            f"the last {state['consecutive_failures']} commands failed in a row "
            f"(max_consecutive_failures: {limit})"
        )
    limit = limits.get("max_test_failures")
    if limit is not None and state["test_failures"] >= limit:
        yield f"the tests failed {state['test_failures']} times (max_test_failures: {limit})"
    limit = limits.get("max_minutes")
    if limit is not None:
        age = _minutes_since(started, now)
        if age is None:
            yield f"the session's start time {started!r} is unreadable, so its age is unknown"
        elif age >= limit:
            yield f"the session started {int(age)} minutes ago (max_minutes: {limit})"


def _start(session: Mapping[str, Any]) -> Any:
    """When the session started by the real clock: `started_epoch`, else `started`."""
    real = session.get("started_epoch")
    if isinstance(real, int | float) and not isinstance(real, bool):
        return float(real)
    return session.get("started")


def _minutes_since(started: Any, now: float) -> float | None:
    if isinstance(started, float):
        return (now - started) / 60.0
    moment = epoch(started) if isinstance(started, str) else None
    return None if moment is None else (now - moment) / 60.0


def epoch(text: str) -> float | None:
    """Seconds since 1970 of an ISO-8601 time with a zone (`2026-01-02T03:04:05Z`), else None.

    Computed by hand: importing datetime would cost the guard 1.4 ms on every decision.
    """
    import re

    match = re.fullmatch(
        r"(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(\.\d+)?(Z|[+-]\d\d:?\d\d)", text.strip()
    )
    if match is None:
        return None
    year, month, day, hour, minute, second = (int(match.group(i)) for i in range(1, 7))
    if not (1 <= month <= 12 and 1 <= day <= 31 and hour < 24 and minute < 60 and second < 61):
        return None
    zone = match.group(8)
    offset = 0 if zone == "Z" else int(zone[0] + "1") * (int(zone[1:3]) * 60 + int(zone[-2:])) * 60
    # days from the civil date (the proleptic Gregorian calendar), as in H. Hinnant's algorithm
    year -= month <= 2
    era = year // 400
    year_of_era = year - era * 400
    day_of_year = (153 * (month + (-3 if month > 2 else 9)) + 2) // 5 + day - 1
    day_of_era = year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + day_of_year
    days = era * 146097 + day_of_era - 719468
    fraction = float(match.group(7) or 0)
    return days * 86400 + hour * 3600 + minute * 60 + second + fraction - offset


def is_test_command(argvs: Sequence[Sequence[str]], prefixes: Sequence[Sequence[str]]) -> bool:
    """Whether any simple command is a test command (`python -m pytest` counts as `pytest`)."""
    for argv in argvs:
        words = list(argv)
        if len(words) > 2 and words[0].startswith("python") and words[1] == "-m":
            words = words[2:]
        for prefix in prefixes:
            if len(words) >= len(prefix) and words[: len(prefix)] == list(prefix):
                return True
    return False


# -- the file and its lock ------------------------------------------------------


class _locked:
    """Hold the session's budget lock; yields the counters' path."""

    def __init__(self, root: str, session_id: str):
        self.directory = session_dir(root, session_id)
        self.fd = -1

    def __enter__(self) -> str:
        import fcntl
        import time

        try:
            os.makedirs(self.directory, exist_ok=True)
            self.fd = os.open(
                os.path.join(self.directory, LOCK_FILE), os.O_RDWR | os.O_CREAT, 0o600
            )
        except OSError as exc:
            raise BudgetError(f"cannot open the budget lock: {exc.strerror}") from exc
        deadline = time.monotonic() + LOCK_TIMEOUT_S
        while True:
            try:
                fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    os.close(self.fd)
                    raise BudgetError(
                        f"the budget counters stayed locked for {LOCK_TIMEOUT_S:.0f} s"
                    ) from None
                time.sleep(0.002)
        return os.path.join(self.directory, BUDGET_FILE)

    def __exit__(self, *exc: object) -> None:
        os.close(self.fd)  # closing the descriptor releases the flock


def _read(path: str) -> dict[str, Any]:
    try:
        with open(path, "rb") as handle:
            raw = handle.read()
    except FileNotFoundError:
        return empty_state()
    except OSError as exc:
        raise BudgetError(f"cannot read {_display(path)}: {exc.strerror}") from exc
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise BudgetError(f"{_display(path)} is not valid JSON ({exc})") from exc
    state = empty_state()
    if not isinstance(data, dict):
        raise BudgetError(f"{_display(path)} must hold a JSON object")
    for key in ("commands", "consecutive_failures", "test_failures"):
        value = data.get(key, 0)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise BudgetError(f"{_display(path)}: {key} must be a count, not {value!r}")
        state[key] = value
    last = data.get("last_test")
    state["last_test"] = last if isinstance(last, dict) else None
    return state


def _write(path: str, state: Mapping[str, Any]) -> None:
    """Caller holds the budget lock, so a temp file already there is a killed writer's."""
    directory, name = os.path.split(path)
    temporary = os.path.join(directory, f".{name}.{os.getpid()}.tmp")
    try:
        for entry in os.listdir(directory):
            if entry.startswith(f".{name}.") and entry.endswith(".tmp"):
                os.unlink(os.path.join(directory, entry))
    except OSError:
        pass  # cleaning up is best effort; the write below reports a real failure
    try:
        with open(temporary, "w", encoding="utf-8") as handle:
            json.dump(state, handle, sort_keys=True)
        os.replace(temporary, path)
    except OSError as exc:
        raise BudgetError(f"cannot write {_display(path)}: {exc.strerror}") from exc


def _display(path: str) -> str:
    marker = SESSIONS_DIR + os.sep
    index = path.find(marker)
    return path[index:] if index >= 0 else path
