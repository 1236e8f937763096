"""How findings are printed: `path:line:col: CODE message`, JSON, or GitHub annotations.

No click here: `charter check` prints findings without loading it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Protocol

    class Finding(Protocol):
        """A Diagnostic (charter.model), or a replayed one (checks.replay.Row)."""

        @property
        def path(self) -> str: ...
        @property
        def line(self) -> int: ...
        @property
        def col(self) -> int: ...
        @property
        def code(self) -> str: ...
        @property
        def message(self) -> str: ...
        @property
        def severity(self) -> str: ...


def format_diagnostics(diagnostics: Sequence[Finding], output_format: str, **counts: int) -> str:
    """The findings as text lines, GitHub annotations, or one JSON object: `counts` (what was
    read), the numbers of errors and warnings, and the findings."""
    if output_format == "json":
        errors = sum(1 for d in diagnostics if d.severity == "error")
        shape: dict[str, object] = {
            **counts,
            "errors": errors,
            "warnings": len(diagnostics) - errors,
            "findings": [_fields(d) for d in diagnostics],
        }
        return json.dumps(shape, indent=2, ensure_ascii=False)
    if output_format == "github":
        return "\n".join(_github(d) for d in diagnostics)
    return "\n".join(_text(d) for d in diagnostics)


def _fields(d: Finding) -> dict[str, object]:
    """A Diagnostic's `to_dict()`: its fields in their order."""
    keys = ("path", "line", "col", "code", "message", "severity")
    return dict(zip(keys, (d.path, d.line, d.col, d.code, d.message, d.severity), strict=True))


def _text(d: Finding) -> str:
    prefix = f"{d.path}:{d.line}:{d.col}: {d.code}"
    return f"{prefix} warning: {d.message}" if d.severity == "warning" else f"{prefix} {d.message}"


def _github(d: Finding) -> str:
    def escape(value: str, prop: bool = False) -> str:
        value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        return value.replace(":", "%3A").replace(",", "%2C") if prop else value

    kind = "warning" if d.severity == "warning" else "error"
    return (
        f"::{kind} file={escape(d.path, True)},line={d.line},col={d.col},"
        f"title={escape(d.code, True)}::{escape(d.message)}"
    )


def summary(diagnostics: Sequence[Finding]) -> str:
    errors = sum(1 for d in diagnostics if d.severity == "error")
    warnings = len(diagnostics) - errors
    files = len({d.path for d in diagnostics})
    return f"{errors} error(s), {warnings} warning(s) in {files} file(s)"
