"""`blocking_gates_measured`: `charter session end` checks that the plan's blocking gates
were measured in the session (by `charter gates`, which leaves a record) and passed."""

from __future__ import annotations

import os
import time

import pytest

from charter.cli import main
from charter.config import Config
from charter.errors import CharterError
from charter.guard.policy import parse_policy
from charter.sessions.requirements import requirement_gaps
from charter.state.gatelog import read_gates
from tests.governed import governed_repo_fixtures
from tests.safety.helpers import NOW, governed_repo, policy, start, write

repo_template, gated = governed_repo_fixtures(  # this module's own template
    governed_repo,
    now=NOW,
    unset=("CHARTER_APPROVED_BY", "CHARTER_AGENT", "CHARTER_BASE_REF"),
    chdir=True,
)

REQUIRE = "    allow: [make check, make test, charter run, charter task]\n"


def _require_gates(config: Config) -> None:
    text = policy().replace(
        REQUIRE, REQUIRE + "    requires_checks:\n      - blocking_gates_measured: true\n"
    )
    path = write(config.root, config.policy, text)
    stamp = time.time_ns()
    os.utime(path, ns=(stamp, stamp))


def _gaps(config: Config) -> list[str]:
    from charter.state.session import read_active

    session = read_active(config.root)
    assert session is not None
    return [gap.message for gap in requirement_gaps(config, session)]


def _metrics(config: Config, *values: int) -> None:
    write(config.root, ".runs/tests/run1.jsonl", "".join(f'{{"failed": {v}}}\n' for v in values))


def test_an_unmeasured_blocking_gate_is_named(gated: Config) -> None:
    _require_gates(gated)
    start(gated)
    (message,) = _gaps(gated)
    assert message == (
        "level L1 requires blocking_gates_measured: max(failed) "
        "(docs/telemetry/GATES.md:7) was not measured in this session: "
        "run `charter gates --plan CORE`"
    )


def test_a_passing_measurement_in_the_session_meets_it(
    gated: Config, capsys: pytest.CaptureFixture[str]
) -> None:
    _require_gates(gated)
    session = start(gated)
    _metrics(gated, 0, 0)
    assert main(["gates", "--plan", "CORE"]) == 0
    err = capsys.readouterr().err
    assert f"recorded 1 result(s) in .charter/sessions/{session.id}/gates.jsonl" in err
    (entry,) = read_gates(gated.root, session.id)
    assert entry["status"] == "pass" and entry["gate"] == "docs/telemetry/GATES.md:7"
    assert _gaps(gated) == []


def test_a_failing_last_measurement_does_not(gated: Config) -> None:
    _require_gates(gated)
    start(gated)
    _metrics(gated, 0)
    assert main(["gates", "--plan", "CORE"]) == 0
    _metrics(gated, 0, 3)
    assert main(["gates", "--plan", "CORE"]) == 1
    (message,) = _gaps(gated)
    assert "max(failed) (docs/telemetry/GATES.md:7) was last measured as fail" in message


def test_gates_of_other_plans_do_not_count(gated: Config) -> None:
    _require_gates(gated)
    start(gated)
    write(gated.root, ".runs/side/run1.jsonl", '{"errors": 0}\n')
    assert main(["gates", "--plan", "SIDE"]) == 0
    assert "was not measured in this session" in _gaps(gated)[0]


def test_session_end_refuses_with_the_unmet_gate(
    gated: Config, capsys: pytest.CaptureFixture[str]
) -> None:
    _require_gates(gated)
    start(gated)
    assert main(["session", "end"]) != 0
    assert "blocking_gates_measured: max(failed)" in capsys.readouterr().err


def test_the_requirement_takes_true_or_false() -> None:
    text = policy().replace(
        REQUIRE, REQUIRE + "    requires_checks:\n      - blocking_gates_measured: yes please\n"
    )
    with pytest.raises(CharterError, match="blocking_gates_measured must be true or false"):
        parse_policy(text, "docs/agents/AUTONOMY.md")
