"""The JSON Schemas charter ships, and the small validator that reads them at run time.

jsonschema is a test dependency only: `charter check` must not import it on
every commit. The validator here understands exactly the keywords the
shipped schemas use (tests/evidence/test_schema.py holds it to that, and
compares its verdicts with jsonschema's); an unknown keyword is an error, not
a silent pass.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import Any

_HERE = Path(__file__).parent
ANNOTATIONS = frozenset({"$schema", "$id", "$defs", "title", "description", "$comment"})
ASSERTIONS = frozenset(
    {
        "type",
        "required",
        "properties",
        "additionalProperties",
        "items",
        "enum",
        "const",
        "pattern",
        "minimum",
        "minLength",
        "$ref",
    }
)
_TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,),
    "array": (list,),
    "string": (str,),
    "boolean": (bool,),
    "null": (type(None),),
    "number": (int, float),
    "integer": (int,),
}


@cache
def load_schema(name: str) -> Mapping[str, Any]:
    """A shipped schema by file name, e.g. "run-manifest.v1.json"."""
    data: Mapping[str, Any] = json.loads((_HERE / name).read_text(encoding="utf-8"))
    return data


def validate(data: Any, schema: Mapping[str, Any]) -> list[str]:
    """Every way `data` breaks `schema`, as `where: what` strings (empty when it conforms)."""
    return list(_check(data, schema, schema, "$"))


def _check(
    value: Any, node: Mapping[str, Any], root: Mapping[str, Any], where: str
) -> Iterator[str]:
    unknown = set(node) - ANNOTATIONS - ASSERTIONS
    if unknown:
        raise ValueError(f"schema keyword(s) this validator does not implement: {sorted(unknown)}")
    if "$ref" in node:
        yield from _check(value, _resolve(root, node["$ref"]), root, where)
        return
    if "type" in node:
        names = [node["type"]] if isinstance(node["type"], str) else list(node["type"])
        if not any(_is(value, name) for name in names):
            yield f"{where}: expected {' or '.join(names)}, got {_name(value)}"
            return
    if "const" in node and not _equal(value, node["const"]):
        yield f"{where}: must be {json.dumps(node['const'])}"
    if "enum" in node and not any(_equal(value, option) for option in node["enum"]):
        yield f"{where}: must be one of {', '.join(json.dumps(o) for o in node['enum'])}"
    if isinstance(value, str):
        if "pattern" in node and re.search(node["pattern"], value) is None:
            yield f"{where}: {value!r} does not match {node['pattern']}"
        if "minLength" in node and len(value) < node["minLength"]:
            yield f"{where}: shorter than {node['minLength']} character(s)"
    if _is(value, "number") and "minimum" in node and value < node["minimum"]:
        yield f"{where}: less than {node['minimum']}"
    if isinstance(value, list) and "items" in node:
        for index, item in enumerate(value):
            yield from _check(item, node["items"], root, f"{where}[{index}]")
    if isinstance(value, dict):
        for key in node.get("required", ()):
            if key not in value:
                yield f"{where}: missing {key!r}"
        properties = node.get("properties", {})
        for key, item in value.items():
            if key in properties:
                yield from _check(item, properties[key], root, f"{where}.{key}")
            elif node.get("additionalProperties", True) is False:
                yield f"{where}: unexpected key {key!r}"


def _is(value: Any, name: str) -> bool:
    if isinstance(value, bool) and name not in ("boolean",):
        return False  # JSON's true is not the number 1
    if name == "integer" and isinstance(value, float):
        return value.is_integer()
    return isinstance(value, _TYPES[name])


def _equal(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b  # JSON's true is not 1, though Python says so
    return bool(a == b)


def _name(value: Any) -> str:
    for name in ("null", "boolean", "integer", "number", "string", "array", "object"):
        if _is(value, name):
            return name
    return type(value).__name__


def _resolve(root: Mapping[str, Any], ref: str) -> Mapping[str, Any]:
    if not ref.startswith("#/"):
        raise ValueError(f"only local references are supported, not {ref!r}")
    node: Any = root
    for part in ref[2:].split("/"):
        node = node[part]
    return node  # type: ignore[no-any-return]
