"""The autonomy policy: the YAML frontmatter of docs/agents/AUTONOMY.md.

Every key is validated and every failure names the file and the line, found
from the YAML node marks, so a typo in a nested rule points at that rule.
The readers are tables of key -> function, so a new key is one function and
one entry.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from charter.errors import CharterError, utf8_error_at
from charter.guard.paths import unprotect_problem
from charter.guard.policy_levels import (
    BUDGET_KEYS,
    LEVEL_KEYS,
    REQUIREMENT_KEYS,
    KeyPath,
    globs,
    patterns,
    string_list,
)
from charter.guard.policy_model import Level, Policy
from charter.parse.frontmatter import split_frontmatter

POLICY_VERSION = 1
DEFAULT_LEVEL = "L1"

_LEVEL_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_-]*\Z")


def load_policy(path: Path, display: str | None = None) -> Policy:
    """Read and validate the policy file; CharterError names file and line on any problem."""
    name = display or str(path)
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError as exc:
        raise CharterError(
            "no autonomy policy here: create it (see docs/guard.md) or set `policy` in "
            "[tool.charter]",
            name,
        ) from exc
    except UnicodeDecodeError as exc:
        line, _column, what = utf8_error_at(exc.object, exc)
        raise CharterError(what, name, line) from exc
    except OSError as exc:
        raise CharterError(f"cannot read the policy: {exc.strerror}", name) from exc
    return parse_policy(text, name)


def parse_policy(text: str, path: str) -> Policy:
    lines = text.removeprefix("\ufeff").splitlines()
    front = split_frontmatter(lines, path)
    if front.problems:
        problem = front.problems[0]
        raise CharterError(problem.message, path, problem.line)
    if not front.present:
        raise CharterError(
            "the policy must start with YAML frontmatter (a --- line, the policy, a --- line)",
            path,
            1,
        )
    block = "\n".join(lines[1 : front.body_start_line - 2])
    return _Reader(path, block).policy(front.data)


class _Reader:
    def __init__(self, path: str, block: str):
        self.path = path
        self.root = _compose(block)
        self._check_duplicates(self.root)

    def line(self, keys: KeyPath) -> int | None:
        node = self.root
        line = None
        for key in keys:
            if node is None:
                break
            if node.id == "mapping":
                for key_node, value_node in node.value:
                    if key_node.id == "scalar" and key_node.value == str(key):
                        line = key_node.start_mark.line
                        node = value_node
                        break
                else:
                    break
            elif node.id == "sequence" and isinstance(key, int) and key < len(node.value):
                node = node.value[key]
                line = node.start_mark.line
            else:
                break
        return None if line is None else line + 2  # +1 for 1-based, +1 for the opening ---

    def fail(self, message: str, *keys: str | int) -> CharterError:
        return CharterError(message, self.path, self.line(keys) or 1)

    def _check_duplicates(self, node: Any) -> None:
        # PyYAML keeps the last of two equal keys silently: a reviewer reads one rule
        # set while the guard enforces another
        stack = [node] if node is not None else []
        while stack:
            current = stack.pop()
            if current.id == "mapping":
                seen: set[str] = set()
                for key_node, value_node in current.value:
                    if key_node.id == "scalar":
                        if key_node.value in seen:
                            raise CharterError(
                                f"duplicate key {key_node.value!r}",
                                self.path,
                                key_node.start_mark.line + 2,
                            )
                        seen.add(key_node.value)
                    stack.append(value_node)
            elif current.id == "sequence":
                stack.extend(current.value)

    def policy(self, data: dict[str, Any]) -> Policy:
        for key in data:
            if key not in _TOP_KEYS:
                known = ", ".join(_TOP_KEYS)
                raise self.fail(f"unknown key {key!r} (known keys: {known})", key)
        if "charter_policy" not in data:
            raise self.fail(f"missing `charter_policy: {POLICY_VERSION}` (the format version)")
        values: dict[str, Any] = {}
        for key, reader in _TOP_KEYS.items():
            if key in data:
                values[key] = reader(self, data[key])
        levels: tuple[Level, ...] = values.get("levels", ())
        if not levels:
            raise self.fail("the policy needs `levels:`, with at least one level")
        names = [level.name for level in levels]
        default = values.get("default_level", DEFAULT_LEVEL)
        if default not in names:
            where = ("default_level",) if "default_level" in data else ()
            raise self.fail(f"default level {default!r} is not one of the levels {names}", *where)
        for level in levels:
            if level.inherits is not None and level.inherits not in names:
                raise self.fail(
                    f"level {level.name} inherits {level.inherits!r}, which is not a level",
                    "levels",
                    level.name,
                    "inherits",
                )
        self._check_cycles(levels)
        return Policy(
            path=self.path,
            default_level=default,
            levels=levels,
            deny=values.get("deny", ()),
            forbidden_paths=values.get("forbidden_paths", ()),
            protected_paths=values.get("protected_paths", ()),
            version=values["charter_policy"],
            manifest=values.get("manifest", "on-request"),
            require_clean_tree=values.get("require_clean_tree", False),
            notify=values.get("notify"),
            needs_decision_record=values.get("needs_decision_record", ()),
            max_file_size_kb=values.get("max_file_size_kb"),
            test_commands=values.get("test_commands", ()),
            unprotected_paths=values.get("unprotected_paths", ()),
            read_outside=values.get("read_outside", ()),
            allow_outright=values.get("allow_outright", False),
            sandbox=values.get("sandbox", "auto"),
        )

    def _check_cycles(self, levels: tuple[Level, ...]) -> None:
        parents = {level.name: level.inherits for level in levels}
        for level in levels:
            seen = [level.name]
            current = level.inherits
            while current is not None:
                if current in seen:
                    cycle = " -> ".join([*seen, current])
                    raise self.fail(f"inheritance cycle: {cycle}", "levels", level.name, "inherits")
                seen.append(current)
                current = parents[current]


def _compose(block: str) -> Any:
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.compose(block, Loader=loader)


# -- top-level keys ---------------------------------------------------------


def _version(reader: _Reader, value: Any) -> int:
    if isinstance(value, bool) or value != POLICY_VERSION:
        raise reader.fail(
            f"charter_policy must be {POLICY_VERSION} (this charter reads policy format "
            f"{POLICY_VERSION})",
            "charter_policy",
        )
    return POLICY_VERSION


def _default_level(reader: _Reader, value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise reader.fail("default_level must be a level name", "default_level")
    return value


def _levels(reader: _Reader, value: Any) -> tuple[Level, ...]:
    if not isinstance(value, dict) or not value:
        raise reader.fail("levels must be a mapping of level name -> settings", "levels")
    levels = []
    for name, settings in value.items():
        if not isinstance(name, str) or not _LEVEL_NAME.match(name):
            raise reader.fail(
                f"level name {name!r} must start with a letter and hold only letters, digits, "
                "_ or -",
                "levels",
                str(name),
            )
        if not isinstance(settings, dict):
            raise reader.fail(
                f"level {name} must be a mapping (title, description, allow, ...)",
                "levels",
                name,
            )
        levels.append(_level(reader, name, settings))
    return tuple(levels)


def _level(reader: _Reader, name: str, settings: dict[str, Any]) -> Level:
    fields: dict[str, Any] = {}
    for key, value in settings.items():
        field_reader = LEVEL_KEYS.get(key)
        if field_reader is None:
            known = ", ".join(LEVEL_KEYS)
            raise reader.fail(
                f"unknown key {key!r} in level {name} (known keys: {known})",
                "levels",
                name,
                str(key),
            )
        fields[key] = field_reader(reader, ("levels", name, key), value)
    if "network" in fields:
        fields["network"], fields["hosts"] = fields["network"]
    return Level(
        name=name,
        title=fields.get("title", name),
        line=reader.line(("levels", name)) or 1,
        **{key: value for key, value in fields.items() if key != "title"},
    )


def _deny(reader: _Reader, value: Any) -> tuple[str, ...]:
    return patterns(reader, ("deny",), value, allow=False)


def _forbidden(reader: _Reader, value: Any) -> tuple[str, ...]:
    return globs(reader, ("forbidden_paths",), value)


def _protected(reader: _Reader, value: Any) -> tuple[str, ...]:
    return globs(reader, ("protected_paths",), value)


def _manifest(reader: _Reader, value: Any) -> str:
    if value not in ("always", "on-request"):
        raise reader.fail(
            "manifest must be `always` (`charter run` writes a run manifest for every command) "
            "or `on-request` (only with `charter run --manifest`)",
            "manifest",
        )
    return str(value)


def _clean_tree(reader: _Reader, value: Any) -> bool:
    if not isinstance(value, bool):
        raise reader.fail("require_clean_tree must be true or false", "require_clean_tree")
    return value


def _notify(reader: _Reader, value: Any) -> str | tuple[str, ...]:
    # A string runs with `sh -c`; a list is an argv, run without a shell.
    if isinstance(value, str) and value.strip() and "\x00" not in value:
        return value.strip()
    if (
        isinstance(value, list)
        and value
        and all(isinstance(item, str) and item and "\x00" not in item for item in value)
    ):
        return tuple(value)
    raise reader.fail(
        'notify must be a command: a string run with `sh -c` ("notify-send charter") or an '
        'argv list (["tools/notify.py", "--channel", "ops"]); it gets the escalation as JSON '
        "on stdin",
        "notify",
    )


def _decision_record(reader: _Reader, value: Any) -> tuple[str, ...]:
    return globs(reader, ("needs_decision_record",), value)


def _max_file_size(reader: _Reader, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise reader.fail(
            "max_file_size_kb must be a whole number of kilobytes, at least 1", "max_file_size_kb"
        )
    return value


def _test_commands(reader: _Reader, value: Any) -> tuple[str, ...]:
    return patterns(reader, ("test_commands",), value, allow=False)


def _unprotected(reader: _Reader, value: Any) -> tuple[str, ...]:
    found = globs(reader, ("unprotected_paths",), value)
    for index, pattern in enumerate(found):
        problem = unprotect_problem(pattern)
        if problem is not None:
            message = f"unprotected_paths: {pattern!r}: {problem}"
            raise reader.fail(message, "unprotected_paths", index)
    return found


def _read_outside(reader: _Reader, value: Any) -> tuple[str, ...]:
    # Absolute or home-relative globs: paths outside the repository agents may read.
    patterns = []
    for index, item in enumerate(string_list(reader, ("read_outside",), value)):
        text = item.strip()
        segments = text.split("/")
        if (
            not text.startswith(("/", "~/"))
            or any(char in text for char in "\x00\n\r")
            or ".." in segments
            or text.rstrip("/*") in ("", "~")
        ):
            raise reader.fail(
                f"bad path pattern {item!r}: read_outside takes absolute or home-relative "
                "globs below a named directory, such as '/usr/share/doc/**' or '~/.cache/pip/**'",
                "read_outside",
                index,
            )
        patterns.append(text)
    return tuple(patterns)


def _allow_outright(reader: _Reader, value: Any) -> bool:
    if not isinstance(value, bool):
        raise reader.fail(
            "allow_outright must be true (the Claude Code hook answers `allow`, which skips "
            "Claude Code's own permission prompt) or false (the default: no answer on allow)",
            "allow_outright",
        )
    return value


def _sandbox(reader: _Reader, value: Any) -> str:
    if value is False:  # YAML reads a bare `off` as false
        return "off"
    if value not in SANDBOX_MODES:
        raise reader.fail(
            "sandbox must be `auto` (`charter run` uses the OS sandbox where the system offers "
            "one), `required` (it refuses to run without one) or `off` (the guard alone)",
            "sandbox",
        )
    return str(value)


SANDBOX_MODES = ("auto", "required", "off")

_TOP_KEYS: dict[str, Callable[[_Reader, Any], Any]] = {
    "charter_policy": _version,
    "default_level": _default_level,
    "levels": _levels,
    "deny": _deny,
    "forbidden_paths": _forbidden,
    "protected_paths": _protected,
    "manifest": _manifest,
    "require_clean_tree": _clean_tree,
    "notify": _notify,
    "needs_decision_record": _decision_record,
    "max_file_size_kb": _max_file_size,
    "test_commands": _test_commands,
    "unprotected_paths": _unprotected,
    "read_outside": _read_outside,
    "allow_outright": _allow_outright,
    "sandbox": _sandbox,
}


# the readers of the level keys, by their old names (tests and docs read them)
_LEVEL_KEYS = LEVEL_KEYS
__all__ = ["BUDGET_KEYS", "REQUIREMENT_KEYS", "load_policy", "parse_policy"]


def at_most(policy: Policy, level: str, ceiling: str) -> bool:
    """Levels are cumulative: `level` is at most `ceiling` when `ceiling` is or inherits it."""
    return any(lvl.name == level for lvl in policy.chain(ceiling))


def documented_level(text: str | None, names: list[str]) -> str | None:
    """The level a `Level:` field or `level:` key names ("L2", "L2 – Experiment")."""
    if not text:
        return None
    for match in re.finditer(r"[A-Za-z][A-Za-z0-9_-]*", text):
        if match.group(0) in names:
            return match.group(0)
    return None
