"""Running the rules: selection, severity overrides, path filtering, ordering."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path

from charter.checks.registry import RULES, Rule
from charter.config import Config
from charter.errors import CharterError
from charter.model import Diagnostic
from charter.repo import RepoModel, collector_paused, relpath


def enabled_rules(config: Config) -> list[Rule]:
    by_name = {rule.name: rule.code for rule in RULES.values()}
    disabled: set[str] = set()
    for entry in config.disable:
        code = entry if entry in RULES else by_name.get(entry)
        if code is None:
            raise CharterError(f"[tool.charter] disable: unknown rule {entry!r}", config.source)
        disabled.add(code)
    for entry, level in config.severity.items():
        code = entry if entry in RULES else by_name.get(entry)
        if code is None:
            raise CharterError(f"[tool.charter] severity: unknown rule {entry!r}", config.source)
        if level == "off":
            disabled.add(code)
    return [rule for code, rule in RULES.items() if code not in disabled]


def run_checks(repo: RepoModel, paths: Sequence[Path] = ()) -> list[Diagnostic]:
    config = repo.config
    by_name = {rule.name: rule.code for rule in RULES.values()}
    overrides = {
        (k if k in RULES else by_name[k]): v for k, v in config.severity.items() if v != "off"
    }
    found: set[Diagnostic] = set()
    with collector_paused():
        for rule in enabled_rules(config):
            for diagnostic in rule.check(repo):
                severity = overrides.get(rule.code)
                if severity is None and rule.severity == "warning":
                    severity = "warning"
                if severity is not None and severity != diagnostic.severity:
                    diagnostic = replace(diagnostic, severity=severity)  # type: ignore[arg-type]
                found.add(diagnostic)
    result = sorted(found)
    if paths:
        wanted = [relpath(repo.root, p) for p in paths]
        result = [d for d in result if _selected(d.path, wanted)]
    return result


def _selected(path: str, wanted: Iterable[str]) -> bool:
    return any(path == w or path.startswith(w.rstrip("/") + "/") or w in (".", "") for w in wanted)
