"""Reading functions: HumanEval's asserts as inputs, and local JSONL files with bad rows."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from datagen.generators.tear.sources import extract_inputs, read_functions, read_jsonl
from datagen.schemas.records import SourceError

TESTS = [
    ("def check(candidate):\n    assert candidate(1, 2) == 3\n", ["(1, 2)"]),
    ("def check(c):\n    assert candidate([1, -2], 'a') == 0\n", ["([1, -2], 'a')"]),
    ("def check(candidate):\n    assert candidate(1) == 1\n    assert candidate(1) == 2\n",
     ["(1,)"]),
    ("def check(candidate):\n    assert abs(candidate(2.5) - 1) < 1e-6\n", ["(2.5,)"]),
    ("def check(candidate):\n    assert candidate(x) == 1\n", []),  # a name, not a literal
    ("def check(candidate):\n    assert candidate(n=3) == 1\n", []),  # keywords skipped
    ("def check(candidate):\n    assert candidate(*[1]) == 1\n", []),
    ("def check(candidate):\n    candidate(4)\n", []),  # not in an assert
    ("def check(candidate):\n    assert candidate() == 1\n", ["()"]),
    ("def check(candidate):\n    assert candidate(candidate(1)) == 1\n", ["(1,)"]),
    ("def check(candidate)\n    assert candidate(1) == 1\n", []),  # syntax error
    ("def check(candidate):\n    assert other(1) == 1\n", []),
    ("def check(candidate):\n    assert candidate(1e400) == 1\n", []),  # repr is inf
    ("def check(candidate):\n    assert candidate(-5, 'a' * 2) == 1\n", []),  # not a literal
    ("def check(candidate):\n    assert candidate({'a': (1, 2)}, None) is None\n",
     ["({'a': (1, 2)}, None)"]),
]  # fmt: skip


@pytest.mark.parametrize(("test_code", "expected"), TESTS)
def test_extract_inputs(test_code: str, expected: list[str]) -> None:
    assert extract_inputs(test_code, entry_point="candidate") == expected


def test_humaneval_functions_carry_their_test_inputs() -> None:
    read = read_functions("humaneval", inputs_per_function=2)
    assert len(read.records) + len(read.rejects) == 164
    assert len(read.records) > 150
    first = read.records[0]
    assert first["function_id"] == "HumanEval-0" and first["entry_point"] == "has_close_elements"
    assert first["inputs"] == ["([1.0, 2.0, 3.9, 4.0, 5.0, 2.2], 0.3)",
                               "([1.0, 2.0, 3.9, 4.0, 5.0, 2.2], 0.05)"]  # fmt: skip
    assert all(1 <= len(f["inputs"]) <= 2 for f in read.records)
    assert {r.reason for r in read.rejects} == {"no_literal_inputs"}
    assert read.lineage["license"] == "MIT"


def test_jsonl_rows_are_read_and_bad_ones_quarantined(tmp_path: Path) -> None:
    rows = [
        json.dumps({"code": "def f(x):\n    return x\n", "entry_point": "f",
                    "inputs": [[1], [2], [3]], "id": "ident"}),
        "{not json",
        json.dumps([1, 2]),
        json.dumps({"code": "", "entry_point": "f", "inputs": [[1]]}),
        json.dumps({"code": "x = 1", "entry_point": "not valid", "inputs": [[1]]}),
        json.dumps({"code": "x = 1", "entry_point": "f", "inputs": []}),
        json.dumps({"code": "x = 1", "entry_point": "f", "inputs": [1]}),
        "",
    ]  # fmt: skip
    path = tmp_path / "fns.jsonl"
    path.write_text("\n".join(rows) + "\n")
    read = read_jsonl(path, inputs_per_function=2)
    assert [f["function_id"] for f in read.records] == ["ident"]
    assert read.records[0]["inputs"] == ["(1,)", "(2,)"]
    reasons = [r.reason.split(":")[0] for r in read.rejects]
    assert reasons == ["invalid_json", "not_an_object", "missing_code", "bad_entry_point",
                       "bad_inputs", "bad_inputs"]  # fmt: skip


def test_unknown_source_and_bad_limits_are_errors(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match=r"missing\.jsonl: no such file \(expected 'humaneval'"):
        read_functions(str(tmp_path / "missing.jsonl"), inputs_per_function=1)
    with pytest.raises(ValueError, match="inputs_per_function"):
        read_functions("humaneval", inputs_per_function=0)
