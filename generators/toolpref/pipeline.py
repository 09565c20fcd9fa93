"""ToolPref-Pairwise as plain stage functions: source → generate → score → select.

Each returns a ``StageOutcome`` whose counts add up; the flow in ``flows/toolpref.py`` only
wires them to storage and Prefect.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from datagen.generators.engines.base import Engine, Result
from datagen.generators.outcome import Quarantined, Record, StageOutcome
from datagen.generators.toolpref.critique_rows import critique_rows
from datagen.generators.toolpref.generate import (
    GenerationConfig,
    candidate_records,
    plan_samples,
)
from datagen.generators.toolpref.pairs import (
    BalanceReport,
    PairingConfig,
    balance_pairs,
    make_pairs,
    uniform_score_tasks,
)
from datagen.generators.toolpref.score import score_candidate
from datagen.generators.toolpref.sources import SourceRead, interleave_categories, take


def source_stage(read: SourceRead, *, limit: int | None) -> StageOutcome:
    """Tasks in the interleaved order, the first ``limit`` kept; rejected rows quarantined."""
    ordered = interleave_categories(read.tasks)
    kept = take(ordered, limit)
    return StageOutcome(
        stage="source",
        n_in=len(read.tasks) + len(read.rejects),
        records=kept,
        n_filtered=len(ordered) - len(kept),
        quarantined=[Quarantined(r.record_id, r.reason, r.record) for r in read.rejects],
    ).check()


def generate_stage(
    tasks: Sequence[Record], *, engines: Callable[[str], Engine], config: GenerationConfig
) -> StageOutcome:
    """One engine call per engine for the whole shard: every task × every sample of the plan.

    ``engines`` maps a plan's engine spec to the (already loaded) engine.
    """
    planned = plan_samples(tasks, config=config)
    by_engine: dict[str, list[int]] = {}
    for index, sample in enumerate(planned):
        by_engine.setdefault(sample.cell.engine, []).append(index)
    results: list[Result | None] = [None] * len(planned)
    for spec, indices in by_engine.items():
        answers = engines(spec).generate([planned[i].request for i in indices])
        for i, answer in zip(indices, answers, strict=True):
            results[i] = answer
    candidates, failures = candidate_records(planned, results)  # type: ignore[arg-type]
    return StageOutcome(
        stage="generate",
        n_in=len(planned),
        records=candidates,
        quarantined=[Quarantined(rid, reason, rec) for rid, reason, rec in failures],
    ).check()


def score_stage(candidates: Sequence[Record], *, tasks: Sequence[Record]) -> StageOutcome:
    by_id = {t["task_id"]: t for t in tasks}
    return StageOutcome(
        stage="score",
        n_in=len(candidates),
        records=[score_candidate(c, by_id[c["task_id"]]) for c in candidates],
    ).check()


@dataclass
class Selection:
    rows: list[Record]
    outcomes: list[StageOutcome]
    balance: BalanceReport


def select_stage(
    tasks: Sequence[Record], candidates: Sequence[Record], *, config: PairingConfig
) -> Selection:
    """Difficulty filter, pairing, balancing and critique rows, each counted."""
    uniform = uniform_score_tasks(candidates)
    by_task: dict[str, list[Record]] = {}
    for candidate in candidates:
        by_task.setdefault(candidate["task_id"], []).append(candidate)
    with_candidates = [t for t in tasks if t["task_id"] in by_task]
    informative = [t for t in with_candidates if t["task_id"] not in uniform]
    difficulty = StageOutcome(
        stage="difficulty_filter",
        n_in=len(with_candidates),
        records=informative,
        n_filtered=len(with_candidates) - len(informative),
    ).check()

    pairs: list[Record] = []
    considered = rejected = 0
    for task in informative:
        own = sorted(by_task[task["task_id"]], key=lambda c: c["sample_index"])
        task_pairs, task_rejected = make_pairs(task, own, config=config)
        considered += len(task_pairs) + task_rejected
        rejected += task_rejected
        pairs += task_pairs
    pairing = StageOutcome(
        stage="pair", n_in=considered, records=pairs, n_filtered=rejected
    ).check()

    balanced, report = balance_pairs(pairs, config=config)
    balance = StageOutcome(
        stage="balance", n_in=len(pairs), records=balanced, n_filtered=len(pairs) - len(balanced)
    ).check()

    tasks_by_id = {t["task_id"]: t for t in informative}
    rows = [row for pair in balanced for row in critique_rows(pair, tasks_by_id[pair["task_id"]])]
    critique = StageOutcome(stage="critique", n_in=2 * len(balanced), records=rows).check()
    return Selection(rows=rows, outcomes=[difficulty, pairing, balance, critique], balance=report)
