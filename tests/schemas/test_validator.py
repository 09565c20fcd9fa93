"""The fast validator agrees with the ``jsonschema`` reference, and the codec round-trips."""

from __future__ import annotations

import copy
import random

import jsonschema
import pytest

from datagen.schemas import (
    UnknownSchemaError,
    first_error,
    is_valid,
    list_schemas,
    load_schema,
    records_to_table,
    table_to_records,
)

TASK = {
    "task_id": "bfcl/simple_python_0",
    "source": "bfcl",
    "category": "simple_python",
    "messages": [{"role": "user", "content": "Area of a triangle, base 10, height 5?"}],
    "tools": [{"name": "area", "parameters": {"type": "dict", "properties": {}}}],
    "ground_truth": [{"area": {"base": [10], "height": [5]}}],
}
CRITIQUE = {
    "row_id": "t|a>b#1",
    "pair_id": "t|a>b",
    "task_id": "t",
    "source": "bfcl",
    "category": "simple_python",
    "prompt": [{"role": "system", "content": "judge"}, {"role": "user", "content": "which?"}],
    "answer": "<evaluation>Response 1 is right.</evaluation>\n<choice>\n1\n</choice>",
    "label": 1,
    "conversation": "[]",
    "tools": "[]",
    "response_1": "[]",
    "response_2": "[]",
    "score_1": 1.0,
    "score_2": 0.2,
    "complexity": "multi_call",
    "intensity": "strong",
}

CRITIQUE_V2 = CRITIQUE | {
    "prompt": [{"role": "user", "content": "which? /no_think"}],
    "mode": "no_think",
    "parser": "strict",
    "ground_truth": '[{"area": {"base": [10]}}]',
    "complexity": 3,
    "intensity": "0.7-0.8",
}

MUTATIONS = [
    lambda r: r.pop(random.choice(sorted(r))),
    lambda r: r.__setitem__(random.choice(sorted(r)), None),
    lambda r: r.__setitem__(random.choice(sorted(r)), 12345),
    lambda r: r.__setitem__(random.choice(sorted(r)), []),
    lambda r: r.__setitem__(random.choice(sorted(r)), ""),
    lambda r: r.__setitem__("label", random.choice([0, 3, "1", 1.5])),
    lambda r: r.__setitem__("answer", "<choice>\n1\n</choice>"),
    lambda r: r.__setitem__("messages", [{"role": "wizard"}]),
    lambda r: r.__setitem__("prompt", [{"role": "user", "content": ""}]),
    lambda r: r.__setitem__("score_1", 1.5),
    lambda r: r.__setitem__("mode", random.choice(["mixed", "think"])),
    lambda r: r.__setitem__("parser", random.choice(["loose", "lenient"])),
    lambda r: r.__setitem__("complexity", random.choice([-1, 2, "multi_call"])),
    lambda r: r.__setitem__(
        "prompt", [{"role": "system", "content": "judge"}, *r.get("prompt", [])]
    ),
    lambda r: None,  # unchanged: valid
]


def _variants(base: dict, count: int, seed: int) -> list[dict]:
    random.seed(seed)
    out = []
    for _ in range(count):
        record = copy.deepcopy(base)
        random.choice(MUTATIONS)(record)
        out.append(record)
    return out


@pytest.mark.parametrize(
    ("schema_id", "base"),
    [
        ("toolpref/task.v1", TASK),
        ("toolpref/critique.v1", CRITIQUE),
        ("toolpref/critique.v2", CRITIQUE_V2),
    ],
)
def test_fast_validator_agrees_with_jsonschema_reference(schema_id: str, base: dict) -> None:
    reference = jsonschema.Draft202012Validator(load_schema(schema_id))
    records = _variants(base, 400, seed=7)
    verdicts = [(is_valid(schema_id, r), reference.is_valid(r)) for r in records]
    assert all(ours == theirs for ours, theirs in verdicts)
    assert {ours for ours, _ in verdicts} == {True, False}, (
        "the table must hold valid and invalid records"
    )


@pytest.mark.parametrize(
    ("record", "v1", "v2"),
    [
        (CRITIQUE, True, False),  # a v1 row: system + user, complexity a bucket name
        (CRITIQUE_V2, False, True),
        (CRITIQUE_V2 | {"prompt": CRITIQUE["prompt"]}, False, False),
        (CRITIQUE_V2 | {"complexity": "multi_call"}, True, False),  # v1 allows more fields
    ],
)
def test_critique_v1_rows_stay_valid_v1_and_v2_needs_its_fields(
    record: dict, v1: bool, v2: bool
) -> None:
    versions = ("toolpref/critique.v1", "toolpref/critique.v2")
    assert tuple(is_valid(schema_id, record) for schema_id in versions) == (v1, v2)


def test_every_shipped_schema_is_a_valid_2020_12_schema() -> None:
    assert len(list_schemas()) >= 5
    for schema_id in list_schemas():
        jsonschema.Draft202012Validator.check_schema(load_schema(schema_id))


@pytest.mark.parametrize(
    ("change", "expected_path"),
    [
        (lambda r: r.pop("tools"), "(record)"),
        (lambda r: r.__setitem__("messages", [{"role": "wizard"}]), "messages/0/role"),
        (lambda r: r.__setitem__("ground_truth", []), "ground_truth"),
    ],
)
def test_first_error_names_the_failing_path(change, expected_path: str) -> None:
    record = copy.deepcopy(TASK)
    change(record)
    reason = first_error("toolpref/task.v1", record)
    assert reason is not None and reason.startswith(f"schema_violation: {expected_path}:")


def test_unknown_schema_lists_the_shipped_ones() -> None:
    with pytest.raises(UnknownSchemaError, match=r"toolpref/task\.v1"):
        load_schema("toolpref/nope.v9")


def test_codec_round_trips_json_fields_exactly() -> None:
    records = [
        TASK,
        copy.deepcopy(TASK)
        | {"task_id": "second", "tools": [{"name": "x", "parameters": {"a": [1, {"b": None}]}}]},
    ]
    table = records_to_table("toolpref/task.v1", records)
    assert table.schema.field("tools").type == "string"
    assert table_to_records("toolpref/task.v1", table) == records
