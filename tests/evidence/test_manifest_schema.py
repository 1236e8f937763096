"""The run manifest schema: shipped in the package, and read the same by charter and jsonschema."""

from __future__ import annotations

import copy
import importlib.resources
import json
from collections.abc import Callable, Iterator
from typing import Any

import jsonschema
import pytest

from charter.evidence.manifest import SCHEMA, validate_manifest
from charter.schemas import ANNOTATIONS, ASSERTIONS, load_schema, validate
from tests.evidence.evidence_helpers import sample_manifest

SCHEMA_FILE = "run-manifest.v1.json"

VALID: dict[str, Any] = sample_manifest()


def _changed(edit: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    doc = copy.deepcopy(VALID)
    edit(doc)
    return doc


# (what, document, conforms)
DOCUMENTS: list[tuple[str, dict[str, Any], bool]] = [
    ("complete", VALID, True),
    (
        "denied: nothing ran",
        _changed(
            lambda d: d.update(
                status="denied",
                exit_code=None,
                stdout=None,
                stderr=None,
                files_changed=None,
                git=None,
                decision={"allowed": False, "rule": "deny: rm", "reason": "no"},
            )
        ),
        True,
    ),
    ("no session, shell string", _changed(lambda d: d.update(session=None, argv=None)), True),
    ("missing exit_code", _changed(lambda d: d.pop("exit_code")), False),
    ("unknown key", _changed(lambda d: d.update(extra=1)), False),
    ("wrong schema id", _changed(lambda d: d.update(schema="charter/run-manifest/v2")), False),
    ("bad run id", _changed(lambda d: d.update(run_id="today")), False),
    ("empty task", _changed(lambda d: d.update(task="")), False),
    ("exit code as text", _changed(lambda d: d.update(exit_code="0")), False),
    ("exit code true", _changed(lambda d: d.update(exit_code=True)), False),
    ("unknown status", _changed(lambda d: d.update(status="passed")), False),
    ("negative duration", _changed(lambda d: d.update(duration_seconds=-1)), False),
    ("time without Z", _changed(lambda d: d.update(started="2025-11-04T01:16:58")), False),
    ("short head", _changed(lambda d: d["git"].update(head="abc")), False),
    ("dirty as text", _changed(lambda d: d["git"].update(dirty="no")), False),
    ("stream without hash", _changed(lambda d: d["stdout"].pop("sha256")), False),
    ("bad change kind", _changed(lambda d: d["files_changed"][0].update(change="renamed")), False),
    ("approval without name", _changed(lambda d: d["approvals"][0].update(by="")), False),
    ("argv of numbers", _changed(lambda d: d.update(argv=[1, 2])), False),
    ("not an object", [], False),  # type: ignore[list-item]
]


def test_the_schema_ships_inside_the_package() -> None:
    text = importlib.resources.files("charter").joinpath("schemas", SCHEMA_FILE).read_text()
    schema = json.loads(text)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["properties"]["schema"]["const"] == SCHEMA


def _keywords(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield key
            if key in ("properties", "$defs"):
                for child in value.values():
                    yield from _keywords(child)
            elif key == "items":
                yield from _keywords(value)


def test_the_schema_uses_only_keywords_charter_validates() -> None:
    used = set(_keywords(load_schema(SCHEMA_FILE)))
    assert used <= ANNOTATIONS | ASSERTIONS, used - ANNOTATIONS - ASSERTIONS


@pytest.mark.parametrize(("what", "document", "conforms"), DOCUMENTS, ids=[d[0] for d in DOCUMENTS])
def test_charter_and_jsonschema_agree(what: str, document: Any, conforms: bool) -> None:
    schema = load_schema(SCHEMA_FILE)
    assert jsonschema.Draft202012Validator(schema).is_valid(document) is conforms
    problems = validate_manifest(document)
    assert (problems == []) is conforms, problems


def test_problems_name_where_and_what() -> None:
    doc = _changed(lambda d: (d.pop("exit_code"), d["git"].update(dirty="no")))
    assert validate_manifest(doc) == [
        "$: missing 'exit_code'",
        "$.git.dirty: expected boolean, got string",
    ]


def test_an_unknown_keyword_is_an_error_not_a_pass() -> None:
    with pytest.raises(ValueError, match="does not implement"):
        validate({}, {"type": "object", "minProperties": 1})
