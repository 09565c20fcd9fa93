"""Pairwise critique tasks: each pair as a critic's prompt with a verifiable answer.

The prompt is ToolRM's single user message (``critique_prompt``); the answer format is ToolRM's:
an ``<evaluation>`` that explains the verdict from the rule-based scores, then
``<choice>\\nN\\n</choice>``. With ``orders="both"`` every pair is shown twice (chosen first,
then second), which makes the labels exactly 50/50 and removes position bias from training;
with ``"swap"`` each pair is shown once and a shard's labels alternate over a seeded order,
so they stay within one of 50/50 at a row per pair.

Schema ``toolpref/critique.v2`` (``critique.v1`` rows, published before, stay readable: a
system message plus the user turn, calls as JSON, no mode or ground truth).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path
from typing import overload

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from datagen.generators.sampling import stable_int
from datagen.generators.toolpref.critique_prompt import (
    BUILTIN_TEMPLATES,
    NO_THINK_SWITCH,
    fill_template,
    load_template,
    render_conversation,
    render_response,
    render_tools,
)
from datagen.schemas import table_to_records
from datagen.schemas.records import Record

CRITIQUE_SCHEMA = "toolpref/critique.v2"
PART_ORDER = [("_rank", "ascending"), ("label", "ascending")]

ORDERS = ("both", "swap")
MODES = ("think", "no_think", "mixed")
PARSERS = ("strict", "lenient")
"""``verifiers.critique``'s choice parsers; a row names the one its reward uses."""


@dataclass(frozen=True, kw_only=True)
class CritiqueConfig:
    """How pairs become critique rows."""

    orders: str = "both"
    """``both``: every pair twice, chosen first then second; ``swap``: one row per pair, the
    chosen response's position drawn by seed."""
    mode: str = "think"
    """``think`` (reasoning allowed), ``no_think`` (answer at once), or ``mixed`` (by seed)."""
    prompt_template: str | None = None
    """A template file for the user message, replacing the built-in one
    (placeholders: ``critique_prompt``)."""
    seed: int = 0
    parser: str = "strict"
    """The reward's ``<choice>`` parser, written on every row: ``strict`` (ToolRM's released
    reward: the first ``<choice>\\nN\\n</choice>``) or ``lenient``."""

    def __post_init__(self) -> None:
        for name, value, known in [
            ("orders", self.orders, ORDERS),
            ("mode", self.mode, MODES),
            ("parser", self.parser, PARSERS),
        ]:
            if value not in known:
                raise ValueError(f"critique {name} must be one of {', '.join(known)}: {value!r}")
        if self.prompt_template is not None:
            load_template(self.prompt_template)  # a bad file fails here, not mid-run

    def mode_of(self, pair_id: str) -> str:
        """``think`` or ``no_think`` for one pair (``mixed``: half each, by seed)."""
        if self.mode != "mixed":
            return self.mode
        return ("think", "no_think")[stable_int(self.seed, "mode", pair_id) % 2]

    def prompt(self, mode: str, values: dict[str, str]) -> str:
        """The user message of one row: the template filled, and the no-think switch."""
        template = (
            load_template(self.prompt_template)
            if self.prompt_template is not None
            else BUILTIN_TEMPLATES[mode]
        )
        text = fill_template(template, values)
        return text + NO_THINK_SWITCH if mode == "no_think" else text


@dataclass(frozen=True)
class RenderedTask:
    """The parts of a critique row that depend on the task alone, rendered once per task
    (rendering them per row was most of selection's time, ``bench/orchestration.py``)."""

    task_id: str
    conversation_text: str
    tools_text: str
    conversation_json: str
    tools_json: str
    ground_truth_json: str

    @classmethod
    def of(cls, task: Record) -> RenderedTask:
        return cls(
            task_id=task["task_id"],
            conversation_text=render_conversation(task["messages"]),
            tools_text=render_tools(task["tools"]),
            conversation_json=json.dumps(task["messages"], ensure_ascii=False),
            tools_json=json.dumps(task["tools"], ensure_ascii=False),
            ground_truth_json=json.dumps(task["ground_truth"], ensure_ascii=False),
        )


def _judgement(position: int, score: float, reason: str) -> str:
    if score >= 1.0:
        return f"Response {position} makes the required calls with acceptable arguments."
    return f"Response {position} is flawed ({reason}); its rule-based score is {score:.2f}."


def critique_answer(
    *, label: int, score_1: float, score_2: float, reason_1: str, reason_2: str
) -> str:
    """The reference answer: an evaluation built from the verifier's reasons, then the choice.

    It has no reasoning before the evaluation in either mode (the rule-based reasons are all
    there is to say), so it is also the no-think answer.
    """
    evaluation = " ".join(
        [
            _judgement(1, score_1, reason_1),
            _judgement(2, score_2, reason_2),
            f"Response {label} is therefore better.",
        ]
    )
    return f"<evaluation>{evaluation}</evaluation>\n<choice>\n{label}\n</choice>"


def critique_rows(
    pair: Record,
    task: Record,
    *,
    config: CritiqueConfig | None = None,
    labels: Sequence[int] = (1, 2),
    rendered: RenderedTask | None = None,
) -> list[Record]:
    """One row per label: label 1 shows the chosen response first, label 2 second.

    ``labels`` is ``(1, 2)`` for both orders, or the one label ``shard_critique_rows`` drew;
    ``rendered`` is ``RenderedTask.of(task)``, passed by callers that make several pairs of
    one task.
    """
    config = config or CritiqueConfig()
    rendered = rendered or RenderedTask.of(task)
    mode = config.mode_of(pair["pair_id"])
    shown = {side: render_response(pair[f"{side}_text"]) for side in ("chosen", "rejected")}
    rows = []
    for label in labels:
        first, second = ("chosen", "rejected") if label == 1 else ("rejected", "chosen")
        values = {
            "conversation": rendered.conversation_text,
            "tools": rendered.tools_text,
            "response_1": shown[first],
            "response_2": shown[second],
        }
        score_1, score_2 = pair[f"{first}_score"], pair[f"{second}_score"]
        rows.append(
            {
                "row_id": f"{pair['pair_id']}#{label}",
                "pair_id": pair["pair_id"],
                "task_id": pair["task_id"],
                "source": pair["source"],
                "category": pair["category"],
                "prompt": [{"role": "user", "content": config.prompt(mode, values)}],
                "answer": critique_answer(
                    label=label,
                    score_1=score_1,
                    score_2=score_2,
                    reason_1=pair[f"{first}_reason"],
                    reason_2=pair[f"{second}_reason"],
                ),
                "label": label,
                "mode": mode,
                "parser": config.parser,
                "conversation": rendered.conversation_json,
                "tools": rendered.tools_json,
                "ground_truth": rendered.ground_truth_json,
                "response_1": pair[f"{first}_text"],
                "response_2": pair[f"{second}_text"],
                "score_1": score_1,
                "score_2": score_2,
                "complexity": pair["complexity"],
                "intensity": pair["intensity"],
            }
        )
    return rows


def swap_labels(pair_ids: Sequence[str], *, seed: int) -> dict[str, int]:
    """Each pair's one label for ``orders="swap"``: alternating over a seeded order of the
    pairs, so 1s and 2s differ by at most one; the first label is drawn too, so odd shards
    do not all favour label 1."""
    ranked = sorted(pair_ids, key=lambda pair_id: stable_int(seed, "order", pair_id))
    first = stable_int(seed, "first", *ranked) % 2
    return {pair_id: 1 + (first + i) % 2 for i, pair_id in enumerate(ranked)}


def shard_critique_rows(
    pairs: list[Record], tasks: dict[str, Record], *, config: CritiqueConfig | None = None
) -> list[Record]:
    """The critique rows of a shard's pairs in both orders (a task's pairs come together, so
    each task is rendered once). With ``orders="swap"`` the selector keeps one row of each
    pair it keeps, by ``swap_labels`` over all of them, so the labels balance over the run."""
    config = config or CritiqueConfig()
    rows: list[Record] = []
    rendered: RenderedTask | None = None
    for pair in pairs:
        task = tasks[pair["task_id"]]
        if rendered is None or rendered.task_id != task["task_id"]:
            rendered = RenderedTask.of(task)
        rows += critique_rows(pair, task, config=config, labels=(1, 2), rendered=rendered)
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

    def add(
        self, table: pa.Table, rank: Mapping[str, int], label_of: Mapping[str, int] | None = None
    ) -> None:
        """The rows (as ``records_to_table`` encodes them) whose pair has a rank, and, given
        ``label_of``, only the row of each pair with its label."""
        if table.num_rows == 0:
            return
        pair_ids = table["pair_id"].to_pylist()
        ranks = pa.array([rank.get(p) for p in pair_ids], pa.int64())
        keep = pc.is_valid(ranks)
        if label_of is not None:
            wanted = pa.array([label_of.get(p, 0) for p in pair_ids], pa.int64())
            keep = pc.and_(keep, pc.equal(table["label"].cast(pa.int64()), wanted))
        table = table.append_column("_rank", ranks).filter(keep)
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
