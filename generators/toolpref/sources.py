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
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from datagen.generators.sampling import stable_int
from datagen.generators.sources import hf_rows, read_text_source
from datagen.generators.toolpref.bfcl_wheel import (
    BFCL_LICENSE,
    BFCL_PACKAGE,
    BFCL_VERSION,
    bfcl_wheel,
    read_category,
)
from datagen.generators.toolpref.formats import (
    MalformedRow,
    check_calls_known,
    segment_conversation,
)
from datagen.generators.toolpref.layouts import Conversation
from datagen.generators.toolpref.row_layouts import (
    EXPERIMENTAL,
    LAYOUTS,
    Layout,
    row_layout,
)
from datagen.generators.toolpref.segment import segment
from datagen.schemas.records import Quarantined, SourceError, SourceRead

__all__ = [
    "BFCL_CATEGORIES",
    "SourceRead",
    "bfcl_part",
    "detect_format",
    "interleave_categories",
    "interleave_sources",
    "merge_reads",
    "read_bfcl",
    "read_hermes_jsonl",
    "read_openai_jsonl",
    "read_source",
    "read_sources",
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
BFCL_BENCH_SHARE = 0.6
"""Share of BFCL's tasks held out for TRBench-BFCL (1,397 tasks in the paper: 60 % of the
2,351 single-turn tasks), chosen by a hash of the task id so every run and machine agrees."""
BFCL_PARTS = ("train", "bench")

DETECT_ROWS = 100
"""Rows ``detect_format`` looks at before giving up: leading rows may lack tool calls."""


def bfcl_part(task_id: str) -> str:
    """``bench`` for the tasks TRBench-BFCL holds out, ``train`` for the rest."""
    bench = stable_int("bfcl-split", task_id) % 1000 < BFCL_BENCH_SHARE * 1000
    return "bench" if bench else "train"


def read_bfcl(
    *,
    part: str = "train",
    categories: Iterable[str] = BFCL_CATEGORIES,
    wheel: Path | None = None,
) -> SourceRead:
    """One part of BFCL's single-turn categories from the pinned bfcl-eval wheel (downloaded
    once): ``train`` (what ``--source bfcl`` reads) never holds a task of ``bench``, so data
    built from BFCL does not contaminate TRBench-BFCL."""
    if part not in BFCL_PARTS:
        raise SourceError(f"unknown BFCL part {part!r}; known: {', '.join(BFCL_PARTS)}")
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
            if bfcl_part(f"bfcl/{question.get('id')}") != part:
                continue
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
        "part": part,
        "bench_share": BFCL_BENCH_SHARE,
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


def read_openai_jsonl(path: Path, *, every_turn: bool = False) -> SourceRead:
    """OpenAI chat rows: ``{"messages": [...], "tools": [...]}``, calls in ``tool_calls``."""
    return _read_file(path, "openai", every_turn=every_turn)


def read_hermes_jsonl(path: Path, *, every_turn: bool = False) -> SourceRead:
    """Hermes function-calling rows (ShareGPT ``conversations`` or ``messages`` with blocks)."""
    return _read_file(path, "hermes", every_turn=every_turn)


def detect_format(path: Path) -> Layout:
    """The layout of a file's first rows that show one; a clear error when none does."""
    seen = 0
    for _, row, error in _load_rows(path):  # decodes only the rows it looks at
        if error is not None:
            continue
        if found := row_layout(row):
            return found
        seen += 1
        if seen == DETECT_ROWS:
            break
    if not seen:
        raise SourceError(f"{path}: no line is JSON{_first_error(path)}")
    raise SourceError(
        f"{path}: none of its first {seen} JSON rows is a tool-calling "
        'chat: expected OpenAI rows ({"messages": [...], "tools": [...]} with an assistant '
        '"tool_calls"), Hermes rows ({"conversations": [...]} or assistant text with '
        f"<tool_call> blocks) or one of the layouts {', '.join(sorted(LAYOUTS))} "
        "(--source-format forces one)"
    )


def read_source(source: str, *, fmt: str | None = None, every_turn: bool = False) -> SourceRead:
    """``"bfcl"`` (its train part; ``bfcl:bench`` the held-out part), ``hf:NAME[:SPLIT]``, or a
    file; the layout is ``fmt`` or read off the rows."""
    if fmt is not None and fmt not in LAYOUTS:
        raise SourceError(f"unknown source format {fmt!r}; known: {', '.join(LAYOUTS)}")
    if source == "bfcl":
        return read_bfcl(part="train")
    if source == "bfcl:bench":
        return read_bfcl(part="bench")
    if source.startswith("hf:"):
        return _read_hf(source.removeprefix("hf:"), fmt, every_turn=every_turn)
    path = Path(source)
    return _read_file(path, fmt or detect_format(path), every_turn=every_turn)


def read_sources(
    sources: Iterable[str], *, fmt: str | None = None, every_turn: bool = False
) -> list[SourceRead]:
    """Each source read on its own (its tasks keep its name in ``source``)."""
    return [read_source(source, fmt=fmt, every_turn=every_turn) for source in sources]


def merge_reads(reads: list[SourceRead]) -> SourceRead:
    """Several sources as one read; a task id two sources both give is a ``SourceError``."""
    if len(reads) == 1:
        return reads[0]
    seen: dict[str, int] = {}
    for index, read in enumerate(reads):
        for task in read.records:
            if (other := seen.setdefault(task["task_id"], index)) != index:
                names = [reads[i].lineage.get("source") for i in (other, index)]
                raise SourceError(
                    f"sources {names[0]} and {names[1]} (numbers {other + 1} and {index + 1}) "
                    f"both give task {task['task_id']}; rename one of the files"
                )
    return SourceRead(
        records=[task for read in reads for task in read.records],
        rejects=[reject for read in reads for reject in read.rejects],
        lineage={"source": "+".join(str(r.lineage.get("source")) for r in reads)},
    )


def _read_file(path: Path, fmt: Layout, *, every_turn: bool = False) -> SourceRead:
    rows = ((f"{path.stem}/{number}", row, error) for number, row, error in _load_rows(path))
    tasks, rejects = _read_rows(rows, fmt, source=path.name, every_turn=every_turn)
    lineage = {
        "source": path.name,
        "path": str(path.resolve()),
        "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
        "license": None,
        "format": fmt,
    }
    if fmt in EXPERIMENTAL:
        lineage["experimental"] = True
    return SourceRead(records=tasks, rejects=rejects, lineage=lineage)


def _read_hf(name: str, fmt: str | None, *, every_turn: bool) -> SourceRead:
    """A split of a Hugging Face dataset (a hub name in the local cache, or a folder)."""
    rows, lineage = hf_rows(name)
    dataset, _, split = name.partition(":")
    if fmt is None:
        found = [layout for row in rows[:DETECT_ROWS] if (layout := row_layout(row))]
        if not found:
            raise SourceError(f"hf:{name}: no row of a known layout ({', '.join(LAYOUTS)})")
        fmt = found[0]
    stem = f"{Path(dataset).name}-{split or 'train'}"
    numbered = ((f"{stem}/{number}", row, None) for number, row in enumerate(rows, 1))
    tasks, rejects = _read_rows(numbered, fmt, source=f"hf:{dataset}", every_turn=every_turn)
    return SourceRead(records=tasks, rejects=rejects, lineage=lineage | {"format": fmt})


def _read_rows(
    rows: Iterable[tuple[str, object, str | None]], fmt: Layout, *, source: str, every_turn: bool
) -> tuple[list[dict[str, Any]], list[Quarantined]]:
    """Every row's tasks, and a reject for each row (or turn) that gives none."""
    tasks: list[dict[str, Any]] = []
    rejects: list[Quarantined] = []
    for record_id, row, error in rows:
        try:
            if error is not None:
                raise MalformedRow("invalid_json", error)
            conversations = _conversations(row, fmt)
            for index, (messages, tools) in enumerate(conversations, 1):
                where = record_id if len(conversations) == 1 else f"{record_id}.{index}"
                cut = segment(
                    messages, tools, record_id=where, source=source, every_turn=every_turn
                )
                tasks += cut.tasks
                rejects += cut.drops
        except MalformedRow as bad:
            record = row if isinstance(row, dict) else {"raw": row}
            rejects.append(Quarantined(record_id, str(bad), record))
    return tasks, rejects


def _conversations(row: object, fmt: Layout) -> list[Conversation]:
    if not isinstance(row, dict):
        raise MalformedRow("invalid_row", f"row is a {type(row).__name__}, not an object")
    return LAYOUTS[fmt](row)


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


def interleave_sources(tasks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Round-robin over sources (in the order they first appear), each source's tasks in
    ``interleave_categories`` order: a limited run of several sources takes from each."""
    sources = list(dict.fromkeys(task["source"] for task in tasks))
    queues = [interleave_categories([t for t in tasks if t["source"] == s]) for s in sources]
    rounds = itertools.zip_longest(*queues)
    return [task for round_ in rounds for task in round_ if task is not None]
