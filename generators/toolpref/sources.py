"""Where ToolPref tasks come from: BFCL's pinned data or a user's JSONL of tool-calling chats.

Every source yields the same task record (``schemas/toolpref/task.v1.json``): the context
before an assistant turn, the tools on offer, and the turn's calls as a BFCL possible-answer
list. Rows that cannot become tasks are quarantined with a snake_case reason so a run reports
them instead of failing on them; only a source that cannot be read at all raises
``SourceError``.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from datagen.generators.sources import read_text_source
from datagen.generators.toolpref.bfcl_wheel import (
    BFCL_LICENSE,
    BFCL_PACKAGE,
    BFCL_VERSION,
    bfcl_wheel,
    read_category,
)
from datagen.generators.toolpref.formats import (
    Format,
    MalformedRow,
    check_calls_known,
    hermes_conversation,
    row_format,
    segment_conversation,
)
from datagen.schemas.records import Quarantined, SourceError, SourceRead

__all__ = [
    "BFCL_CATEGORIES",
    "SourceRead",
    "detect_format",
    "interleave_categories",
    "read_bfcl",
    "read_hermes_jsonl",
    "read_openai_jsonl",
    "read_source",
    "segment_conversation",
]

BFCL_CATEGORIES: tuple[str, ...] = (
    "simple_python",
    "multiple",
    "parallel",
    "parallel_multiple",
    "live_simple",
    "live_multiple",
    "live_parallel",
    "live_parallel_multiple",
)
DETECT_ROWS = 100
"""Rows ``detect_format`` looks at before giving up: leading rows may lack tool calls."""


def read_bfcl(
    *, categories: Iterable[str] = BFCL_CATEGORIES, wheel: Path | None = None
) -> SourceRead:
    """BFCL's single-turn categories from the pinned bfcl-eval wheel (downloaded once)."""
    categories = list(categories)
    wheel = wheel or bfcl_wheel()
    tasks, rejects = [], []
    for category in categories:
        try:
            pairs = read_category(category, wheel)
        except KeyError:
            raise ValueError(
                f"bfcl-eval {BFCL_VERSION} has no category {category!r}; "
                f"the ToolPref categories are {', '.join(BFCL_CATEGORIES)}"
            ) from None
        for question, answer in pairs:
            try:
                tasks.append(_bfcl_task(category, question, answer))
            except MalformedRow as bad:
                record = {"question": question, "answer": answer}
                rejects.append(Quarantined(f"bfcl/{question.get('id')}", str(bad), record))
    lineage = {
        "source": "bfcl",
        "package": BFCL_PACKAGE,
        "version": BFCL_VERSION,
        "license": BFCL_LICENSE,
        "categories": categories,
    }
    return SourceRead(records=tasks, rejects=rejects, lineage=lineage)


def _bfcl_task(category: str, question: dict[str, Any], answer: dict[str, Any]) -> dict[str, Any]:
    turns = question.get("question")
    if not isinstance(turns, list) or len(turns) != 1 or not isinstance(turns[0], list):
        count = len(turns) if isinstance(turns, list) else 0
        raise MalformedRow("multi_turn_question", f"{count} turns; ToolPref reads one")
    tools = question.get("function")
    if not isinstance(tools, list) or not tools:
        raise MalformedRow("empty_tools")
    ground_truth = answer.get("ground_truth")
    if not isinstance(ground_truth, list) or not ground_truth:
        raise MalformedRow("invalid_ground_truth", "no possible answer")
    check_calls_known(ground_truth, tools)
    return {
        "task_id": f"bfcl/{question['id']}",
        "source": "bfcl",
        "category": category,
        "messages": turns[0],
        "tools": tools,
        "ground_truth": ground_truth,
    }


def read_openai_jsonl(path: Path) -> SourceRead:
    """OpenAI chat rows: ``{"messages": [...], "tools": [...]}``, calls in ``tool_calls``."""
    return _read_file(path, "openai")


def read_hermes_jsonl(path: Path) -> SourceRead:
    """Hermes function-calling rows (ShareGPT ``conversations`` or ``messages`` with blocks)."""
    return _read_file(path, "hermes")


def detect_format(path: Path) -> Format:
    """The format of a file's first rows that show one; a clear error when none does."""
    seen = 0
    for _, row, error in _load_rows(path):  # decodes only the rows it looks at
        if error is not None:
            continue
        if found := row_format(row):
            return found
        seen += 1
        if seen == DETECT_ROWS:
            break
    if not seen:
        raise SourceError(f"{path}: no line is JSON{_first_error(path)}")
    raise SourceError(
        f"{path}: none of its first {seen} JSON rows is a tool-calling "
        'chat: expected OpenAI rows ({"messages": [...], "tools": [...]} with an assistant '
        '"tool_calls") or Hermes rows ({"conversations": [...]} or assistant text with '
        "<tool_call> blocks)"
    )


def read_source(source: str) -> SourceRead:
    """``"bfcl"``, or a file whose reader is chosen by its content."""
    if source == "bfcl":
        return read_bfcl()
    path = Path(source)
    return READERS[detect_format(path)](path)


def _read_file(path: Path, fmt: Format) -> SourceRead:
    tasks: list[dict[str, Any]] = []
    rejects: list[Quarantined] = []
    for number, row, error in _load_rows(path):
        record_id = f"{path.stem}/{number}"
        try:
            if error is not None:
                raise MalformedRow("invalid_json", error)
            tasks += _file_tasks(row, fmt, record_id=record_id, source=path.name)
        except MalformedRow as bad:
            record = row if isinstance(row, dict) else {"raw": row}
            rejects.append(Quarantined(record_id, str(bad), record))
    lineage = {
        "source": path.name,
        "path": str(path.resolve()),
        "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
        "license": None,
        "format": fmt,
    }
    return SourceRead(records=tasks, rejects=rejects, lineage=lineage)


def _file_tasks(row: object, fmt: Format, *, record_id: str, source: str) -> list[dict[str, Any]]:
    if not isinstance(row, dict):
        raise MalformedRow("invalid_row", f"row is a {type(row).__name__}, not an object")
    if fmt == "hermes":
        messages, tools = hermes_conversation(row)
    elif missing := [key for key in ("messages", "tools") if key not in row]:
        raise MalformedRow("missing_field", ", ".join(missing))
    else:
        messages, tools = row["messages"], row["tools"]
    return segment_conversation(messages, tools, record_id=record_id, source=source)


def _load_rows(path: Path) -> Iterator[tuple[int, object, str | None]]:
    """``(row number, row, JSON error)`` of a JSONL file, or of a file holding one JSON array
    (the shape Hermes' own ``*.json`` files ship in); numbers count from 1. Lines are decoded
    as they are consumed, so format detection decodes only the rows it looks at."""
    text = read_text_source(path, expected="'bfcl' or a JSONL file of chat rows")
    if text.lstrip().startswith("["):
        try:
            whole = json.loads(text)
        except json.JSONDecodeError:
            whole = None  # a JSONL file whose first line is an array: read it line by line
        if isinstance(whole, list):
            yield from ((number, row, None) for number, row in enumerate(whole, 1))
            return
    for number, line in enumerate(text.split("\n"), 1):  # not splitlines: JSON allows U+2028
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as error:
            yield number, line, str(error)
        else:
            yield number, row, None


def _first_error(path: Path) -> str:
    for number, _, error in _load_rows(path):
        return f" (line {number}: {error})"
    return ""


READERS: dict[Format, Callable[[Path], SourceRead]] = {
    "openai": read_openai_jsonl,
    "hermes": read_hermes_jsonl,
}


def interleave_categories(tasks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Round-robin over categories so any prefix of the result mixes them all.

    Categories go in ``BFCL_CATEGORIES`` order, then the others sorted; each keeps its
    source order. The order depends on the tasks alone, so a limited run is reproducible.
    """
    known = [c for c in BFCL_CATEGORIES if any(t["category"] == c for t in tasks)]
    others = sorted({t["category"] for t in tasks} - set(BFCL_CATEGORIES))
    queues = [[t for t in tasks if t["category"] == c] for c in known + others]
    rounds = itertools.zip_longest(*queues)
    return [task for round_ in rounds for task in round_ if task is not None]
