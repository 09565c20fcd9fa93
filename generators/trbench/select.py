"""TRBench-BFCL's selection: scored shards → critique rows in both orders, with error types.

Fed one shard at a time, as soon as it is scored (``Selector.add``); the rows go to Parquet
parts through ToolPref's ``CritiquePartWriter``, so memory holds a shard, not the benchmark.
Rows are ToolPref's critique rows (``critique_rows``, both orders: labels 1 and 2) plus the
rejected answer's BFCL ``error_type``, schema ``trbench/critique.v1``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pyarrow.parquet as pq

from datagen.generators.toolpref.critique_rows import (
    CritiqueConfig,
    CritiquePartWriter,
    shard_critique_rows,
)
from datagen.generators.toolpref.pipeline import ShardInputs
from datagen.generators.trbench.pairs import NO_PAIR_REASONS, bench_pairs
from datagen.schemas import first_error, records_to_table, table_to_records
from datagen.schemas.records import Quarantined, Record, StageCounts

TRBENCH_SCHEMA = "trbench/critique.v1"
TASK_SCHEMA = "toolpref/task.v1"
CANDIDATE_SCHEMA = "toolpref/candidate.v1"
CANDIDATE_COLUMNS = [
    "candidate_id", "task_id", "sample_index", "engine", "valid", "score", "response", "reason",
    "error_type",
]  # fmt: skip


PAPER = "paper: 2,983 pairs over 1,397 BFCL tasks"
"""ToolRM's TRBench-BFCL, which the report sets beside the run's."""


@dataclass
class BenchSelection:
    """The pair and critique stages' counts, the rows' Parquet parts, the rows that failed
    the schema, the labels' counts, and what the report shows: pairs per category, rejected
    answers per BFCL error type, tasks without a pair per reason."""

    counts: list[StageCounts]
    parts: list[Path]
    pairs: int
    quarantined: list[Quarantined]
    labels: dict[str, int]
    pairs_by_category: dict[str, int]
    error_types: dict[str, int]
    no_pair: dict[str, int]

    def notes(self) -> list[str]:
        tasks = self.counts[0].n_out
        return [
            f"pairs: {self.pairs} over {tasks} tasks, each in both orders ({PAPER})",
            "generate: each task's concrete ground truth joins its samples as one more "
            "candidate, checked by BFCL like them (it must pass, or the task gives no pair)",
        ]

    def distributions(self) -> dict[str, dict[str, int]]:
        return {
            "pairs by category": self.pairs_by_category,
            "rejected answers by BFCL error type": self.error_types,
            "tasks without a pair": self.no_pair,
            "labels": self.labels,
        }

    def stats(self) -> dict[str, object]:
        return {
            "pairs": self.pairs,
            "labels": self.labels,
            "pairs_by_category": self.pairs_by_category,
            "error_types": self.error_types,
            "no_pair": self.no_pair,
        }


class Selector:
    """Pairs and critique rows of each scored shard; ``finish`` sorts and closes the parts."""

    def __init__(
        self, *, work_dir: Path, critique: CritiqueConfig, pairs_per_part: int = 25_000
    ) -> None:
        self.critique = critique
        self._parts = CritiquePartWriter(work_dir, pairs_per_part=pairs_per_part)
        self._rank: dict[str, int] = {}
        self._tasks, self._rows = 0, 0
        self._categories: Counter[str] = Counter()
        self._error_types: Counter[str] = Counter()
        self._no_pair: Counter[str] = Counter()
        self._quarantined: list[Quarantined] = []

    def add(self, shard: ShardInputs) -> None:
        tasks = _read(shard.tasks, TASK_SCHEMA)
        candidates = _read(shard.candidates, CANDIDATE_SCHEMA, CANDIDATE_COLUMNS)
        by_task: dict[str, list[Record]] = {}
        for candidate in candidates:
            by_task.setdefault(candidate["task_id"], []).append(candidate)
        pairs: list[Record] = []
        for task in tasks:
            task_pairs, reason = bench_pairs(task, by_task.get(task["task_id"], []))
            pairs += task_pairs
            self._no_pair.update([reason] if reason else [])
        self._tasks += len(tasks)
        self._categories.update(p["category"] for p in pairs)
        self._error_types.update(p["error_type"] for p in pairs)
        error_type = {p["pair_id"]: p["error_type"] for p in pairs}
        tasks_by_id = {t["task_id"]: t for t in tasks}
        valid = []
        for row in shard_critique_rows(pairs, tasks_by_id, config=self.critique):
            row["error_type"] = error_type[row["pair_id"]]
            if (reason := first_error(TRBENCH_SCHEMA, row)) is None:
                valid.append(row)
            else:
                self._quarantined.append(Quarantined(str(row["row_id"]), reason, row))
        self._rank |= {p["pair_id"]: len(self._rank) + i for i, p in enumerate(pairs)}
        self._parts.add(records_to_table(TRBENCH_SCHEMA, valid), self._rank)
        self._rows += len(valid)

    def finish(self) -> BenchSelection:
        rows, labels = self._parts.finish()
        n_pairs = len(self._rank)
        with_pairs = self._tasks - sum(self._no_pair.values())
        counts = [
            StageCounts("pair", self._tasks, with_pairs, self._tasks - with_pairs),
            StageCounts("critique", 2 * n_pairs, self._rows, 0, len(self._quarantined)),
        ]
        return BenchSelection(
            counts=counts,
            parts=rows.files,
            pairs=n_pairs,
            quarantined=self._quarantined,
            labels=labels,
            pairs_by_category=dict(self._categories.most_common()),
            error_types=dict(self._error_types.most_common()),
            no_pair={reason: self._no_pair[reason] for reason in NO_PAIR_REASONS},
        )


def _read(path: Path, schema_id: str, columns: list[str] | None = None) -> list[Record]:
    return table_to_records(schema_id, pq.read_table(path, columns=columns))
