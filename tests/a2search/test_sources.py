"""A²Search's readers on the demo set and on files the tests write in the layouts of MuSiQue,
NQ, HotpotQA (as a Hugging Face dataset folder) and plain passage corpora."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from datagen.generators.a2search.configs import parse_mapping
from datagen.generators.a2search.sources import DEMO, read_passages, read_questions
from datagen.schemas.records import SourceError

ROOT = Path(__file__).resolve().parents[2]


def _jsonl(path: Path, rows: list) -> Path:
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows))
    return path


def test_the_demo_set_has_ambiguous_questions_and_their_passages() -> None:
    questions, passages = read_questions("demo"), read_passages("demo")
    assert len(questions.records) == 100 and len(passages.records) == 280
    assert questions.rejects == [] and passages.rejects == []
    assert "MIT" in questions.lineage["license"] and "MIT" in passages.lineage["license"]
    border = next(q for q in questions.records if q["question_id"] == "border-MEX")
    assert border["answers"] == ["Belize"] and border["answer_set"] is None
    text = next(p["text"] for p in passages.records if p["id"] == "MEX-borders")
    assert "Belize" in text and "Guatemala" in text  # an alternative the reference leaves out
    known = [q for q in questions.records if q["answer_set"]]
    assert len(known) == 15 and all(len(q["answer_set"]) >= 2 for q in known)


def test_the_committed_demo_set_is_what_its_script_writes(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "make_a2search_demo.py"), "--out", str(tmp_path)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    for name in ("questions.jsonl", "passages.jsonl"):
        assert (tmp_path / name).read_bytes() == (DEMO / name).read_bytes(), name


def test_musique_rows_join_the_answer_and_its_aliases(tmp_path: Path) -> None:
    path = _jsonl(
        tmp_path / "musique.jsonl",
        [
            {
                "id": "2hop__1",
                "question": "Who founded Lyon?",
                "answer": "Munatius Plancus",
                "answer_aliases": ["Lucius Munatius Plancus"],
                "answerable": True,
            },
            {
                "id": "2hop__2",
                "question": "Where is Lyon?",
                "answer": "France",
                "answer_aliases": [],
            },
        ],
    )
    read = read_questions(str(path), mapping=parse_mapping("answers=answer+answer_aliases"))
    assert [q["answers"] for q in read.records] == [
        ["Munatius Plancus", "Lucius Munatius Plancus"],
        ["France"],
    ]
    assert read.records[0]["question_id"] == "2hop__1" and read.lineage["license"] is None


def test_nested_nq_columns_are_read_through_dotted_paths(tmp_path: Path) -> None:
    path = _jsonl(
        tmp_path / "nq.jsonl",
        [{"id": 7, "question": {"text": "who wrote hamlet"}, "answer": ["Shakespeare", "W. S."]}],
    )
    read = read_questions(str(path), mapping=parse_mapping("question=question.text,answers=answer"))
    assert read.records == [
        {
            "question_id": "7",
            "source": str(path),
            "question": "who wrote hamlet",
            "answers": ["Shakespeare", "W. S."],
            "answer_set": None,
        }
    ]


def test_a_hugging_face_dataset_folder_is_read_through_datasets(tmp_path: Path) -> None:
    folder = tmp_path / "hotpot_qa"
    (folder / "data").mkdir(parents=True)
    rows = [
        {"id": f"h{i}", "question": f"Question {i}?", "answer": f"A{i}", "level": "easy"}
        for i in range(3)
    ]
    pq.write_table(
        pa.Table.from_pylist(rows), folder / "data" / "validation-00000-of-00001.parquet"
    )
    read = read_questions(f"hf:{folder}:validation", mapping=parse_mapping("answers=answer"))
    assert [q["answers"] for q in read.records] == [["A0"], ["A1"], ["A2"]]
    assert read.lineage["source"] == f"hf:{folder}" and read.lineage["split"] == "validation"
    with pytest.raises(SourceError, match=r"cannot load the dataset"):
        read_questions(f"hf:{folder}:test")


def test_parquet_rows_with_a_known_answer_set(tmp_path: Path) -> None:
    path = tmp_path / "q.parquet"
    pq.write_table(
        pa.Table.from_pylist(
            [
                {
                    "id": "q",
                    "question": "Which countries border Belize?",
                    "answers": ["Mexico"],
                    "answer_set": [["Mexico", "United Mexican States"], ["Guatemala"]],
                }
            ]
        ),
        path,
    )
    (record,) = read_questions(str(path)).records
    assert record["answer_set"] == [["Mexico", "United Mexican States"], ["Guatemala"]]


def test_unusable_rows_are_quarantined_with_their_reason(tmp_path: Path) -> None:
    path = _jsonl(
        tmp_path / "q.jsonl",
        [
            {"id": "ok", "question": "Q?", "answers": "A"},
            {"id": "no-question", "answers": ["A"]},
            {"id": "no-answer", "question": "Q?", "answers": ["", " "]},
            {"id": "bad-set", "question": "Q?", "answers": ["A"], "answer_set": [[]]},
            {"id": "bad-type", "question": "Q?", "answers": {"text": "A"}},
            [1, 2],
        ],
    )
    read = read_questions(str(path))
    assert [q["question_id"] for q in read.records] == ["ok"]
    reasons = {q.record_id: q.reason for q in read.rejects}
    assert reasons == {
        "no-question": "bad_row: 'question' must be non-empty text",
        "no-answer": "bad_row: 'answers' must hold at least one answer",
        "bad-set": "bad_row: every answer of 'answer_set' needs an alias",
        "bad-type": "bad_row: 'answers' must be text or a list of texts",
        "6": "bad_row: expected an object, got list",
    }


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing.jsonl", None, "no such file"),
        ("empty.jsonl", "\n", "the file is empty"),
        ("text.jsonl", "who wrote hamlet\n", "line 1 is not JSON"),
        ("bad.parquet", "not parquet", "not a readable Parquet file"),
        ("all-bad.jsonl", '{"id": 1}\n', "no usable question"),
    ],
)
def test_a_source_that_cannot_be_read_is_one_clear_error(
    tmp_path: Path, name: str, content: str | None, message: str
) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_text(content)
    with pytest.raises(SourceError, match=message):
        read_questions(str(path))


def test_mappings_name_known_fields() -> None:
    assert parse_mapping(" question = q , answers=a+b ") == {"question": "q", "answers": "a+b"}
    with pytest.raises(ValueError, match="FIELD one of id, question, answers, answer_set"):
        parse_mapping("query=q")


def test_passages_with_no_text_or_a_repeated_id_are_rejected(tmp_path: Path) -> None:
    path = _jsonl(
        tmp_path / "corpus.jsonl",
        [
            {"id": "p1", "title": "Lyon", "text": "Lyon is in France."},
            {"id": "p1", "title": "Lyon", "text": "Again."},
            {"id": "p2", "title": "Paris", "text": ""},
            {"id": "p3", "text": "No title is fine."},
        ],
    )
    read = read_passages(str(path))
    assert [p["id"] for p in read.records] == ["p1", "p3"] and read.records[1]["title"] == ""
    assert [q.reason for q in read.rejects] == [
        "bad_passage: duplicate id 'p1'",
        "bad_passage: 'text' must be non-empty text",
    ]
