"""Evaluating telemetry gates on metric files (JSON, JSON Lines, CSV) with pandas.

A gate passes only on evidence: a missing or malformed source, a value that is
not a number, or fewer samples than the minimum is reported as such, with the
file and line, and never counts as a pass. pandas is imported here and by
`charter.stats.compute` only; nothing on the check/guard path imports this module.

How many samples a gate has depends on its aggregate:
- count: every event read from the source (so "errors: count == 0" over a log
  of 10,000 requests has 10,000 samples); the value counts selected events
  that have the metric field (`*`: all selected events).
- share / rate: the selected events; the value is the fraction of them for
  which the metric condition holds.
- min, max, mean, sum, last, pNN: the numeric values of the metric field in the
  selected events. Percentiles interpolate linearly (numpy's default).
"""

from __future__ import annotations

import json
import json.scanner
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from charter.extras import missing_extra

try:
    import numpy as np
    import pandas as pd
except ImportError as exc:  # the [analytics] extra
    raise missing_extra("analytics", exc.name or "pandas") from exc

from charter.config import Config
from charter.errors import CharterError
from charter.files import relpath
from charter.gates.parse import Condition, Gate, PlanNames, load_gates, norm_key, plan_names

Status = Literal["pass", "fail", "insufficient", "error"]
JSON_LINES_SUFFIXES = (".jsonl", ".ndjson")
SUFFIXES = (".json", *JSON_LINES_SUFFIXES, ".csv")


@dataclass(frozen=True)
class GateResult:
    gate: Gate
    status: Status
    value: float | None = None  # in the data's unit; a share is a fraction
    samples: int = 0
    min_samples: int = 1
    message: str = ""
    where: str | None = None  # `path:line` of the problem, for error/insufficient
    files: tuple[str, ...] = ()

    @property
    def blocks(self) -> bool:
        """A blocking gate that did not pass stops the work."""
        return self.gate.blocking and self.status != "pass"

    def to_dict(self) -> dict[str, Any]:
        g = self.gate
        return {
            "plan": g.plan,
            "metric": g.metric,
            "aggregate": g.aggregate,
            "threshold": g.threshold.text if g.threshold else None,
            "source": g.source + ("#" + "&".join(map(str, g.select)) if g.select else ""),
            "blocking": g.blocking,
            "status": self.status,
            "value": self.value,
            "unit": g.unit or (g.threshold.unit if g.threshold else None),
            "samples": self.samples,
            "min_samples": self.min_samples,
            "message": self.message,
            "where": self.where,
            "files": list(self.files),
            "gate": f"{g.path}:{g.line}",
        }


@dataclass
class _Events:
    """The fields a file's gates need, one list per dotted path, plus each event's line."""

    path: str
    total: int = 0
    columns: dict[str, list[Any]] = field(default_factory=dict)
    lines: list[int] = field(default_factory=list)
    problem: tuple[int | None, str] | None = None  # (line, message): the file is unusable

    def frame(self) -> pd.DataFrame:
        data: dict[str, Any] = {k: pd.Series(v, dtype=object) for k, v in self.columns.items()}
        data["_line"] = pd.Series(self.lines, dtype="int64")
        frame = pd.DataFrame(data)
        frame["_file"] = self.path
        return frame


def evaluate_gates(
    config: Config,
    plan_id: str | None = None,
    metrics: Sequence[str | Path] = (),
    progress: Callable[[int, int], None] | None = None,
    names: PlanNames | None = None,
) -> list[GateResult]:
    """Evaluate the gates of one plan (or all). `metrics` replaces every gate's Source files.
    `progress(done, total)` hears of each metric file read. `names`: `plan_names(config,
    plan_id)` when the caller worked them out (None: worked out here)."""
    doc = load_gates(config)
    if doc is None:
        raise CharterError("no gates file (config key `gates`); see docs/gates.md", config.gates)
    for problem in doc.problems:  # a gate table no plan owns: never skipped in silence
        raise CharterError(problem.message, problem.path, problem.line)
    gates = doc.gates()
    known_plans, aliases = names if names is not None else plan_names(config, plan_id)
    if plan_id is not None:
        keys = aliases | {norm_key(plan_id)}
        gates = [g for g in gates if norm_key(g.plan) in keys]
        if not gates:
            known = ", ".join(sorted({s.plan for s in doc.sections})) or "none"
            raise CharterError(f"no gates for plan {plan_id!r} (sections: {known})", config.gates)
    override = [Path(m) for m in metrics]
    files_of = {id(g): _files(config, g, override) for g in gates if g.problem is None}
    needed: dict[Path, set[str]] = {}
    for g in gates:
        for path in files_of.get(id(g), ([], None))[0]:
            needed.setdefault(path, set()).update(_paths_of(g))
    events = {}
    for done, (path, paths) in enumerate(needed.items(), 1):
        events[path] = read_events(path, sorted(paths), config.root)
        if progress is not None:
            progress(done, len(needed))
    results = []
    for g in gates:
        if g.problem is not None:
            results.append(_error(g, config, g.problem, f"{g.path}:{g.line}"))
        elif norm_key(g.plan) not in known_plans:
            results.append(
                _error(
                    g,
                    config,
                    f"section `Plan {g.plan}` names no plan (plan ids: "
                    f"{', '.join(sorted(k for k in known_plans if '/' not in k))})",
                    f"{g.path}:{g.line}",
                )
            )
        else:
            files, missing = files_of[id(g)]
            if missing:
                results.append(_error(g, config, missing, f"{g.path}:{g.line}"))
            else:
                results.append(evaluate_gate(g, [events[p] for p in files], config))
    return results


def _files(config: Config, gate: Gate, override: list[Path]) -> tuple[list[Path], str | None]:
    if override:
        absent = [str(p) for p in override if not p.is_file()]
        if absent:
            return [], f"metrics file {absent[0]} does not exist"
        return sorted(override), None
    if Path(gate.source).is_absolute():
        return [], f"Source {gate.source!r} must be relative to the repository root"
    try:
        found = sorted(p for p in config.root.glob(gate.source) if p.is_file())
    except ValueError as exc:
        return [], f"Source {gate.source!r}: {exc}"
    if not found:
        return [], f"no file matches Source {gate.source!r} (missing telemetry: do not guess)"
    return found, None


def _paths_of(gate: Gate) -> set[str]:
    paths = {c.path for c in gate.select}
    if gate.condition is not None:
        paths.add(gate.condition.path)
    elif gate.metric != "*":
        paths.add(gate.metric)
    return paths


def _error(gate: Gate, config: Config, message: str, where: str | None) -> GateResult:
    return GateResult(
        gate, "error", message=message, where=where, min_samples=_min_samples(gate, config)
    )


def _min_samples(gate: Gate, config: Config) -> int:
    return gate.min_samples if gate.min_samples is not None else config.gate_min_samples


# --- reading ------------------------------------------------------------------------------


def read_events(path: Path, fields: Sequence[str], root: Path) -> _Events:
    """Read one metric file, keeping only `fields` (dotted paths) of each event."""
    events = _Events(relpath(root, path), columns={f: [] for f in fields})
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        events.problem = (
            None,
            f"unsupported metrics format {suffix or '(none)'!r} "
            "(use .json, .jsonl, .ndjson or .csv)",
        )
        return events
    try:
        if suffix == ".csv":
            _read_csv(path, events)
        elif suffix in JSON_LINES_SUFFIXES:
            _read_json_lines(path, events)
        else:
            _read_json(path, events)
    except OSError as exc:
        events.problem = (None, f"cannot read: {exc.strerror}")
    except UnicodeDecodeError as exc:
        data = path.read_bytes()
        events.problem = (data[: exc.start].count(b"\n") + 1, "not valid UTF-8")
    return events


def _read_json_lines(path: Path, events: _Events, text: str | None = None) -> None:
    # The C scanner without json.loads' two Python wrappers: half the time on 1M lines.
    scan = json.scanner.make_scanner(json.JSONDecoder())  # type: ignore[arg-type]  # typeshed: a class
    source: Iterable[str] = text.splitlines() if text is not None else path.open(encoding="utf-8")
    getters = _getters(events)
    add_line = events.lines.append
    for number, line in enumerate(source, 1):
        try:
            obj, end = scan(line, 0)
            if line[end:].strip():
                raise StopIteration(end)
        except (StopIteration, json.JSONDecodeError):
            if not line.strip():
                continue
            try:  # the slow path: leading spaces, or a real error to report
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                events.problem = (number, f"invalid JSON: {exc.msg} (column {exc.colno})")
                return
        if type(obj) is not dict:
            kind = type(obj).__name__
            events.problem = (number, f"expected a JSON object per line, found {kind}")
            return
        for name, append, parts in getters:
            value = obj.get(name, _MISSING)
            append(_walk(obj, parts) if value is _MISSING else _text_bool(value))
        add_line(number)
    events.total = len(events.lines)


def _read_json(path: Path, events: _Events) -> None:
    text = path.read_text("utf-8")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        if exc.msg == "Extra data":  # several documents: read it as JSON Lines
            _read_json_lines(path, events, text)
            return
        events.problem = (exc.lineno, f"invalid JSON: {exc.msg} (column {exc.colno})")
        return
    items = data if isinstance(data, list) else [data]
    for index, obj in enumerate(items):
        if not isinstance(obj, dict):
            events.problem = (None, f"item {index} is a {type(obj).__name__}, not a JSON object")
            return
    _extract(items, events)
    # No line numbers inside one JSON document: item i is recorded as -(i + 1).
    events.lines.extend([1] if isinstance(data, dict) else range(-1, -len(items) - 1, -1))
    events.total = len(items)


_MISSING = object()


def _getters(events: _Events) -> list[tuple[str, Any, list[str] | None]]:
    """(name, append, parts): a literal key "a.b" wins; parts walk the nesting otherwise."""
    return [
        (name, column.append, name.split(".") if "." in name else None)
        for name, column in events.columns.items()
    ]


def _extract(objs: list[dict[str, Any]], events: _Events) -> None:
    for name, append, parts in _getters(events):
        for obj in objs:
            value = obj.get(name, _MISSING)
            append(_walk(obj, parts) if value is _MISSING else _text_bool(value))


def _walk(value: Any, parts: list[str] | None) -> Any:
    if parts is None:
        return None
    for part in parts:
        if type(value) is dict:
            value = value.get(part)
        elif type(value) is list and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return None
    return _text_bool(value)


def _text_bool(value: Any) -> Any:
    """Booleans as text: `ok=false` matches, and a flag is never taken for 0 or 1."""
    if value is True:
        return "true"
    if value is False:
        return "false"
    return value


_CSV_LINE = re.compile(r"line (\d+)")


def _read_csv(path: Path, events: _Events) -> None:
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except pd.errors.EmptyDataError:
        return
    except pd.errors.ParserError as exc:
        match = _CSV_LINE.search(str(exc))
        events.problem = (int(match.group(1)) if match else None, f"invalid CSV: {exc}")
        return
    for name, column in events.columns.items():
        if name in frame.columns:
            column.extend(None if v == "" else v for v in frame[name].tolist())
        else:
            column.extend([None] * len(frame))
    events.lines.extend(range(2, len(frame) + 2))  # the header is line 1
    events.total = len(frame)


# --- evaluating ---------------------------------------------------------------------------


def evaluate_gate(gate: Gate, sources: list[_Events], config: Config) -> GateResult:
    """One well-formed gate on the events already read from its files."""
    minimum = _min_samples(gate, config)
    files = tuple(e.path for e in sources)
    for e in sources:
        if e.problem is not None:
            line, message = e.problem
            where = e.path if line is None else f"{e.path}:{line}"
            return GateResult(
                gate, "error", message=message, where=where, files=files, min_samples=minimum
            )
    frame = pd.concat([e.frame() for e in sources], ignore_index=True)
    selected = pd.Series(True, index=frame.index)
    for condition in gate.select:
        selected &= condition_mask(frame[condition.path], condition)
    base = GateResult(gate, "insufficient", samples=0, min_samples=minimum, files=files)
    if gate.aggregate == "count":
        column = selected if gate.metric == "*" else selected & frame[gate.metric].notna()
        return _judge(base, float(column.sum()), len(frame))
    if gate.aggregate == "share":
        assert gate.condition is not None
        n = int(selected.sum())
        if n == 0:
            return _insufficient(base, f"no event matches {_selection(gate)}")
        hits = int((selected & condition_mask(frame[gate.condition.path], gate.condition)).sum())
        return _judge(base, hits / n, n)
    raw = frame[gate.metric][selected]
    present = raw[raw.notna()]
    numbers = to_numbers(present)
    bad = numbers.isna()
    if bad.any():
        row = frame.loc[bad[bad].index[0]]
        return GateResult(
            gate,
            "error",
            message=f"{gate.metric} is {present[bad].iloc[0]!r}, not a number",
            where=_where(row["_file"], int(row["_line"])),
            files=files,
            min_samples=minimum,
        )
    if numbers.empty:
        return _insufficient(base, f"no value of {gate.metric} in {_selection(gate)}")
    return _judge(base, _aggregate(numbers.astype("float64"), gate), len(numbers))


def to_numbers(values: pd.Series) -> pd.Series:
    """Floats, NaN where a value is not a number. numpy's cast is 10x pandas' on clean data."""
    try:
        array = np.asarray(values.to_list(), dtype="float64")
    except (ValueError, TypeError):
        array = None
    if array is None or np.isnan(array).any():
        return pd.to_numeric(values, errors="coerce").astype("float64")
    return pd.Series(array, index=values.index)


def _where(path: str, line: int) -> str:
    return f"{path}:{line}" if line > 0 else f"{path} (item {-line - 1})"


def _aggregate(values: pd.Series, gate: Gate) -> float:
    q = gate.quantile
    if q is not None:
        return float(values.quantile(q, interpolation="linear"))
    if gate.aggregate == "last":
        return float(values.iloc[-1])
    return float(getattr(values, gate.aggregate)())


def _judge(base: GateResult, value: float, samples: int) -> GateResult:
    gate = base.gate
    assert gate.threshold is not None
    if samples < base.min_samples:
        return _insufficient(
            base,
            f"{samples} sample(s), fewer than the minimum {base.min_samples}",
            value=value,
            samples=samples,
        )
    status: Status = "pass" if gate.threshold.holds(value) else "fail"
    return GateResult(gate, status, value, samples, base.min_samples, "", None, base.files)


def _insufficient(
    base: GateResult, message: str, value: float | None = None, samples: int = 0
) -> GateResult:
    return GateResult(
        base.gate,
        "insufficient",
        value,
        samples,
        base.min_samples,
        message,
        f"{base.gate.path}:{base.gate.line}",
        base.files,
    )


def _selection(gate: Gate) -> str:
    if not gate.select:
        return "the events"
    return "the events selected by " + "&".join(map(str, gate.select))


def condition_mask(values: pd.Series, condition: Condition) -> pd.Series:
    """Which events satisfy `condition`. An event without the field never does."""
    present = values.notna()
    if condition.op == "truthy":
        text = values.astype(str).str.lower()
        return present & ~text.isin(["false", "0", "0.0", "", "none", "null"])
    try:
        wanted = float(condition.value)
    except ValueError:
        wanted = None
    numbers = to_numbers(values) if wanted is not None else None
    if condition.op in ("==", "!="):
        equal = (values == condition.value).astype(bool)
        if numbers is not None:
            equal |= numbers == wanted
        return present & (equal if condition.op == "==" else ~equal)
    assert numbers is not None  # the parser only accepts numbers for < <= > >=
    compare = {"<": numbers.lt, "<=": numbers.le, ">": numbers.gt, ">=": numbers.ge}[condition.op]
    return present & compare(wanted).fillna(False).astype(bool)
