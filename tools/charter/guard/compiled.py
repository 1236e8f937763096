"""The compiled policy the guard decides with: plain data, read from the JSON cache.

Kept free of dataclasses and YAML so that a cache hit costs a `json.loads`.
The data comes from `charter.guard.policy_model.compile_policy`; anything that
does not have that shape raises ValueError and the cache is rebuilt.
"""

from __future__ import annotations

from charter.guard.rules import allow_matches

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any


class CompiledPolicy:
    __slots__ = (
        "allow_outright",
        "budgets",
        "default_level",
        "deny",
        "forbidden",
        "levels",
        "manifest",
        "max_file_size_kb",
        "needs_decision_record",
        "order",
        "path",
        "protected",
        "read_outside",
        "sandbox",
        "test_commands",
        "unprotected",
    )

    def __init__(self, data: Any):
        try:
            self.path: str = _text(data["path"])
            self.default_level: str = _text(data["default_level"])
            self.order: list[str] = [_text(name) for name in data["order"]]
            self.levels: dict[str, Any] = {}
            for name in self.order:
                level = data["levels"][name]
                inherits = level["inherits"]
                self.levels[name] = {
                    "title": _text(level["title"]),
                    "inherits": None if inherits is None else _text(inherits),
                    "allow": [_tokens(rule) for rule in level["allow"]],
                    "powershell": [_tokens(rule) for rule in level["powershell"]],
                    "env": {_text(k): _text(v) for k, v in level["env"].items()},
                    "write_files": _flag(level["write_files"]),
                    "network": _optional_flag(level.get("network")),
                    "hosts": [_text(h) for h in level.get("hosts", [])],
                }
            self.deny: list[list[str]] = [_tokens(rule) for rule in data["deny"]]
            self.forbidden: list[str] = [_text(p) for p in data["forbidden"]]
            self.protected: list[str] = [_text(p) for p in data["protected"]]
            self.unprotected: list[str] = [_text(p) for p in data["unprotected"]]
            self.read_outside: list[str] = [_text(p) for p in data["read_outside"]]
            self.allow_outright: bool = _flag(data["allow_outright"])
            self.manifest: str = _text(data.get("manifest", "on-request"))
            self.budgets: dict[str, dict[str, int]] = {
                _text(name): {_text(key): _count(value) for key, value in limits.items()}
                for name, limits in data.get("budgets", {}).items()
            }
            self.test_commands: list[list[str]] = [
                _tokens(rule) for rule in data.get("test_commands", [])
            ]
            self.needs_decision_record: list[str] = [
                _text(p) for p in data.get("needs_decision_record", [])
            ]
            size = data.get("max_file_size_kb")
            self.max_file_size_kb: int | None = None if size is None else _count(size)
            self.sandbox: str = _text(data.get("sandbox", "auto"))
        except (KeyError, TypeError, AttributeError) as exc:
            raise ValueError(f"not a compiled policy: {exc!r}") from exc
        if self.default_level not in self.levels:
            raise ValueError("default level missing")
        for name in self.order:
            self.chain(name)

    def budget(self, level: str) -> dict[str, int]:
        """The effective budget of `level` (empty: no limits)."""
        return self.budgets.get(level, {})

    def writes_files(self, level: str) -> bool:
        """Whether the agents' file tools may write at `level` (its `write_files`)."""
        return bool(self.levels[level]["write_files"])

    def chain(self, name: str) -> list[str]:
        """`name` and the levels it inherits, base first."""
        chain: list[str] = []
        current: str | None = name
        while current is not None:
            if current in chain or current not in self.levels:
                raise ValueError(f"broken inheritance at {current!r}")
            chain.append(current)
            current = self.levels[current]["inherits"]
        chain.reverse()
        return chain

    def network(self, level: str) -> tuple[bool, list[str], dict[str, str]]:
        """Whether `level` lets commands reach the network, its hosts, and the environment
        variables the levels granting it require (the opt-in, as for their allow rules)."""
        allowed = False
        hosts: list[str] = []
        env: dict[str, str] = {}
        for name in self.chain(level):
            settings = self.levels[name]
            if settings["network"] is not None:
                allowed = settings["network"]
                if allowed:
                    env.update(settings["env"])
            if settings["hosts"]:
                hosts = settings["hosts"]
        return allowed, hosts if allowed else [], env if allowed else {}

    def matching_rules(self, level: str, argv: Sequence[str]) -> list[tuple[str, list[str]]]:
        """(defining level, tokens) of every allow rule of `level` and below matching argv."""
        return [
            (name, tokens)
            for name in self.chain(level)
            for tokens in self.levels[name]["allow"]
            if allow_matches(tokens, argv)
        ]

    def matching_powershell(self, level: str, folded: Sequence[str]) -> list[tuple[str, list[str]]]:
        """(defining level, tokens) of every `powershell` rule of `level` and below matching
        a case-folded PowerShell call (PowerShell compares names and parameters that way)."""
        return [
            (name, tokens)
            for name in self.chain(level)
            for tokens in self.levels[name]["powershell"]
            if allow_matches([token.lower() for token in tokens], folded)
        ]

    def lowest_level_allowing(self, argv: Sequence[str]) -> str | None:
        for name in self.order:
            if any(allow_matches(tokens, argv) for tokens in self.levels[name]["allow"]):
                return name
        return None


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected text, got {type(value).__name__}")
    return value


def _flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise TypeError("expected true or false")
    return value


def _optional_flag(value: Any) -> bool | None:
    if value is not None and not isinstance(value, bool):
        raise TypeError("expected true, false or null")
    return value


def _count(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise TypeError("expected a positive whole number")
    return value


def _tokens(value: Any) -> list[str]:
    if not isinstance(value, list) or not value:
        raise TypeError("expected a non-empty list of tokens")
    return [_text(token) for token in value]
