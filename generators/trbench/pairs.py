"""TRBench-BFCL's pairs: each task's ground truth against every distinct answer BFCL rejects.

ToolRM's TRBench-BFCL (2,983 pairs over 1,397 BFCL tasks) always prefers the ground truth and
rejects a model answer that BFCL's checker rejects, keeping the checker's error type. The
ground truth is the task's concrete call list (``score.concrete_calls``: each parameter's first
allowed value, a parameter that may be omitted left out), sampled as one more candidate
(``GenerationConfig.ground_truth_candidate``) so that it is rendered and checked as every
answer is. Unlike ToolPref-Pairwise there is no difficulty filter or balancing: a benchmark
keeps every pair it can make.
"""

from __future__ import annotations

from collections.abc import Sequence

from datagen.generators.toolpref.generate import GROUND_TRUTH
from datagen.generators.toolpref.pairs import pair_record, task_complexity
from datagen.generators.toolpref.score import task_calls
from datagen.schemas.records import Record, StageOutcome

NOT_CONCRETE = "not_concrete"
"""A task whose possible answer has no first allowed value to take (BFCL writes ``[]`` for
some nested parameters, two of the bench part's tasks): no concrete ground truth exists."""

ALL_ACCEPTED = "all_accepted"
"""A task whose every sampled answer BFCL accepts: there is nothing to reject."""
GROUND_TRUTH_REJECTED = "ground_truth_rejected"
"""A task whose concrete ground truth BFCL's checker rejects: its pairs would be mislabelled."""
NO_GROUND_TRUTH = "no_ground_truth"
"""A task scored without its ground-truth candidate (a generation run without it)."""
NO_PAIR_REASONS = (ALL_ACCEPTED, GROUND_TRUTH_REJECTED, NO_GROUND_TRUTH)


def concrete_stage(tasks: Sequence[Record]) -> StageOutcome:
    """The tasks whose ground truth has a concrete call list (``score.task_calls``); the
    others filtered as ``not_concrete``, before any sample is spent on them."""
    kept = []
    for task in tasks:
        try:
            task_calls(task)
        except ValueError:
            continue
        kept.append(task)
    dropped = len(tasks) - len(kept)
    reasons = {f"ground_truth: {NOT_CONCRETE}": dropped} if dropped else {}
    return StageOutcome(
        stage="ground_truth", n_in=len(tasks), records=kept, n_filtered=dropped, reasons=reasons
    ).check()


def bench_pairs(task: Record, candidates: Sequence[Record]) -> tuple[list[Record], str | None]:
    """The task's pairs (ground truth chosen, each distinct rejected answer once, in sample
    order) and, when it has none, why (one of ``NO_PAIR_REASONS``).

    ``candidates`` are the task's scored candidates (``toolpref/candidate.v1``, BFCL's rule),
    the ground truth's among them. A rejected answer whose text equals the ground truth's is
    impossible under a deterministic checker and would be skipped as no preference.
    """
    truth = next((c for c in candidates if c["engine"] == GROUND_TRUTH), None)
    if truth is None:
        return [], NO_GROUND_TRUTH
    if not truth["valid"]:
        return [], GROUND_TRUTH_REJECTED
    sampled = sorted((c for c in candidates if c is not truth), key=lambda c: c["sample_index"])
    seen = {truth["response"]}
    pairs = []
    for rejected in sampled:
        if rejected["valid"] or rejected["response"] in seen:
            continue
        seen.add(rejected["response"])
        pairs.append(_pair(task, truth, rejected))
    return pairs, None if pairs else ALL_ACCEPTED


def _pair(task: Record, chosen: Record, rejected: Record) -> Record:
    """A pair in ToolPref's shape (what ``critique_rows`` reads), with the error type."""
    complexity = task_complexity(task["ground_truth"])
    return pair_record(task, chosen, rejected, complexity=complexity) | {
        "error_type": rejected["error_type"]
    }
