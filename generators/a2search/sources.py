"""Where A²Search's questions and passages come from: the demo set, JSONL or Parquet files, or a
Hugging Face dataset through ``datasets`` with a column mapping.

A question is ``{question_id, source, question, answers, answer_set}``: ``answers`` are the
aliases of the one reference answer (NQ and MuSiQue give an answer and its aliases), and
``answer_set`` (a list of alias lists, or null) is there when several answers are known. A
passage is ``{id, title, text}``. Rows that are unusable are quarantined with their reason; a
source with no usable row, or that cannot be read, is a ``SourceError``.

A mapping names, for each of our fields, the source's column: ``question=question.text`` (a
dotted path into nested columns) or ``answers=answer+answer_aliases`` (columns joined, each
text or a list of texts).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from datagen.generators.a2search.configs import QUESTION_FIELDS
from datagen.generators.sources import hf_rows, read_text_source
from datagen.schemas.records import Quarantined, Record, SourceError, SourceRead

DEMO = Path(__file__).parent / "demo"
DEMO_LICENSE = "MIT (written by datagen from countryinfo's facts, MIT)"
QUESTIONS_SHAPE = "JSONL or Parquet of {id, question, answers, answer_set?}"
PASSAGES_SHAPE = "JSONL or Parquet of {id, title, text}"


def read_questions(source: str, *, mapping: Mapping[str, str] | None = None) -> SourceRead:
    """``demo``, ``hf:NAME[:SPLIT]``, or a JSONL/Parquet file of question rows."""
    mapping = dict(mapping or {})
    if source == "demo":
        rows = _rows(DEMO / "questions.jsonl", expected=QUESTIONS_SHAPE)
        lineage = {"source": "a2search-demo", "license": DEMO_LICENSE, "path": str(DEMO)}
    elif source.startswith("hf:"):
        rows, lineage = hf_rows(source.removeprefix("hf:"))
    else:
        rows = _rows(Path(source), expected=QUESTIONS_SHAPE)
        lineage = {"source": source, "license": None, "path": str(Path(source).absolute())}
    name = lineage["source"]
    questions, rejects = [], []
    for number, row in enumerate(rows, start=1):
        try:
            questions.append(_question(row, mapping, name=name, number=number))
        except ValueError as exc:
            record_id = str(row.get("id", number)) if isinstance(row, dict) else str(number)
            rejects.append(Quarantined(record_id, f"bad_row: {exc}", {"row": _jsonable(row)}))
    if not questions:
        first = rejects[0].reason if rejects else "no rows"
        raise SourceError(f"{source}: no usable question ({first}; expected {QUESTIONS_SHAPE})")
    return SourceRead(questions, rejects, lineage | {"questions": len(questions)})


def read_passages(source: str) -> SourceRead:
    """``demo`` or a JSONL/Parquet file of ``{id, title, text}`` passages."""
    path = DEMO / "passages.jsonl" if source == "demo" else Path(source)
    lineage = (
        {"source": "a2search-demo-corpus", "license": DEMO_LICENSE, "path": str(path)}
        if source == "demo"
        else {"source": source, "license": None, "path": str(path.absolute())}
    )
    passages, rejects, seen = [], [], set()
    for number, row in enumerate(_rows(path, expected=PASSAGES_SHAPE), start=1):
        problem = _passage_problem(row, seen)
        if problem:
            rejects.append(
                Quarantined(f"passage-{number}", f"bad_passage: {problem}", {"row": _jsonable(row)})
            )
            continue
        seen.add(str(row["id"]))
        passages.append(
            {"id": str(row["id"]), "title": str(row.get("title") or ""), "text": row["text"]}
        )
    if not passages:
        first = rejects[0].reason if rejects else "no rows"
        raise SourceError(f"{source}: no usable passage ({first}; expected {PASSAGES_SHAPE})")
    return SourceRead(passages, rejects, lineage | {"passages": len(passages)})


def _rows(path: Path, *, expected: str) -> list[Any]:
    """The rows of a JSONL or Parquet file, or a ``SourceError`` saying why there are none."""
    if path.suffix == ".parquet":
        import pyarrow.parquet as pq  # here: the command line imports this module at start-up

        if not path.is_file():
            raise SourceError(f"{path}: no such file (expected {expected})")
        try:
            return pq.read_table(path).to_pylist()
        except Exception as exc:  # pyarrow raises several types for a file that is not Parquet
            raise SourceError(f"{path}: not a readable Parquet file ({exc})") from None
    rows = []
    for number, line in enumerate(read_text_source(path, expected=expected).splitlines(), start=1):
        if not line.strip():
            continue
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError as exc:
            raise SourceError(f"{path}: line {number} is not JSON ({exc.msg})") from None
    return rows


def _question(row: Any, mapping: Mapping[str, str], *, name: str, number: int) -> Record:
    if not isinstance(row, dict):
        raise ValueError(f"expected an object, got {type(row).__name__}")
    value = {field: _column(row, mapping.get(field, field)) for field in QUESTION_FIELDS}
    question = value["question"]
    if not isinstance(question, str) or not question.strip():
        raise ValueError("'question' must be non-empty text")
    answers = _texts(value["answers"], "answers")
    if not answers:
        raise ValueError("'answers' must hold at least one answer")
    answer_set = value["answer_set"]
    if answer_set is not None:
        if not isinstance(answer_set, list) or not answer_set:
            raise ValueError("'answer_set' must be a non-empty list of alias lists")
        answer_set = [_texts(aliases, "answer_set") for aliases in answer_set]
        if not all(answer_set):
            raise ValueError("every answer of 'answer_set' needs an alias")
    record_id = value["id"] if value["id"] not in (None, "") else f"row-{number}"
    return {
        "question_id": str(record_id),
        "source": name,
        "question": question.strip(),
        "answers": answers,
        "answer_set": answer_set,
    }


def _column(row: Mapping[str, Any], spec: str) -> Any:
    """A row's value for a mapping's column: a dotted path, or several joined by ``+``."""
    parts = [_path(row, p) for p in spec.split("+")]
    if len(parts) == 1:
        return parts[0]
    joined: list[Any] = []
    for part in parts:
        joined += part if isinstance(part, list) else [] if part is None else [part]
    return joined


def _path(row: Any, dotted: str) -> Any:
    for key in dotted.split("."):
        if not isinstance(row, Mapping):
            return None
        row = row.get(key)
    return row


def _texts(value: Any, field: str) -> list[str]:
    """Aliases as distinct, stripped texts (a single text is one alias)."""
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(i, str | int | float) for i in items):
        raise ValueError(f"{field!r} must be text or a list of texts")
    return list(dict.fromkeys(str(i).strip() for i in items if str(i).strip()))


def _passage_problem(row: Any, seen: set[str]) -> str | None:
    if not isinstance(row, dict):
        return f"expected an object, got {type(row).__name__}"
    if row.get("id") in (None, ""):
        return "no 'id'"
    if str(row["id"]) in seen:
        return f"duplicate id {row['id']!r}"
    if not isinstance(row.get("text"), str) or not row["text"].strip():
        return "'text' must be non-empty text"
    return None


def _jsonable(row: Any) -> Any:
    return json.loads(json.dumps(row, default=str))
