"""Configuration: `[tool.charter]` in pyproject.toml, or a charter.toml.

Every key is validated; an unknown key or a value of the wrong type raises
CharterError naming the file, the key and (where it can be found) the line.
"""

from __future__ import annotations

import fnmatch
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from charter.errors import CharterError
from charter.io import find_root
from charter.presets import DEFAULT_STATUS_MAP, PRESETS, merge_preset

DEFAULT_COLUMNS = ("Backlog", "In Progress", "Review", "Blocked", "Done", "Dropped")

# ST-B-001, TASK-12, T-3a, FEATURE-022-D (a lettered part of a numbered item).
DEFAULT_ID_PATTERN = r"[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*-\d+[a-z]?(?:-[A-Z])?"


@dataclass(frozen=True)
class Config:
    root: Path
    source: Path | None = None
    plans: tuple[str, ...] = ("docs/plans/**/*.md",)
    exclude: tuple[str, ...] = ()
    board: str = "docs/taskboard/TaskBoard.md"
    board_csv: str = "docs/taskboard/TaskBoard.csv"
    sessions: str = "docs/agents/sessions"
    policy: str = "docs/agents/AUTONOMY.md"
    gates: str = "docs/telemetry/GATES.md"
    handoff: str = "docs/SESSION_HANDOFF.md"
    templates: str = "templates"
    runs: str = ".runs"
    id_pattern: str = DEFAULT_ID_PATTERN
    columns: tuple[str, ...] = DEFAULT_COLUMNS
    status_map: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: DEFAULT_STATUS_MAP)
    open_column: str = "Backlog"
    active_column: str = "In Progress"
    blocked_column: str = "Blocked"
    done_column: str = "Done"
    closed_columns: tuple[str, ...] = ("Done", "Dropped")
    require_frontmatter: bool = True
    anonymous_tasks: bool = False  # top-level checklist items without an ID are tasks too
    table_tasks: bool = True  # table rows with an ID column are tasks (off: checklists only)
    mirrors: tuple[str, ...] = ()  # checklist copies compared with the plans (CH018), not plans
    handoff_plans: tuple[str, ...] = ()  # hand-written handoff docs read as plans (parse.handoff)
    repo_url: str = ""  # the repository's web URL: the board page links plans and evidence there
    preset: str | None = None  # the charter.presets entry applied before the user's keys
    plan_required_fields: tuple[str, ...] = ("id", "title")
    require_evidence: bool = True
    session_placeholder: str = r"\(fill in[^)]*\)"
    # Sections a session log must fill before `charter session end` accepts it.
    session_sections: tuple[str, ...] = (
        "Plan",
        "Changes",
        "Validation",
        "Outcome",
        "PATCH SUMMARY",
        "TEST RESULTS",
        "TASKBOARD UPDATE",
        "NEXT STEP",
    )
    # Commands every session needs (`make test`, `tools/run.sh`); plans add their own `requires`.
    session_requires: tuple[str, ...] = ()
    disable: tuple[str, ...] = ()
    severity: Mapping[str, str] = field(default_factory=dict)
    max_drop_rows: int = 5
    max_drop_share: float = 0.2
    gate_min_samples: int = 1  # fewer values than this: a gate has insufficient data
    claims: str = "auto"  # where task claims live: "local", "remote" or "auto" (charter.claims)
    claims_remote: str = "origin"
    claim_ttl: str = "2h"
    board_claims: bool = False  # the board shows who holds each claimed task, and until when

    @cached_property
    def id_re(self) -> re.Pattern[str]:
        return re.compile(self.id_pattern)

    @cached_property
    def placeholder_re(self) -> re.Pattern[str]:
        return re.compile(self.session_placeholder)

    @cached_property
    def _phrases(self) -> tuple[tuple[str, str], ...]:
        pairs = [
            (normalize_status(p, keep_symbols=True), col)
            for col, ps in self.status_map.items()
            for p in ps
        ]
        # Longest phrase first, so "in review" wins over "review" and "not started" over "started".
        return tuple(sorted(pairs, key=lambda pc: -len(pc[0])))

    @cached_property
    def _status_columns(self) -> dict[str, str | None]:
        return {}

    def column_for_status(self, status: str) -> str | None:
        """Map free text ("Done - 2025-12-22", "✅ DONE") to a column, or None."""
        # Thousands of tasks share a few dozen status texts; rules ask for each many times.
        memo = self._status_columns
        if status not in memo:
            memo[status] = self._match_status(status)
        return memo[status]

    def _match_status(self, status: str) -> str | None:
        with_symbols = normalize_status(status, keep_symbols=True)
        words = normalize_status(status)
        # A phrase with an emoji is the user's own mapping of that emoji: it goes first.
        for norm in (with_symbols, words) if with_symbols != words else (words,):
            if not norm:
                continue
            for phrase, column in self._phrases:
                if norm == phrase or (norm.startswith(phrase) and not norm[len(phrase)].isalnum()):
                    return column
        return None

    def path(self, relative: str) -> Path:
        return self.root / relative


_DATE_TAIL = re.compile(r"[\s\-–—:(,]*\d{4}-\d{2}-\d{2}.*$")
_NON_WORD = re.compile(r"[^\w\s']+")
# Punctuation, but not emoji or other symbols beyond ASCII (variation selectors dropped).
_ASCII_NON_WORD = re.compile(r"[!-&(-/:-@\[-\^`{-~]+|[\ufe0e\ufe0f\u200d]")
_SPACES = re.compile(r"[\s_\-]+")


def normalize_status(text: str, keep_symbols: bool = False) -> str:
    text = text.strip().strip("*_`~").lower()
    text = _DATE_TAIL.sub("", text)
    text = text.replace("’", "'")
    if keep_symbols:
        text = _ASCII_NON_WORD.sub(" ", text)
        # An emoji glued to a word ("✅done") is a word of its own.
        text = "".join(f" {ch} " if not ch.isascii() and not ch.isalnum() else ch for ch in text)
    else:
        text = _NON_WORD.sub(" ", text)
    return _SPACES.sub(" ", text).strip()


# key -> (type check, description) for error messages
_STR_KEYS = {
    "board",
    "board_csv",
    "sessions",
    "policy",
    "gates",
    "handoff",
    "templates",
    "runs",
    "id_pattern",
    "open_column",
    "active_column",
    "blocked_column",
    "done_column",
    "session_placeholder",
    "preset",
    "repo_url",
    "claims",
    "claims_remote",
    "claim_ttl",
}
_STR_TUPLE_KEYS = {
    "plans",
    "exclude",
    "columns",
    "closed_columns",
    "plan_required_fields",
    "session_sections",
    "session_requires",
    "disable",
    "mirrors",
    "handoff_plans",
}
_BOOL_KEYS = {
    "require_frontmatter",
    "require_evidence",
    "anonymous_tasks",
    "table_tasks",
    "board_claims",
}
_KNOWN_KEYS = (
    _STR_KEYS
    | _STR_TUPLE_KEYS
    | _BOOL_KEYS
    | {"status_map", "severity", "max_drop_rows", "max_drop_share", "rules", "gate_min_samples"}
)


def load_config(root: Path | None = None) -> Config:
    root = find_root(root or Path.cwd())
    for name in ("charter.toml", "pyproject.toml"):
        path = root / name
        if not path.is_file():
            continue
        try:
            data = tomllib.loads(path.read_text("utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise CharterError(f"invalid TOML: {exc}", path) from exc
        table = data if name == "charter.toml" else data.get("tool", {}).get("charter")
        if name == "charter.toml" and "tool" in data:
            table = data["tool"].get("charter", {})
        if table is None:
            continue
        return config_from_table(root, table, path)
    return Config(root=root)


def _line_of(path: Path, key: str) -> int | None:
    try:
        lines = path.read_text("utf-8").splitlines()
    except OSError:
        return None
    pattern = re.compile(rf"^\s*\"?{re.escape(key)}\"?\s*=|^\s*\[.*\b{re.escape(key)}\]")
    for number, line in enumerate(lines, 1):
        if pattern.search(line):
            return number
    return None


def config_from_table(root: Path, table: Mapping[str, Any], source: Path) -> Config:
    def fail(key: str, message: str) -> CharterError:
        return CharterError(f"[tool.charter] {key}: {message}", source, _line_of(source, key))

    table = _with_preset(table, fail)
    values: dict[str, Any] = {}
    for key, value in table.items():
        if key not in _KNOWN_KEYS:
            known = ", ".join(sorted(_KNOWN_KEYS))
            raise fail(key, f"unknown key (known keys: {known})")
        if key in _STR_KEYS:
            if not isinstance(value, str) or not value:
                raise fail(key, "must be a non-empty string")
            values[key] = value
        elif key in _STR_TUPLE_KEYS:
            if isinstance(value, str):
                value = [value]
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise fail(key, "must be a list of strings")
            values[key] = tuple(value)
        elif key in _BOOL_KEYS:
            if not isinstance(value, bool):
                raise fail(key, "must be true or false")
            values[key] = value
        elif key in ("max_drop_rows", "gate_min_samples"):
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise fail(key, "must be a whole number >= 0")
            values[key] = value
        elif key == "max_drop_share":
            if not isinstance(value, int | float) or isinstance(value, bool) or not 0 <= value <= 1:
                raise fail(key, "must be a number between 0 and 1")
            values[key] = float(value)
        elif key == "status_map":
            if not isinstance(value, dict):
                raise fail(key, "must be a table of column = [phrases]")
            merged: dict[str, tuple[str, ...]] = {}
            for column, phrases in value.items():
                if isinstance(phrases, str):
                    phrases = [phrases]
                if not isinstance(phrases, list) or not all(isinstance(p, str) for p in phrases):
                    raise fail(f"status_map.{column}", "must be a list of strings")
                merged[column] = tuple(phrases)
            values[key] = merged
        elif key in ("severity", "rules"):
            _read_rules_table(key, value, values, fail)
    user_map = values.get("status_map", {})
    columns = values.get("columns", DEFAULT_COLUMNS)
    for column in user_map:
        if column not in columns:
            raise fail(f"status_map.{column}", f"{column!r} is not one of columns {list(columns)}")
    # A column the user maps replaces the default phrases for that column only.
    base = {**DEFAULT_STATUS_MAP, **user_map}
    values["status_map"] = {c: p for c, p in base.items() if c in columns}
    config = Config(root=root, source=source, **values)
    _validate(config, fail)
    return config


def _with_preset(table: Mapping[str, Any], fail: Any) -> Mapping[str, Any]:
    """The preset's keys under the user's own (charter.presets)."""
    name = table.get("preset")
    if name is None:
        return table
    if not isinstance(name, str) or name not in PRESETS:
        known = ", ".join(sorted(PRESETS))
        raise fail("preset", f"unknown preset {name!r} (known presets: {known})")
    return merge_preset(PRESETS[name], table)


def _read_rules_table(key: str, value: Any, values: dict[str, Any], fail: Any) -> None:
    if not isinstance(value, dict):
        raise fail(key, "must be a table")
    if key == "rules":
        unknown = set(value) - {"disable", "severity"}
        if unknown:
            raise fail(f"rules.{sorted(unknown)[0]}", "unknown key (known: disable, severity)")
        if "disable" in value:
            disable = value["disable"]
            if not isinstance(disable, list) or not all(isinstance(v, str) for v in disable):
                raise fail("rules.disable", "must be a list of rule codes or names")
            values["disable"] = tuple(disable)
        value = value.get("severity", {})
        if not isinstance(value, dict):
            raise fail("rules.severity", 'must be a table of rule = "error" | "warning"')
    for rule, level in value.items():
        if level not in ("error", "warning", "off"):
            raise fail(f"severity.{rule}", 'must be "error", "warning" or "off"')
    values["severity"] = dict(value)


def _validate(config: Config, fail: Any) -> None:
    try:
        pattern = re.compile(config.id_pattern)
    except re.error as exc:
        raise fail("id_pattern", f"invalid regular expression: {exc}") from exc
    if pattern.match(""):
        raise fail("id_pattern", "must not match the empty string")
    try:
        re.compile(config.session_placeholder)
    except re.error as exc:
        raise fail("session_placeholder", f"invalid regular expression: {exc}") from exc
    for key in ("open_column", "active_column", "blocked_column", "done_column"):
        if getattr(config, key) not in config.columns:
            raise fail(
                key, f"{getattr(config, key)!r} is not one of columns {list(config.columns)}"
            )
    for column in config.closed_columns:
        if column not in config.columns:
            raise fail("closed_columns", f"{column!r} is not one of columns")
    _check_locations(config, fail)
    if config.repo_url and not _REPO_URL.fullmatch(config.repo_url):
        raise fail(
            "repo_url",
            f"{config.repo_url!r}: must be an https:// or http:// web address without spaces,"
            " quotes or angle brackets, and no placeholder other than {path} "
            "(e.g. https://github.com/acme/widgets)",
        )
    if config.claims not in ("local", "remote", "auto"):
        raise fail("claims", 'must be "local", "remote" or "auto"')
    if not re.fullmatch(r"\s*(\d+\s*[smhdSMHD]\s*)+", config.claim_ttl):
        raise fail("claim_ttl", "must be a duration such as 90s, 30m, 2h, 1d or 1h30m")
    if any(fnmatch.fnmatch(config.handoff, glob) for glob in config.handoff_plans):
        raise fail(
            "handoff",
            f"{config.handoff!r} is read as a plan (handoff_plans): charter "
            "handoff would overwrite it; point handoff at another file",
        )


# A web address the board page may link to: http(s) only (never javascript: or data:), no
# character that could leave an HTML attribute, `{path}` the one placeholder.
_REPO_URL = re.compile(r"https?://[A-Za-z0-9.\-]+(?::\d+)?(?:/(?:[^\s\"'<>`{}\\]|\{path\})*)?")


# Files and folders charter writes, and the ones it reads its rules from: all must stay in
# the repository, and what it writes must not be a protected file (charter.guard.protected),
# so a nested pyproject.toml cannot point `charter board --repo sub` at an agent's settings.
_WRITTEN = ("board", "board_csv", "handoff", "sessions", "runs")
_READ = ("policy", "gates", "templates")


def _check_locations(config: Config, fail: Any) -> None:
    from charter.guard.paths import (
        output_problem,  # lazy: reads only what a check of locations needs
    )

    for key in (*_WRITTEN, *_READ):
        value = getattr(config, key)
        problem = output_problem(
            str(config.root),
            value,
            config.policy,
            writes=key in _WRITTEN,
            resolve=key != "runs",  # evidence under a link that leads out is rule CH005's finding
        )
        if problem is not None:
            raise fail(key, f"{value!r}: {problem}")
