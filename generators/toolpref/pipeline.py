"""ToolPref-Pairwise as plain stage functions: score → select (generation is
``generate.generate_stage``; the source stage is ``datagen.generators.sources.source_stage``
with ``interleave_sources`` as its order).

Each returns counts that add up (a ``StageOutcome``, or ``StageCounts`` for selection, which
streams over the shard files so that its memory stays flat as a run grows); the flow in
``flows/toolpref.py`` only wires them to storage and Prefect.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pyarrow.parquet as pq

from datagen.generators.toolpref.critique_rows import (
    CRITIQUE_SCHEMA,
    CritiqueConfig,
    CritiquePartWriter,
    CritiqueRows,
    shard_critique_rows,
    swap_labels,
)
from datagen.generators.toolpref.pairs import (
    DIFFICULTY_REASONS,
    MAX_COMPLEXITY,
    TOO_COMPLEX,
    BalanceReport,
    PairingConfig,
    balance_pairs,
    difficulty_drops,
    make_pairs,
    pair_statistics,
    task_complexity,
)
from datagen.generators.toolpref.score import score_candidate, task_calls, task_checker
from datagen.schemas import first_error, records_to_table, table_to_records
from datagen.schemas.records import Quarantined, Record, StageCounts, StageOutcome
from datagen.verifiers.toolcall import ToolCallChecker

TASK_SCHEMA = "toolpref/task.v1"
CANDIDATE_SCHEMA = "toolpref/candidate.v1"


def score_stage(
    candidates: Sequence[Record], tasks: Sequence[Record], *, rule: str = "toolrm"
) -> StageOutcome:
    """Score every candidate by ``rule`` (``score.RULES``); a task's K candidates share one
    BFCL checker or one concrete ground truth (read once)."""
    by_id = {t["task_id"]: t for t in tasks}
    shared: dict[str, ToolCallChecker | list[dict]] = {}
    records = []
    for candidate in candidates:
        task = by_id[candidate["task_id"]]
        if (reading := shared.get(task["task_id"])) is None:
            reading = task_checker(task) if rule == "bfcl" else task_calls(task)
            shared[task["task_id"]] = reading
        if isinstance(reading, ToolCallChecker):
            records.append(score_candidate(candidate, task, rule=rule, checker=reading))
        else:
            records.append(score_candidate(candidate, task, rule=rule, expected=reading))
    return StageOutcome(stage="score", n_in=len(candidates), records=records).check()


@dataclass(frozen=True)
class ShardInputs:
    """A task shard and the scored candidates generated from it (Parquet files).

    A task's candidates never span shards, so each shard is paired on its own.
    """

    tasks: Path
    candidates: Path


@dataclass
class Selection:
    """Selection's counts (difficulty_filter, pair, balance, critique), its valid critique
    rows (on disk, in pair-id order), the rows that failed the schema, the balance, the tasks
    the filter dropped by reason (``too_easy``, ``too_difficult``, ``too_complex``) and the
    kept pairs' statistics (``pair_statistics``)."""

    counts: list[StageCounts]
    rows: CritiqueRows
    quarantined: list[Quarantined]
    balance: BalanceReport
    labels: dict[str, int]
    difficulty: dict[str, int]
    statistics: dict[str, object]


CANDIDATE_COLUMNS = [
    "candidate_id", "task_id", "sample_index", "valid", "score", "response", "reason"
]  # fmt: skip
BUCKET_FIELDS = ("intensity", "source", "category")
"""What balancing reads of a pair besides its id and complexity; few distinct values, so
interned."""
STAT_FIELDS = ("complexity", "chosen_score", "rejected_score")
"""What the report's statistics read of a kept pair (numbers, with the turns of its task)."""


class Selector:
    """Difficulty filter, pairing, balancing and critique rows, fed one shard at a time.

    ``add`` filters, pairs and writes the critique rows (validated) of one shard, so a flow
    can select each shard as soon as it is scored, while the engine works on later ones;
    ``finish`` balances every pair and orders the kept rows by pair id. Memory stays flat:
    a shard's records while it is added, and over the run only each pair's id and buckets.
    """

    def __init__(
        self,
        *,
        config: PairingConfig,
        work_dir: Path,
        critique: CritiqueConfig | None = None,
        rows_per_part: int = 50_000,
    ):
        self.config, self.work_dir = config, work_dir
        self.critique = critique or CritiqueConfig()
        self.pairs_per_part = max(1, rows_per_part // 2)
        self._tally: Counter[str] = Counter()
        self._keys: list[Record] = []
        self._row_files: list[Path] = []
        self._invalid: list[tuple[str, int, Quarantined]] = []

    def add(self, shard: ShardInputs) -> None:
        tasks = _read(shard.tasks, TASK_SCHEMA)
        candidates = _read(shard.candidates, CANDIDATE_SCHEMA, CANDIDATE_COLUMNS)
        pairs = _pair_shard(tasks, candidates, config=self.config, tally=self._tally)
        turns = {t["task_id"]: len(t["messages"]) for t in tasks}
        self._keys += [
            {"pair_id": p["pair_id"], "turns": turns[p["task_id"]]}
            | {k: sys.intern(p[k]) for k in BUCKET_FIELDS}
            | {k: p[k] for k in STAT_FIELDS}
            for p in pairs
        ]
        valid = []
        tasks_by_id = {t["task_id"]: t for t in tasks}
        for row in shard_critique_rows(pairs, tasks_by_id, config=self.critique):
            if (reason := first_error(CRITIQUE_SCHEMA, row)) is None:
                valid.append(row)
            else:  # quarantined only if balancing keeps its pair, as before streaming
                entry = Quarantined(str(row["row_id"]), reason, row)
                self._invalid.append((row["pair_id"], row["label"], entry))
        self._row_files.append(self.work_dir / f"rows-{len(self._row_files):05d}.parquet")
        pq.write_table(records_to_table(CRITIQUE_SCHEMA, valid), self._row_files[-1])

    def finish(self) -> Selection:
        balanced, report = balance_pairs(self._keys, config=self.config)
        rank = {p["pair_id"]: i for i, p in enumerate(balanced)}  # balanced is in pair-id order
        self._keys, statistics = [], pair_statistics(balanced)
        label_of = (
            swap_labels(list(rank), seed=self.critique.seed)
            if self.critique.orders == "swap"
            else None
        )
        parts = CritiquePartWriter(self.work_dir, pairs_per_part=self.pairs_per_part)
        for path in self._row_files:
            parts.add(pq.read_table(path), rank, label_of)
            path.unlink()
        kept_invalid = [
            (rank[p], label, q)
            for p, label, q in self._invalid
            if p in rank and (label_of is None or label_of[p] == label)
        ]
        quarantined = sorted(kept_invalid, key=lambda entry: entry[:2])
        rows, labels = parts.finish()
        tally, n_kept = self._tally, len(balanced)
        rows_per_pair = 1 if label_of is not None else 2
        counts = [
            StageCounts("difficulty_filter", tally["with_candidates"], tally["informative"],
                        tally["with_candidates"] - tally["informative"]),
            StageCounts("pair", tally["considered"], tally["pairs"],
                        tally["considered"] - tally["pairs"]),
            StageCounts("balance", tally["pairs"], n_kept, tally["pairs"] - n_kept),
            StageCounts("critique", rows_per_pair * n_kept, len(rows), 0, len(quarantined)),
        ]  # fmt: skip
        difficulty = {reason: tally[reason] for reason in (*DIFFICULTY_REASONS, TOO_COMPLEX)}
        kept = [q for *_, q in quarantined]
        return Selection(counts, rows, kept, report, labels, difficulty, statistics)


def _read(path: Path, schema_id: str, columns: list[str] | None = None) -> list[Record]:
    present = pq.read_schema(path).names
    wanted = None if columns is None else [c for c in columns if c in present]
    return table_to_records(schema_id, pq.read_table(path, columns=wanted))


def _pair_shard(
    tasks: list[Record], candidates: list[Record], *, config: PairingConfig, tally: Counter
) -> list[Record]:
    """One shard's pairs, in task order; adds the shard's counts to ``tally``."""
    drops = difficulty_drops(candidates) if config.difficulty_filter else {}
    by_task: dict[str, list[Record]] = {}
    for candidate in candidates:
        by_task.setdefault(candidate["task_id"], []).append(candidate)
    if strays := sorted(by_task.keys() - {t["task_id"] for t in tasks})[:3]:
        raise ValueError(f"scored candidates of tasks {strays} are not in their task shard")
    with_candidates = [t for t in tasks if t["task_id"] in by_task]
    for task in with_candidates:
        if task_complexity(task["ground_truth"]) > MAX_COMPLEXITY:
            drops[task["task_id"]] = TOO_COMPLEX
    informative = [t for t in with_candidates if t["task_id"] not in drops]
    tally.update(drops[t["task_id"]] for t in with_candidates if t["task_id"] in drops)
    pairs: list[Record] = []
    for task in informative:
        own = sorted(by_task[task["task_id"]], key=lambda c: c["sample_index"])
        task_pairs, rejected = make_pairs(task, own, config=config)
        tally["considered"] += len(task_pairs) + rejected
        pairs += task_pairs
    tally.update(
        with_candidates=len(with_candidates), informative=len(informative), pairs=len(pairs)
    )
    return pairs
