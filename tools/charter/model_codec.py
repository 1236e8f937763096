"""Parsed models as plain JSON data and back, for the parse cache.

A cached model must come back exactly as the parser made it, or the board and
the findings would depend on whether a cache was there. So encoding refuses
what it cannot give back exactly (`Unencodable`: that model is simply not
cached), and decoding checks every type and count (`Malformed`: that entry is
a miss). Rows are positional lists, the cheapest shape for `json` both ways.

Frontmatter holds whatever YAML's safe loader makes. JSON keeps strings,
integers, floats, booleans, null, lists and string-keyed objects as they are;
dates, datetimes and maps with other keys (or with `TAG` itself as a key) are
tagged objects holding the key `TAG`. Anything else (binary, sets) is
`Unencodable`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from charter.model import Diagnostic, Evidence, Field, Plan, Section, SessionLog, Task

TAG = "\0charter"
_SEVERITIES = ("error", "warning")
_KINDS = ("checklist", "table")


class Unencodable(ValueError):
    """A model holding a value the cache cannot give back exactly."""


class Malformed(ValueError):
    """Cached data that is not what `encode` writes."""


# ---- encoding -------------------------------------------------------------------


def encode(model: Plan | SessionLog) -> list[Any]:
    if type(model) is Plan:
        return [
            "plan",
            model.path,
            _value(dict(model.frontmatter)),
            dict(model.frontmatter_lines),
            model.has_frontmatter,
            model.title,
            [_task(t) for t in model.tasks],
            [_diagnostic(d) for d in model.problems],
        ]
    if type(model) is SessionLog:
        return [
            "session",
            model.path,
            _value(dict(model.frontmatter)),
            dict(model.frontmatter_lines),
            model.has_frontmatter,
            [[s.title, s.level, s.line, s.body] for s in model.sections],
            [_diagnostic(d) for d in model.problems],
            model.text,
            model.body_line,
        ]
    raise Unencodable(f"not a model: {type(model).__name__}")


def _task(t: Task) -> list[Any]:
    return [
        t.id,
        t.title,
        t.path,
        t.line,
        t.col,
        t.kind,
        t.checked,
        [[f.name, f.value, f.line, f.start, f.end] for f in t.fields],
        [[e.path, e.line, e.sha256] for e in t.evidence],
        list(t.depends),
        t.parent,
        [_task(s) for s in t.subtasks],
        t.checkbox_col,
    ]


def _diagnostic(d: Diagnostic) -> list[Any]:
    return [d.path, d.line, d.col, d.code, d.message, d.severity]


def _value(value: Any) -> Any:
    kind = type(value)
    if kind in (str, int, float, bool) or value is None:
        return value
    if kind is list:
        return [_value(v) for v in value]
    if kind is dict:
        if all(type(k) is str for k in value) and TAG not in value:
            return {k: _value(v) for k, v in value.items()}
        return {TAG: "map", "items": [[_value(k), _value(v)] for k, v in value.items()]}
    if kind is datetime and not value.fold:  # isoformat drops `fold` (YAML never sets it)
        return {TAG: "datetime", "iso": value.isoformat()}
    if kind is date:
        return {TAG: "date", "iso": value.isoformat()}
    raise Unencodable(f"a {kind.__name__} in frontmatter")


# ---- decoding -------------------------------------------------------------------


def decode(data: Any) -> Plan | SessionLog:
    """The model `encode` made `data` from; Malformed when `data` is anything else."""
    try:
        return _decode(data)
    except Malformed:
        raise
    except (TypeError, ValueError, KeyError, IndexError, AttributeError, RecursionError) as exc:
        raise Malformed(str(exc)) from exc


def _decode(data: Any) -> Plan | SessionLog:
    if type(data) is not list or not data:
        raise Malformed("not a model row")
    if data[0] == "plan":
        _, path, fm, lines, has_fm, title, tasks, problems = data
        _need(type(path) is str and type(has_fm) is bool and _opt_str(title))
        return Plan(
            path,
            _frontmatter(fm),
            _key_lines(lines),
            has_fm,
            title,
            tuple(map(_decode_task, _list(tasks))),
            tuple(map(_decode_diagnostic, _list(problems))),
        )
    if data[0] == "session":
        _, path, fm, lines, has_fm, sections, problems, text, body_line = data
        _need(type(path) is str and type(has_fm) is bool and type(text) is str)
        _need(type(body_line) is int)
        return SessionLog(
            path,
            _frontmatter(fm),
            _key_lines(lines),
            has_fm,
            tuple(map(_decode_section, _list(sections))),
            tuple(map(_decode_diagnostic, _list(problems))),
            text,
            body_line,
        )
    raise Malformed("unknown model kind")


# The types each row must hold, compared in one step (`tuple(map(type, row))`), and the
# records built without their generated __init__ (as pickle builds them): at 50,000
# tasks and 180,000 fields, half the decoding time.
_new = object.__new__
_FIELD = (str, str, int, int, int)
_EVIDENCE = frozenset({(str, int, str), (str, int, type(None))})
_SECTION = (str, int, int, str)
_TASK_ID = frozenset({str, type(None)})
_CHECKED = frozenset({bool, type(None)})
_BOX = frozenset({int, type(None)})


def _decode_task(row: Any) -> Task:
    if type(row) is not list or len(row) != 13:
        raise Malformed("not a task row")
    tid, title, path, line, col, kind, checked, fields, evidence, depends, parent, subs, box = row
    _need(
        type(tid) in _TASK_ID
        and type(title) is str
        and type(path) is str
        and type(line) is int
        and type(col) is int
        and kind in _KINDS
        and type(checked) in _CHECKED
        and type(parent) in _TASK_ID
        and type(box) in _BOX
        and type(fields) is list
        and type(evidence) is list
        and type(depends) is list
        and type(subs) is list
        and all(type(d) is str for d in depends)
    )
    task = _new(Task)
    data = task.__dict__
    data["id"], data["title"], data["path"], data["line"], data["col"] = tid, title, path, line, col
    data["kind"], data["checked"], data["parent"], data["checkbox_col"] = kind, checked, parent, box
    data["fields"] = tuple(map(_decode_field, fields))
    data["evidence"] = tuple(map(_decode_evidence, evidence))
    data["depends"] = tuple(depends)
    data["subtasks"] = tuple(map(_decode_task, subs))
    return task


def _decode_field(row: Any) -> Field:
    if type(row) is not list or tuple(map(type, row)) != _FIELD:
        raise Malformed("not a field row")
    field = _new(Field)
    data = field.__dict__
    data["name"], data["value"], data["line"], data["start"], data["end"] = row
    return field


def _decode_evidence(row: Any) -> Evidence:
    if type(row) is not list or tuple(map(type, row)) not in _EVIDENCE:
        raise Malformed("not an evidence row")
    return Evidence(*row)


def _decode_section(row: Any) -> Section:
    if type(row) is not list or tuple(map(type, row)) != _SECTION:
        raise Malformed("not a section row")
    return Section(*row)


def _decode_diagnostic(row: Any) -> Diagnostic:
    path, line, col, code, message, severity = _list(row)
    _need(
        type(path) is str
        and type(line) is int
        and type(col) is int
        and type(code) is str
        and type(message) is str
        and severity in _SEVERITIES
    )
    return Diagnostic(path, line, col, code, message, severity)


def decode_diagnostic(row: Any) -> Diagnostic:
    """One diagnostic row; Malformed when it is not one."""
    try:
        return _decode_diagnostic(row)
    except (TypeError, ValueError) as exc:
        raise Malformed(str(exc)) from exc


def _frontmatter(data: Any) -> dict[str, Any]:
    _need(type(data) is dict)
    return {k: _unvalue(v) for k, v in data.items()}


def _key_lines(data: Any) -> dict[str, int]:
    _need(type(data) is dict and all(type(v) is int for v in data.values()))
    return dict(data)


def _unvalue(value: Any) -> Any:
    kind = type(value)
    if kind is list:
        return [_unvalue(v) for v in value]
    if kind is not dict:
        return value  # json.loads makes nothing but plain scalars otherwise
    if TAG not in value:
        return {k: _unvalue(v) for k, v in value.items()}
    tag = value[TAG]
    if tag == "map" and len(value) == 2:
        return {_hashable(_unvalue(k)): _unvalue(v) for k, v in _pairs(value["items"])}
    if tag == "datetime" and len(value) == 2 and type(value["iso"]) is str:
        return datetime.fromisoformat(value["iso"])
    if tag == "date" and len(value) == 2 and type(value["iso"]) is str:
        return date.fromisoformat(value["iso"])
    raise Malformed("unknown tag")


def _pairs(items: Any) -> list[tuple[Any, Any]]:
    pairs = []
    for item in _list(items):
        key, value = _list(item)
        pairs.append((key, value))
    return pairs


def _hashable(key: Any) -> Any:
    _need(not isinstance(key, (list, dict)))
    return key


def _list(value: Any) -> list[Any]:
    if type(value) is not list:
        raise Malformed("not a list")
    return value


def _opt_str(value: Any) -> bool:
    return value is None or type(value) is str


def _need(condition: bool) -> None:
    if not condition:
        raise Malformed("wrong type")
