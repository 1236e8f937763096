"""`charter gates` as one call: the plans' names first, then the evaluation.

The names come from a model of the repository (from the cache, or parsed when a plan
changed), built and dropped before pandas is imported: in one plan of 50,000 tasks the
parse's peak and pandas' 60 MiB otherwise add up (348 MiB at its peak; 299 this way).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from charter.config import Config
from charter.gates.parse import plan_names

if TYPE_CHECKING:
    from charter.gates.evaluate import GateResult


def run_gates(
    config: Config,
    plan_id: str | None = None,
    metrics: Sequence[str | Path] = (),
    progress: Callable[[int, int], None] | None = None,
) -> list[GateResult]:
    """`evaluate_gates` (charter.gates.evaluate), with the plans' names read first."""
    names = plan_names(config, plan_id)
    from charter.gates.evaluate import evaluate_gates  # lazy: pandas once the model is gone

    return evaluate_gates(config, plan_id, metrics, progress, names)
