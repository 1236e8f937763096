"""`charter gates`: evaluate a plan's telemetry gates on its metric files."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

from charter.commands.common import config_for, echo_json, format_option, repo_option
from charter.errors import CharterError
from charter.progress import TerminalProgress
from charter.safety.stop_conditions import escalate_once, gate_stop
from charter.state.session import read_active

if TYPE_CHECKING:
    from charter.config import Config
    from charter.gates.evaluate import GateResult


@click.command("gates")
@click.option(
    "--plan",
    "plan_id",
    default=None,
    metavar="PLAN",
    help="Only this plan's gates (its frontmatter id or its path).",
)
@click.option(
    "--metrics",
    "metrics",
    multiple=True,
    metavar="FILE",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Read these metric files instead of each gate's Source (repeatable); "
    "a Source's #selector still applies.",
)
@format_option(("text", "json"))
@click.option("--quiet", "-q", is_flag=True, help="Show no progress while reading metrics.")
@repo_option
def gates(
    plan_id: str | None,
    metrics: tuple[Path, ...],
    output_format: str,
    quiet: bool,
    repo_dir: Path | None,
) -> int:
    """Evaluate telemetry gates from docs/telemetry/GATES.md (see docs/gates.md).

    Prints a row per gate: the measured value, the threshold and pass, fail,
    insufficient (fewer samples than the minimum) or error (missing or
    malformed source, with file and line). Exit 0 when every blocking gate
    passes, 1 when one does not, 2 on a usage or configuration error. In an
    active session, a blocking gate of its plan that does not pass stops the
    session: the task is escalated (docs/safety.md).
    """
    from charter.gates.record import record_results  # lazy: with the evaluation it records
    from charter.gates.run import run_gates  # lazy: numpy, pandas only when this runs

    config = config_for(repo_dir)
    progress = TerminalProgress("charter gates: reading metrics", quiet=quiet)
    progress.start_ticker()
    try:
        results = run_gates(config, plan_id, [p.resolve() for p in metrics], progress)
    finally:
        progress.close()
    recorded = record_results(config, results)
    if output_format == "json":
        shape = {"gates": [r.to_dict() for r in results]}
        echo_json(shape)
    else:
        click.echo(format_text(results))
    if recorded is not None:
        where = recorded.relative_to(config.root).as_posix()
        click.echo(f"charter gates: recorded {len(results)} result(s) in {where}", err=True)
    if any(r.blocks for r in results):
        _stop_session(config, results)
        return 1
    return 0


def _stop_session(config: Config, results: Sequence[GateResult]) -> None:
    """In an active session, a failed blocking gate of its plan is a stop condition:
    tell the agent, and escalate (once per session)."""
    try:
        session = read_active(config.root)
        stop = gate_stop(config, results, session) if session is not None else None
    except CharterError as exc:
        click.echo(
            f"charter gates: the session's stop conditions were not checked: {exc}", err=True
        )
        return
    if session is None or stop is None:
        return
    click.echo(stop.message, err=True)
    escalation = escalate_once(config, session, stop)
    if escalation is not None:
        click.echo(f"charter gates: escalated: {escalation.outcome}", err=True)
        for problem in escalation.problems:
            click.echo(f"charter gates: escalation: {problem}", err=True)


def format_text(results: Sequence[GateResult]) -> str:
    if not results:
        return "no gates defined"
    header = ("PLAN", "GATE", "MEASURED", "THRESHOLD", "SAMPLES", "RESULT")
    rows = [header]
    notes: list[str] = []
    for r in results:
        g = r.gate
        result = r.status.upper() + ("" if g.blocking else " (advisory)")
        threshold = g.threshold.text if g.threshold else "?"
        rows.append((g.plan, g.label, measured(r), threshold, str(r.samples), result))
        if r.message:
            notes.append(f"  {r.where or g.path + ':' + str(g.line)}: {g.label}: {r.message}")
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]
    blocking = sum(1 for r in results if r.blocks)
    passed = sum(1 for r in results if r.status == "pass")
    lines += notes
    lines.append(
        f"{passed} of {len(results)} gate(s) pass; "
        + (
            f"{blocking} blocking gate(s) did not pass: stop"
            if blocking
            else "no blocking gate is failing"
        )
    )
    return "\n".join(lines)


def measured(result: GateResult) -> str:
    if result.value is None:
        return "-"
    gate = result.gate
    if gate.aggregate == "share":
        return f"{result.value * 100:.4g} %"
    if gate.aggregate == "count":
        return f"{result.value:.0f}"
    unit = gate.unit or (gate.threshold.unit if gate.threshold else None)
    return f"{result.value:.6g}" + (f" {unit}" if unit else "")
