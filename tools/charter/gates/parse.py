"""Telemetry gates: the per-plan tables of docs/telemetry/GATES.md.

    ## Plan CH-GATES — telemetry gates

    | Metric | Aggregate | Threshold | Source | Blocking |
    |---|---|---|---|---|
    | latency.ms | p95 | < 950 ms | Logs/*.jsonl#type=DatabaseWrite | yes |

A heading `Plan <key>` opens a plan's section (key: the plan's frontmatter `id`
or its repository-relative path); the section runs to the next heading of the
same or a higher level. A table whose header has Metric, Aggregate, Threshold
and Source columns inside it is a gate table. A row that cannot be read is
kept, with its problem, so it is reported and never silently skipped.

This module never imports pandas: the session preconditions call
`gates_for_plan` on the start-up path.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from charter import markdown
from charter.config import Config
from charter.errors import CharterError
from charter.model import Diagnostic, Plan
from charter.parse.source import decode
from charter.parse.tables import split_row
from charter.repo import load_repo

NUMERIC_AGGREGATES = ("min", "max", "mean", "sum", "last")
AGGREGATE_ALIASES = {"avg": "mean", "average": "mean", "median": "p50", "rate": "share"}
_PERCENTILE = re.compile(r"^p(\d{1,3}(?:\.\d+)?)$")

# unit -> (dimension, factor to the dimension's base unit)
UNITS: dict[str, tuple[str, float]] = {
    "ns": ("time", 1e-9),
    "us": ("time", 1e-6),
    "µs": ("time", 1e-6),
    "ms": ("time", 1e-3),
    "s": ("time", 1.0),
    "sec": ("time", 1.0),
    "min": ("time", 60.0),
    "h": ("time", 3600.0),
    "b": ("size", 1.0),
    "kb": ("size", 1e3),
    "mb": ("size", 1e6),
    "gb": ("size", 1e9),
    "kib": ("size", 1024.0),
    "mib": ("size", 1024.0**2),
    "gib": ("size", 1024.0**3),
}
_OPS = {
    "<": "<",
    "<=": "<=",
    ">": ">",
    ">=": ">=",
    "=": "==",
    "==": "==",
    "!=": "!=",
    "≤": "<=",
    "≥": ">=",
    "≠": "!=",
}
_THRESHOLD = re.compile(
    r"^(?P<op><=|>=|==|!=|<|>|=|≤|≥|≠)\s*(?P<num>[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)"
    r"\s*(?P<unit>%|[A-Za-zµ]+)?$"
)
_CONDITION = re.compile(r"^(?P<path>[^=!<>]+?)\s*(?P<op><=|>=|!=|==|=|<|>)\s*(?P<value>.*)$")
_PLAN_HEADING = re.compile(r"^plan\s+(?:`(?P<code>[^`]+)`|(?P<bare>[^\s`]+))", re.I)

COLUMN_ALIASES: dict[str, str] = {
    "metric": "metric",
    "field": "metric",
    "aggregate": "aggregate",
    "aggregation": "aggregate",
    "agg": "aggregate",
    "statistic": "aggregate",
    "threshold": "threshold",
    "target": "threshold",
    "source": "source",
    "sources": "source",
    "blocking": "blocking",
    "blocks": "blocking",
    "unit": "unit",
    "units": "unit",
    "min samples": "min_samples",
    "minimum samples": "min_samples",
    "min_samples": "min_samples",
}
REQUIRED_COLUMNS = ("metric", "aggregate", "threshold", "source")
_YES = {"yes", "y", "true", "blocking", "block", "✅", "x"}
_NO = {"no", "n", "false", "advisory", "non-blocking", "nonblocking", "❌", "-"}


@dataclass(frozen=True)
class Condition:
    """`path op value`, as in a Source selector (`type=DatabaseWrite`) or a share metric."""

    path: str
    op: str  # one of == != < <= > >=; "truthy" for a bare path
    value: str = ""

    def __str__(self) -> str:
        if self.op == "truthy":
            return self.path
        return f"{self.path}{'=' if self.op == '==' else self.op}{self.value}"


@dataclass(frozen=True)
class Threshold:
    op: str  # < <= > >= == !=
    value: float  # in the data's unit; a share's threshold is a fraction
    unit: str | None  # as written
    text: str

    def holds(self, measured: float) -> bool:
        return {
            "<": measured < self.value,
            "<=": measured <= self.value,
            ">": measured > self.value,
            ">=": measured >= self.value,
            "==": math.isclose(measured, self.value, rel_tol=1e-9, abs_tol=1e-12),
            "!=": not math.isclose(measured, self.value, rel_tol=1e-9, abs_tol=1e-12),
        }[self.op]


@dataclass(frozen=True)
class Gate:
    plan: str  # the section's plan key, as written
    metric: str  # a dotted path; for share, a Condition
    aggregate: str  # canonical: count, share, min, max, mean, sum, last, pNN
    threshold: Threshold | None
    source: str  # glob relative to the repository root, without the selector
    select: tuple[Condition, ...]
    blocking: bool
    path: str  # the gates file, repository-relative
    line: int
    unit: str | None = None  # unit of the data's values, when the table says
    min_samples: int | None = None  # overrides config.gate_min_samples
    condition: Condition | None = None  # a share's metric
    problem: str | None = None  # why the row cannot be evaluated

    @property
    def quantile(self) -> float | None:
        match = _PERCENTILE.match(self.aggregate)
        return float(match.group(1)) / 100 if match else None

    @property
    def label(self) -> str:
        return f"{self.aggregate}({self.metric})"


@dataclass(frozen=True)
class GateSection:
    plan: str
    line: int
    gates: tuple[Gate, ...]


@dataclass(frozen=True)
class GatesDoc:
    path: str
    sections: tuple[GateSection, ...] = ()
    problems: tuple[Diagnostic, ...] = field(default_factory=tuple)

    def gates(self) -> list[Gate]:
        return [g for s in self.sections for g in s.gates]


def load_gates(config: Config) -> GatesDoc | None:
    """The configured gates file, parsed; None when it does not exist."""
    path = config.root / config.gates
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise CharterError(f"cannot read gates file: {exc.strerror}", config.gates) from exc
    return parse_gates(config.gates, data)


def gates_for_plan(config: Config, plan_id: str, plans: Iterable[Plan] | None = None) -> list[Gate]:
    """The well-formed gates of one plan, named by its frontmatter id or its path.

    A row with a problem is not counted: a plan has gates only when they can run.
    `plans` are the plans to look the plan's other name up in (None: the repository's,
    loaded only when a section names a plan some other way than `plan_id`).
    """
    doc = load_gates(config)
    if doc is None:
        return []
    matches = PlanMatcher(config, plan_id, plans)
    return [g for g in doc.gates() if g.problem is None and matches(g.plan)]


def plan_matches(
    key: str, plan_id: str, config: Config, plans: Iterable[Plan] | None = None
) -> bool:
    """Does a section key name the plan `plan_id` (an id or a path)?"""
    return PlanMatcher(config, plan_id, plans)(key)


class PlanMatcher:
    """Whether a section key names one plan; its aliases are looked up once, on the first
    key that is not `plan_id` itself (each lookup may load the repository)."""

    def __init__(self, config: Config, plan_id: str, plans: Iterable[Plan] | None) -> None:
        self.config, self.plan_id, self.plans = config, plan_id, plans
        self.wanted = norm_key(plan_id)
        self.aliases: set[str] | None = None

    def __call__(self, key: str) -> bool:
        if norm_key(key) == self.wanted:
            return True
        if self.aliases is None:
            self.aliases = plan_aliases(self.config, self.plan_id, self.plans)
        return norm_key(key) in self.aliases


def plan_aliases(config: Config, plan: str, plans: Iterable[Plan] | None = None) -> set[str]:
    """Every key naming the plan that `plan` names: its id and its path. `plans`: where to
    look (None: the repository's plans, loaded)."""
    wanted = norm_key(plan)
    for p in load_repo(config).plans if plans is None else plans:
        keys = section_keys(p)
        if wanted in keys:
            return keys
    return set()


def section_keys(plan: Plan) -> set[str]:
    """The keys a gates section may name `plan` by: its path and its frontmatter id."""
    keys = {norm_key(plan.path)}
    if plan.frontmatter.get("id") not in (None, ""):
        keys.add(norm_key(str(plan.frontmatter["id"])))
    return keys


PlanNames = tuple[set[str], set[str]]  # every plan's id and path; the names of one plan


def plan_names(config: Config, plan_id: str | None) -> PlanNames:
    """Every plan's id and path, and the names of the plan `plan_id` names (empty without
    one), from one load of the repository, not kept."""
    plans = load_repo(config).plans
    keys: set[str] = set()
    for plan in plans:
        keys.add(plan.path)
        if plan.frontmatter.get("id") not in (None, ""):
            keys.add(str(plan.frontmatter["id"]))
    aliases = plan_aliases(config, plan_id, plans) if plan_id is not None else set()
    return keys, aliases


def norm_key(key: str) -> str:
    key = key.strip().strip("`")
    return key[2:] if key.startswith("./") else key


def parse_gates(path: str, data: bytes) -> GatesDoc:
    source = decode(path, data)
    lines = source.lines
    problems = [p for p in source.problems if p.severity == "error"]
    outline = markdown.outline("\n".join(lines))
    # (heading line, level, plan key or None)
    headings = [(h.line, h.level, plan_key(h.text)) for h in outline.headings]
    sections: dict[tuple[str, int], list[Gate]] = {}
    for table in outline.tables:
        header = [_column_name(c.text) for c in split_row(lines[table.header])]
        if not all(col in header for col in REQUIRED_COLUMNS):
            continue
        owner = _section_of(table.header, headings)
        if owner is None:
            problems.append(
                Diagnostic(
                    path,
                    table.header + 1,
                    1,
                    "GATES",
                    "gate table outside a `## Plan <id>` section",
                )
            )
            continue
        key, line = owner
        bucket = sections.setdefault((key, line), [])
        for row in table.rows:
            cells = [c.text for c in split_row(lines[row])]
            values = {name: _cell(cells[i]) for i, name in enumerate(header) if i < len(cells)}
            bucket.append(gate_from_row(key, values, path, row + 1))
    ordered = sorted(sections.items(), key=lambda item: item[0][1])
    return GatesDoc(
        path,
        tuple(GateSection(key, line + 1, tuple(gates)) for (key, line), gates in ordered),
        tuple(problems),
    )


def plan_key(heading: str) -> str | None:
    """`Plan CH-GATES — text` -> "CH-GATES"; None for any other heading."""
    text = heading.strip().strip("*_").strip()
    match = _PLAN_HEADING.match(text)
    if match is None:
        return None
    key = match.group("code") or match.group("bare").rstrip(":,.*_")
    return key.strip() or None


def _section_of(line: int, headings: list[tuple[int, int, str | None]]) -> tuple[str, int] | None:
    """The plan section enclosing `line`: the nearest plan heading not closed by a peer."""
    closing_level = 7
    for h_line, level, key in reversed([h for h in headings if h[0] < line]):
        if level >= closing_level:
            continue
        if key is not None:
            return key, h_line
        closing_level = level
    return None


def _column_name(text: str) -> str:
    name = re.sub(r"[*_`]", "", text).strip().lower()
    return COLUMN_ALIASES.get(name, name)


def _cell(text: str) -> str:
    text = text.strip().replace("\\|", "|")
    if len(text) >= 2 and text.startswith("`") and text.endswith("`"):
        text = text.strip("`").strip()
    return text


def gate_from_row(plan: str, values: dict[str, str], path: str, line: int) -> Gate:
    problems: list[str] = []
    metric = values.get("metric", "")
    aggregate = canonical_aggregate(values.get("aggregate", ""))
    if aggregate is None:
        problems.append(
            f"unknown aggregate {values.get('aggregate', '')!r} (known: count, "
            "min, max, mean, sum, last, p50, p90, p95, p99, pNN, share, rate)"
        )
    source, select, source_problem = parse_source(values.get("source", ""))
    if source_problem:
        problems.append(source_problem)
    condition = None
    if not metric:
        problems.append("empty Metric")
    elif aggregate == "share":
        condition, problem = parse_condition(metric)
        if problem:
            problems.append(f"Metric: {problem}")
    blocking = _blocking(values.get("blocking", ""), problems)
    unit = values.get("unit", "").strip() or None
    min_samples = _min_samples(values.get("min_samples", ""), problems)
    threshold = None
    if aggregate is not None:
        threshold, problem = parse_threshold(values.get("threshold", ""), aggregate, unit)
        if problem:
            problems.append(problem)
    return Gate(
        plan=plan,
        metric=metric,
        aggregate=aggregate or values.get("aggregate", ""),
        threshold=threshold,
        source=source,
        select=select,
        blocking=blocking,
        path=path,
        line=line,
        unit=unit,
        min_samples=min_samples,
        condition=condition,
        problem="; ".join(problems) or None,
    )


def canonical_aggregate(text: str) -> str | None:
    name = text.strip().lower()
    name = AGGREGATE_ALIASES.get(name, name)
    if name in ("count", "share", *NUMERIC_AGGREGATES):
        return name
    match = _PERCENTILE.match(name)
    if match and 0 <= float(match.group(1)) <= 100:
        return name
    return None


def parse_source(text: str) -> tuple[str, tuple[Condition, ...], str | None]:
    """`Logs/*.jsonl#type=DatabaseWrite&ok=true` -> glob, selector conditions, problem."""
    glob, _, selector = text.partition("#")
    glob = glob.strip()
    if not glob:
        return "", (), "empty Source"
    conditions: list[Condition] = []
    for part in re.split(r"[&,]", selector) if selector.strip() else []:
        condition, problem = parse_condition(part)
        if problem or condition is None:
            return glob, (), f"Source selector: {problem}"
        conditions.append(condition)
    return glob, tuple(conditions), None


def parse_condition(text: str) -> tuple[Condition | None, str | None]:
    text = text.strip()
    if not text:
        return None, "empty condition"
    match = _CONDITION.match(text)
    if match is None:
        return Condition(text, "truthy"), None
    op = "==" if match.group("op") in ("=", "==") else match.group("op")
    value = match.group("value").strip().strip("\"'")
    if op in ("<", "<=", ">", ">=") and _float(value) is None:
        return None, f"{text!r}: {op} needs a number"
    return Condition(match.group("path").strip(), op, value), None


def parse_threshold(
    text: str, aggregate: str, unit: str | None
) -> tuple[Threshold | None, str | None]:
    """`< 950 ms` -> Threshold in the data's unit. A share's threshold is a fraction or a %."""
    raw = text.strip()
    match = _THRESHOLD.match(raw.replace(",", "").replace(" ", " "))
    if match is None:
        return None, f"cannot read Threshold {raw!r} (write e.g. `< 950 ms`, `>= 99.5%`, `== 0`)"
    op = _OPS[match.group("op")]
    value = float(match.group("num"))
    written = match.group("unit")
    if aggregate == "share":
        if written == "%":
            return Threshold(op, value / 100, written, raw), None
        if written is not None:
            return None, f"a share's Threshold is a fraction or a percentage, not {written!r}"
        if not 0 <= value <= 1:
            return None, f"a share's Threshold {raw!r} is a fraction from 0 to 1 (or write %)"
        return Threshold(op, value, None, raw), None
    if unit is None or written is None or written.lower() == unit.lower():
        # No conversion: the data is in the unit the threshold names (or a bare number).
        return Threshold(op, value, written or unit, raw), None
    have, want = UNITS.get(written.lower()), UNITS.get(unit.lower())
    if have is None or want is None:
        return None, f"cannot convert Threshold unit {written!r} to Unit {unit!r}"
    if have[0] != want[0]:
        return None, (
            f"Threshold unit {written!r} ({have[0]}) does not fit Unit {unit!r} ({want[0]})"
        )
    return Threshold(op, value * have[1] / want[1], written, raw), None


def _blocking(text: str, problems: list[str]) -> bool:
    value = text.strip().lower().strip("*")
    if value == "" or value in _YES:
        return True  # a gate blocks unless it says otherwise
    if value in _NO:
        return False
    problems.append(f"Blocking must be yes or no, not {text!r}")
    return True


def _min_samples(text: str, problems: list[str]) -> int | None:
    value = text.strip()
    if not value or value in ("-", "—"):
        return None
    if value.isdigit():
        return int(value)
    problems.append(f"Min samples must be a whole number, not {text!r}")
    return None


def _float(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None
