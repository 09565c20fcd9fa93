"""IFEvalCode's sources: seeds, HumanEval and local JSONL as rows, taken round-robin."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from datagen.generators.ifevalcode.sources import PROBLEM_FIELDS, read_problems, round_robin
from datagen.schemas.records import SourceError
from datagen.verifiers.code.languages import LANGUAGES
from datagen.verifiers.code_checks import CodeRow, check_rows, code_sandbox
from tests.sandbox.helpers import NEEDS_ROOT

ADD = {
    "id": "add",
    "programming_language": "python",
    "english_question": "Write add(a, b).",
    "check_correctness": "def check_correctness():\n    assert add(2, 3) == 5",
    "reference_response": "```python\ndef add(a, b):\n    return a + b\n```",
}


def test_seeds_are_rows_in_the_layout_and_round_robin_covers_every_language() -> None:
    read = read_problems("seeds")
    assert read.lineage["license"] == "Apache-2.0"
    assert all(set(row) == set(PROBLEM_FIELDS) for row in read.records)
    ordered = round_robin(read.records)
    assert sorted(r["id"] for r in ordered) == sorted(r["id"] for r in read.records)
    assert [r["programming_language"] for r in ordered[:7]] == list(LANGUAGES)
    assert [r["programming_language"] for r in ordered[7:14]] == list(LANGUAGES)
    firsts = [r for r in read.records if r["programming_language"] == "java"][:2]
    assert [r for r in ordered if r["programming_language"] == "java"][:2] == firsts


@NEEDS_ROOT
def test_humaneval_rows_pass_their_own_tests() -> None:
    read = read_problems("humaneval")
    assert len(read.records) == 164 and read.lineage["license"] == "MIT"
    sample = read.records[:: 164 // 6]
    rows = [
        CodeRow(
            r["id"],
            "python",
            r["reference_response"],
            r["check_correctness"],
            "def check_instruction(response):\n    pass\n",
        )
        for r in sample
    ]
    with code_sandbox() as sandbox:
        checks = list(check_rows(sandbox, rows))
    assert all(c.correct for c in checks), [c.correct_reason for c in checks]
    assert read_problems("humaneval", languages=["java"]).records == []


def test_a_jsonl_file_keeps_good_rows_and_quarantines_bad_ones(tmp_path: Path) -> None:
    source = tmp_path / "mine.jsonl"
    lines = [
        json.dumps(ADD),
        json.dumps({**ADD, "id": "java-one", "programming_language": "java"}),
        json.dumps({**ADD, "id": "no-reference", "reference_response": ""}),
        json.dumps({**ADD, "id": "rust", "programming_language": "rust"}),
        json.dumps({**ADD, "id": "number", "english_question": 7}),
        "{not json",
        json.dumps(["a", "list"]),
    ]
    source.write_text("\n".join(lines) + "\n")
    read = read_problems(str(source), languages=["python"])
    assert [r["id"] for r in read.records] == ["add"]
    assert read.records[0]["source"] == "mine.jsonl" and read.records[0]["chinese_question"] == ""
    assert [q.reason.split(":")[0] for q in read.rejects] == [
        "missing_fields",
        "unknown_language",
        "not_text",
        "invalid_json",
        "not_an_object",
    ]


def test_a_jsonl_file_without_one_good_row_is_a_source_error(tmp_path: Path) -> None:
    source = tmp_path / "bad.jsonl"
    source.write_text(json.dumps({"id": "x"}) + "\n")
    with pytest.raises(SourceError, match="no row is a problem"):
        read_problems(str(source))
    with pytest.raises(SourceError, match="no such file"):
        read_problems(str(tmp_path / "missing.jsonl"))
