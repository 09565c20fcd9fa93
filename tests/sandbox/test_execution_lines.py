"""``verify_execution_lines``: JSON lines in, one ``{id, status, output, reason}`` per line out.

Exit-code semantics belong to the CLI; here the generator's output is checked line by line,
malformed lines included, through a real sandbox.
"""

from __future__ import annotations

import json

import pytest

from datagen.verifiers.execution_lines import parse_args, verify_execution_lines
from tests.sandbox.helpers import NEEDS_ROOT, TIGHT

pytestmark = NEEDS_ROOT

ADD = "def add(a, b):\n    return a + b"


def line(**fields: object) -> str:
    return json.dumps(fields)


def run(*lines: str) -> list[dict]:
    return list(verify_execution_lines(lines, limits=TIGHT, workers=2))


def test_the_spec_example() -> None:
    (result,) = run(line(id="a", code=ADD, entry_point="add", args="(17, 23)"))
    assert result == {"id": "a", "status": "ok", "output": "40", "reason": ""}


@pytest.mark.parametrize(
    ("raw", "result_id", "reason"),
    [
        pytest.param("{not json", "line 1", "malformed input: invalid JSON: ", id="bad_json"),
        pytest.param(
            "[1, 2]", "line 1", "malformed input: expected a JSON object, got list", id="list"
        ),
        pytest.param('"text"', "line 1", "expected a JSON object, got str", id="string"),
        pytest.param(
            line(code=ADD, entry_point="add", args="(1, 2)"),
            "line 1",
            "missing keys: id",
            id="no_id",
        ),
        pytest.param(
            line(id=7, entry_point="add"), 7, "missing keys: code, args", id="missing_two"
        ),
        pytest.param(
            line(id=7, code=ADD, entry_point="add", args="(1)"),
            7,
            "args must be a tuple literal such as '(5,)' or '()', got int",
            id="not_a_tuple",
        ),
        pytest.param(
            line(id=7, code=ADD, entry_point="add", args="[1, 2]"),
            7,
            "args must be a tuple literal such as '(5,)' or '()', got list",
            id="list_literal",
        ),
        pytest.param(
            line(id=7, code=ADD, entry_point="add", args="(print('hi'), 2)"),
            7,
            "args is not a Python literal: Call is not allowed",
            id="function_call",
        ),
        pytest.param(
            line(id=7, code=ADD, entry_point="add", args="(__import__('os'),)"),
            7,
            "args is not a Python literal: Call is not allowed",
            id="import_call",
        ),
        pytest.param(
            line(id=7, code=ADD, entry_point="add", args="(x, 2)"),
            7,
            "args is not a Python literal: Name is not allowed",
            id="name",
        ),
        pytest.param(
            line(id=7, code=ADD, entry_point="add", args="(1 + 2, 3)"),
            7,
            "args is not a Python literal: an operator outside a complex number such as 1+2j",
            id="arithmetic",
        ),
        pytest.param(
            line(id=7, code=ADD, entry_point="add", args="(1, 2"),
            7,
            "args is not a Python literal: SyntaxError",
            id="unbalanced",
        ),
        pytest.param(
            line(id=7, code=ADD, entry_point="add", args=[1, 2]),
            7,
            "args must be a string holding a Python tuple literal, got list",
            id="json_array",
        ),
        pytest.param(
            line(id=7, code=ADD, entry_point="add", args="(" * 100_000),
            7,
            "args is not a Python literal",
            id="deeply_nested",
        ),
        pytest.param(
            line(id=7, code=ADD, entry_point="add", args="(1,\x00)"),
            7,
            "args is not a Python literal: ",
            id="null_byte",
        ),
        pytest.param(
            line(id=7, code=ADD, entry_point="add", args="(" + "-" * 100_000 + "1,)"),
            7,
            "args is not a Python literal: ",
            id="deep_unary",
        ),
        pytest.param(
            line(id=7, code=ADD, entry_point="add(1)", args="()"),
            7,
            "entry_point must be a Python identifier, got 'add(1)'",
            id="entry_point_expression",
        ),
        pytest.param(
            line(id=7, code=None, entry_point="add", args="()"),
            7,
            "code must be str, got NoneType",
            id="code_null",
        ),
    ],
)
def test_malformed_lines_are_errors_with_reasons(raw: str, result_id: object, reason: str) -> None:
    (result,) = run(raw)
    assert (result["id"], result["status"], result["output"]) == (result_id, "error", None)
    assert reason in result["reason"], result["reason"]
    assert result["reason"].startswith("malformed input: ")


def test_order_survives_a_mix_of_jobs_malformed_and_blank_lines() -> None:
    lines = [
        "{bad",
        line(id=1, code=ADD, entry_point="add", args="(1, 2)"),
        "",
        "   ",
        line(id=2, code="def f():\n    while True: pass", entry_point="f", args="()"),
        line(id=3, entry_point="add"),
        line(id=4, code=ADD, entry_point="add", args="('a', 'b')"),
        line(id=5, code="import sys\ndef f(): sys.exit()", entry_point="f", args="()"),
        "[]",
    ]
    results = run(*lines)
    assert [(r["id"], r["status"]) for r in results] == [
        ("line 1", "error"),
        (1, "ok"),
        (2, "timeout"),
        (3, "error"),
        (4, "ok"),
        (5, "error"),
        ("line 9", "error"),
    ]
    assert [r["output"] for r in results] == [None, "3", None, None, "'ab'", None, None]
    assert results[5]["reason"] == "SystemExit"


def test_only_malformed_lines_still_yield_one_result_each() -> None:
    assert [r["id"] for r in run("{", "[]", line(id="x"))] == ["line 1", "line 2", "x"]


def test_no_lines_no_results() -> None:
    assert run() == []


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("(17, 23)", (17, 23)),
        ("()", ()),
        ("(5,)", (5,)),
        (" 17, 23 ", (17, 23)),
        (
            "([1, 2], {'a': (None, True)}, b'x', 1.5e3, -2, 1+2j, {3})",
            ([1, 2], {"a": (None, True)}, b"x", 1500.0, -2, 1 + 2j, {3}),
        ),
    ],
)
def test_parse_args_reads_tuple_literals(text: str, value: tuple) -> None:
    assert parse_args(text) == value
