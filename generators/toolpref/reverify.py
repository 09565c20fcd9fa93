"""Re-verify ToolPref critique rows: both responses re-scored against the row's ground truth.

A ``toolpref/critique.v2`` row holds what its scores came from: the task's ground-truth calls,
its function docs, its source and category, and both responses as the critic sees them
(canonical call JSON when they parsed, else the engine's text, which parses the same way
again). Each response is scored by the version's rule (its ``rule`` parameter) with
``score.score_candidate``, as the run scored it. A row's label still qualifies when the
labelled response scores higher by at least the version's ``min_margin``; otherwise the row
is dropped as ``label_flipped`` (the other response now scores higher) or
``gap_below_margin``. A kept row whose scores moved is ``rescored``: its scores, reference
answer and intensity bin follow the new scores. Verdicts are counted per row; a pair shown in
both orders has two.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

from datagen.generators.reverify import Reverified, refuse_schema, reverified
from datagen.generators.toolpref.critique_rows import CRITIQUE_SCHEMA, critique_answer
from datagen.generators.toolpref.pairs import intensity_bin
from datagen.generators.toolpref.score import score_candidate, task_checker
from datagen.schemas.records import Quarantined, Record

LABEL_FLIPPED = "label_flipped"
GAP_BELOW_MARGIN = "gap_below_margin"
RESCORED = "rescored"
LACK = "the ground-truth calls (toolpref/critique.v1 rows predate them)"


def row_task(row: Record) -> Record:
    """The task fields scoring reads, back from a critique row's JSON columns."""
    return {
        "task_id": row["task_id"],
        "source": row["source"],
        "category": row["category"],
        "tools": json.loads(row["tools"]),
        "ground_truth": json.loads(row["ground_truth"]),
    }


class Score(NamedTuple):
    """A response's verdict by the current rule."""

    score: float
    valid: bool
    reason: str
    error_type: str


def row_scorer(rule: str) -> Callable[[Record, str], Score]:
    """Score one response of a row; a task's checker and each (task, response) is shared, so
    both orders of a pair cost one scoring of each response."""
    tasks: dict[str, tuple[Record, Any]] = {}
    scores: dict[tuple[str, str], Score] = {}

    def score(row: Record, response: str) -> Score:
        key = (row["task_id"], response)
        if key not in scores:
            if row["task_id"] not in tasks:
                task = row_task(row)
                checker = task_checker(task) if rule == "bfcl" and task["ground_truth"] else None
                tasks[row["task_id"]] = (task, checker)
            task, checker = tasks[row["task_id"]]
            scored = score_candidate({"text": response}, task, rule=rule, checker=checker)
            scores[key] = Score(
                scored["score"], scored["valid"], scored["reason"], scored["error_type"]
            )
        return scores[key]

    return score


def same_score(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=0, abs_tol=1e-9)


def reverify_critique(
    rows: Sequence[Record], *, schema_id: str, params: Mapping[str, Any]
) -> Reverified:
    """Keep the rows whose label the current rule still gives by the version's margin."""
    refuse_schema("toolpref-pairwise", schema_id, [CRITIQUE_SCHEMA], LACK)
    rule, min_margin = params.get("rule", "toolrm"), float(params.get("min_margin", 0.0))
    score = row_scorer(rule)
    kept: list[Record] = []
    dropped: list[Quarantined] = []
    changed = {LABEL_FLIPPED: 0, GAP_BELOW_MARGIN: 0, RESCORED: 0}
    for row in rows:
        first, second = score(row, row["response_1"]), score(row, row["response_2"])
        (s1, r1), (s2, r2) = (first.score, first.reason), (second.score, second.reason)
        ours, theirs = (s1, s2) if row["label"] == 1 else (s2, s1)
        was = f"stored {row['score_1']:.2f}/{row['score_2']:.2f}, now {s1:.2f}/{s2:.2f}"
        if ours < theirs:
            code = LABEL_FLIPPED
        elif ours - theirs <= 0 or ours - theirs < min_margin:
            code = GAP_BELOW_MARGIN
        else:
            code = None
        if code is not None:
            changed[code] += 1
            detail = f"label {row['label']}: {was} (rule {rule}, min_margin {min_margin})"
            dropped.append(Quarantined(row["row_id"], f"{code}: {detail}", row))
            continue
        if same_score(s1, row["score_1"]) and same_score(s2, row["score_2"]):
            kept.append(row)
            continue
        changed[RESCORED] += 1
        answer = critique_answer(
            label=row["label"], score_1=s1, score_2=s2, reason_1=r1, reason_2=r2
        )
        intensity = intensity_bin(ours - theirs)
        kept.append(row | {"score_1": s1, "score_2": s2, "answer": answer, "intensity": intensity})
    notes = [
        f"re-scored by rule {rule} with min_margin {min_margin}; the difficulty filter (which "
        "needs every candidate of a task) is not redone"
    ]
    return reverified(rows, kept, dropped, changed, notes)
