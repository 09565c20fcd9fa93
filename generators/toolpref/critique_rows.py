"""Pairwise critique tasks: each pair, shown in both orders, with a verifiable answer.

The answer format is ToolRM's: an ``<evaluation>`` that explains the verdict from the
rule-based scores, then ``<choice>\\nN\\n</choice>``. Emitting every pair twice (chosen first,
then chosen second) makes the labels exactly 50/50 and removes position bias from training.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import accumulate
from json.encoder import INFINITY as INF
from json.encoder import encode_basestring
from pathlib import Path
from typing import overload

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from datagen.schemas import table_to_records
from datagen.schemas.records import Record

CRITIQUE_SCHEMA = "toolpref/critique.v1"
PART_ORDER = [("_rank", "ascending"), ("label", "ascending")]

CRITIC_SYSTEM_PROMPT = (
    "You are an expert judge of tool use. Given a conversation, the functions available to "
    "the assistant and two candidate responses that call those functions, decide which "
    "response calls the right functions with the right arguments. Explain your judgement "
    "inside <evaluation></evaluation>, then give the number of the better response inside "
    "<choice></choice>, on its own line."
)


def _render_conversation(messages: list[dict]) -> str:
    lines = []
    for message in messages:
        content = message.get("content") or ""
        if message.get("tool_calls"):
            content = (content + "\n" if content else "") + json.dumps(
                message["tool_calls"], ensure_ascii=False
            )
        lines.append(f"[{message.get('role', 'unknown')}] {content}")
    return "\n".join(lines)


class _Unusual(Exception):
    """A value json would coerce (a non-string key, a non-JSON type): let json render it."""


def indented_json(value: object) -> str:
    """``json.dumps(value, ensure_ascii=False, indent=1)``, about 3x faster for decoded JSON.

    json's ``indent`` path runs its pure-Python encoder; critique prompts render every task's
    tools that way, which was most of selection's time. Anything but plain JSON values falls
    back to ``json.dumps`` itself, so the text is always json's.
    """
    parts: list[str] = []
    try:
        _encode(value, parts, "\n")
    except _Unusual:
        return json.dumps(value, ensure_ascii=False, indent=1)
    return "".join(parts)


def _encode(value: object, parts: list[str], newline: str) -> None:
    if isinstance(value, str):
        parts.append(encode_basestring(value))
    elif value is None or value is True or value is False:
        parts.append({None: "null", True: "true", False: "false"}[value])
    elif isinstance(value, int | float) and type(value) in (int, float):
        parts.append(json.dumps(value) if value != value or value in (INF, -INF) else repr(value))
    elif isinstance(value, list | tuple) and value:
        inner = newline + " "
        for index, item in enumerate(value):
            parts.append(("[" if index == 0 else ",") + inner)
            _encode(item, parts, inner)
        parts.append(newline + "]")
    elif isinstance(value, dict) and value:
        inner = newline + " "
        for index, (key, item) in enumerate(value.items()):
            if not isinstance(key, str):
                raise _Unusual
            parts.append(("{" if index == 0 else ",") + inner + encode_basestring(key) + ": ")
            _encode(item, parts, inner)
        parts.append(newline + "}")
    elif isinstance(value, list | tuple | dict):
        parts.append("[]" if isinstance(value, list | tuple) else "{}")
    else:
        raise _Unusual


@dataclass(frozen=True)
class RenderedTask:
    """The parts of a critique row that depend on the task alone, rendered once per task.

    Rendering the tools with ``indent`` runs json's pure-Python encoder; doing it once per
    task rather than per row cut selection time by about two thirds (``bench/orchestration.py``).
    """

    task_id: str
    conversation_text: str
    tools_text: str
    conversation_json: str
    tools_json: str

    @classmethod
    def of(cls, task: Record) -> RenderedTask:
        return cls(
            task_id=task["task_id"],
            conversation_text=_render_conversation(task["messages"]),
            tools_text=indented_json(task["tools"]),
            conversation_json=json.dumps(task["messages"], ensure_ascii=False),
            tools_json=json.dumps(task["tools"], ensure_ascii=False),
        )


def _prompt(rendered: RenderedTask, response_1: str, response_2: str) -> str:
    return (
        "## Conversation\n"
        f"{rendered.conversation_text}\n\n"
        "## Available functions\n"
        f"{rendered.tools_text}\n\n"
        f"## Response 1\n{response_1}\n\n"
        f"## Response 2\n{response_2}\n\n"
        "Which response is better? Answer with <evaluation>...</evaluation> followed by "
        "<choice>\n1 or 2\n</choice>."
    )


def _judgement(position: int, score: float, reason: str) -> str:
    if score >= 1.0:
        return f"Response {position} makes the required calls with acceptable arguments."
    return f"Response {position} is flawed ({reason}); its rule-based score is {score:.2f}."


def critique_answer(
    *, label: int, score_1: float, score_2: float, reason_1: str, reason_2: str
) -> str:
    """The reference answer: an evaluation built from the verifier's reasons, then the choice."""
    evaluation = " ".join(
        [
            _judgement(1, score_1, reason_1),
            _judgement(2, score_2, reason_2),
            f"Response {label} is therefore better.",
        ]
    )
    return f"<evaluation>{evaluation}</evaluation>\n<choice>\n{label}\n</choice>"


def critique_rows(
    pair: Record, task: Record, *, rendered: RenderedTask | None = None
) -> list[Record]:
    """Two rows for one pair: chosen as response 1 (label 1) and as response 2 (label 2).

    ``rendered`` is ``RenderedTask.of(task)``, passed by callers that make several pairs of
    one task.
    """
    if rendered is None:
        rendered = RenderedTask.of(task)
    rows = []
    for label in (1, 2):
        first, second = ("chosen", "rejected") if label == 1 else ("rejected", "chosen")
        response_1, response_2 = pair[f"{first}_text"], pair[f"{second}_text"]
        score_1, score_2 = pair[f"{first}_score"], pair[f"{second}_score"]
        rows.append(
            {
                "row_id": f"{pair['pair_id']}#{label}",
                "pair_id": pair["pair_id"],
                "task_id": pair["task_id"],
                "source": pair["source"],
                "category": pair["category"],
                "prompt": [
                    {"role": "system", "content": CRITIC_SYSTEM_PROMPT},
                    {
                        "role": "user",
                        "content": _prompt(rendered, response_1, response_2),
                    },
                ],
                "answer": critique_answer(
                    label=label,
                    score_1=score_1,
                    score_2=score_2,
                    reason_1=pair[f"{first}_reason"],
                    reason_2=pair[f"{second}_reason"],
                ),
                "label": label,
                "conversation": rendered.conversation_json,
                "tools": rendered.tools_json,
                "response_1": response_1,
                "response_2": response_2,
                "score_1": score_1,
                "score_2": score_2,
                "complexity": pair["complexity"],
                "intensity": pair["intensity"],
            }
        )
    return rows


class CritiqueRows(Sequence[Record]):
    """Critique rows kept in Parquet parts and decoded part by part: a read-only list that
    publishing can slice without ever holding every row (and its prompt) in memory."""

    def __init__(self, files: Sequence[Path], lengths: Sequence[int]) -> None:
        self.files = list(files)
        self._starts = list(accumulate(lengths, initial=0))

    def __len__(self) -> int:
        return self._starts[-1]

    @overload
    def __getitem__(self, index: int) -> Record: ...
    @overload
    def __getitem__(self, index: slice) -> list[Record]: ...
    def __getitem__(self, index: int | slice) -> Record | list[Record]:
        if isinstance(index, int):
            position = range(len(self))[index]  # IndexError when out of range
            return self[position : position + 1][0]
        start, stop, step = index.indices(len(self))
        if step != 1:
            raise ValueError(f"critique rows are sliced in order only, got step {step}")
        rows: list[Record] = []
        for path, first, end in zip(self.files, self._starts, self._starts[1:], strict=False):
            low, high = max(start, first), min(stop, end)
            if low < high:
                table = pq.read_table(path).slice(low - first, high - low)
                rows += table_to_records(CRITIQUE_SCHEMA, table)
        return rows

    def __iter__(self) -> Iterator[Record]:
        for path in self.files:
            yield from table_to_records(CRITIQUE_SCHEMA, pq.read_table(path))


class CritiquePartWriter:
    """Critique rows into parts by their pair's rank, each part sorted by (rank, label) when
    finished: rows arrive shard by shard but are published in pair-id order.

    Rows wait in memory until they outnumber a part, then go to their part's file; so at most
    about two parts' rows are ever in memory, and a run of one part writes it once.
    """

    def __init__(self, folder: Path, *, pairs_per_part: int) -> None:
        self.folder, self.pairs_per_part = folder, pairs_per_part
        self._waiting: dict[int, list[pa.Table]] = {}
        self._writers: dict[int, pq.ParquetWriter] = {}

    def add(self, table: pa.Table, rank: Mapping[str, int]) -> None:
        """The rows (as ``records_to_table`` encodes them) whose pair has a rank."""
        if table.num_rows == 0:
            return
        ranks = pa.array([rank.get(p) for p in table["pair_id"].to_pylist()], pa.int64())
        table = table.append_column("_rank", ranks).filter(pc.is_valid(ranks))
        part_of = pc.divide(table["_rank"], self.pairs_per_part)  # integer division
        for number in pc.unique(part_of).to_pylist():
            self._waiting.setdefault(number, []).append(table.filter(pc.equal(part_of, number)))
        if sum(t.num_rows for ts in self._waiting.values() for t in ts) > 2 * self.pairs_per_part:
            self._spill()

    def _spill(self) -> None:
        for number, tables in self._waiting.items():
            if number not in self._writers:
                path = self.folder / f"unsorted-{number:05d}.parquet"
                self._writers[number] = pq.ParquetWriter(path, tables[0].schema)
            for table in tables:
                self._writers[number].write_table(table.cast(self._writers[number].schema))
        self._waiting = {}

    def finish(self) -> tuple[CritiqueRows, dict[str, int]]:
        """The sorted rows and the count of each label."""
        files, lengths, labels = [], [], Counter({"1": 0, "2": 0})
        for number in sorted(self._waiting.keys() | self._writers.keys()):
            pieces = self._waiting.pop(number, [])
            if number in self._writers:
                self._writers.pop(number).close()
                unsorted = self.folder / f"unsorted-{number:05d}.parquet"
                pieces.insert(0, pq.read_table(unsorted))
                unsorted.unlink()
            table = pa.concat_tables(pieces, promote_options="permissive").sort_by(PART_ORDER)
            files.append(self.folder / f"critique-{number:05d}.parquet")
            pq.write_table(table.drop_columns(["_rank"]), files[-1], compression="zstd")
            lengths.append(table.num_rows)
            labels.update({str(k): n for k, n in Counter(table["label"].to_pylist()).items()})
        return CritiqueRows(files, lengths), dict(labels)
