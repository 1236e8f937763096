"""charter.model_codec: parsed models as JSON data and back, exactly, or not at all."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from charter.config import load_config
from charter.model import Plan, SessionLog
from charter.model_codec import TAG, Malformed, Unencodable, decode, encode
from charter.repo import parse_file
from tests.json_paths import node_paths, replaced

PLAN = """---
id: demo
title: Demo
created: 2025-12-22
reviewed: 2025-12-22T10:30:00+02:00
owners: [a, b]
limits: {1: one, 2.5: two, null: none, true: yes}
nested: {when: 2025-01-01, list: [1, 2.5, "x", null, {k: v}]}
---
# Demo plan

- [x] **ST-A-1** Done thing
  - Status: Done - 2025-12-22
  - Evidence: `.runs/ST-A-1/manifest.json`
  - [ ] **ST-A-2** A subtask
    - Depends: ST-A-1
- [ ] **ST-A-3** Open | with a pipe
  - Status: in-progress

| ID | Title | Owner | Status | Notes |
|----|-------|-------|--------|-------|
| ST-A-4 | Table task | Ingestion | Blocked | waits |
"""
SESSION = """---
task: ST-A-3
started: 2025-12-22T09:00:00Z
---
# Session

## Goal
Do it.

## Results
(fill in the results)
"""


@pytest.fixture
def models(tmp_path: Path) -> list[Plan | SessionLog]:
    (tmp_path / "charter.toml").write_text('id_pattern = "ST-[A-Z]-\\\\d+"\n')
    config = load_config(tmp_path)
    return [
        parse_file("docs/plans/demo.md", PLAN.encode(), config, "plan"),
        parse_file("docs/plans/broken.md", b"---\nid: [\n---\n- [ ] x\n", config, "plan"),
        parse_file("docs/agents/sessions/s.md", SESSION.encode(), config, "session"),
    ]


def test_models_come_back_equal_through_json(models: list[Plan | SessionLog]) -> None:
    assert isinstance(models[0], Plan) and len(list(models[0].walk())) == 4
    assert models[1].problems  # the broken plan keeps its diagnostics
    for model in models:
        data = json.loads(json.dumps(encode(model)))
        back = decode(data)
        assert back == model
        assert repr(back) == repr(model)  # same types too: dates, tuples, key types


frontmatter_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text()
    | st.dates()
    | st.datetimes(timezones=st.none() | st.just(timezone(timedelta(hours=2))) | st.just(UTC)).map(
        lambda moment: moment.replace(fold=0)
    ),  # as YAML makes them
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(), inner, max_size=4)
        | st.dictionaries(st.integers() | st.dates() | st.booleans() | st.none(), inner, max_size=3)
    ),
    max_leaves=20,
)


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.dictionaries(st.text(), frontmatter_values, max_size=5))
def test_any_yaml_frontmatter_round_trips_or_is_refused(frontmatter: dict[str, Any]) -> None:
    plan = Plan("docs/plans/p.md", frontmatter, {}, True, "P")
    try:
        data = encode(plan)
    except Unencodable:  # nothing YAML's safe loader makes: dates, maps, scalars all encode
        pytest.fail(f"refused {frontmatter!r}")
    back = decode(json.loads(json.dumps(data)))
    assert back == plan
    assert repr(back) == repr(plan)


@pytest.mark.parametrize("value", [b"binary", {1, 2}, (1, 2), datetime(2025, 1, 1, fold=1)])
def test_values_json_cannot_give_back_are_refused(value: object) -> None:
    with pytest.raises(Unencodable):
        encode(Plan("p.md", {"x": value}))


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=3), inner, max_size=3)
    ),
    max_leaves=10,
)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.data())
def test_well_formed_data_of_the_wrong_shape_is_malformed_never_a_crash(
    data: st.DataObject,
) -> None:
    model = parse_file(
        "docs/plans/demo.md", PLAN.encode(), load_config(Path(__file__).parent), "plan"
    )
    encoded = json.loads(json.dumps(encode(model)))
    target = data.draw(st.sampled_from(node_paths(encoded)))
    mutated = replaced(encoded, target, data.draw(json_values))
    try:
        back = decode(mutated)
    except Malformed:
        return
    # What decodes has the model's types throughout: it encodes and decodes again unchanged.
    assert decode(json.loads(json.dumps(encode(back)))) == back


def test_tags_keep_types_and_a_key_named_like_the_tag() -> None:
    frontmatter = {"d": date(2025, 1, 2), "t": datetime(2025, 1, 2, 3, 4, 5), "m": {TAG: "x"}}
    plan = Plan("p.md", frontmatter)
    assert decode(json.loads(json.dumps(encode(plan)))).frontmatter == frontmatter
