"""Re-verify TRBench-BFCL rows: both responses re-checked by BFCL's checker as it is now.

A ``trbench/critique.v1`` row holds what ToolPref's critique rows hold (the ground truth, the
function docs, both responses) plus the rejected answer's BFCL error type. Its label still
qualifies while BFCL's checker accepts the chosen response (the concrete ground truth) and
rejects the other; a row is dropped as ``ground_truth_rejected`` or ``rejected_now_accepted``
otherwise. A kept row whose scores or error type moved is ``rescored``: its scores, error
type, reference answer and intensity bin follow the checker.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from datagen.generators.reverify import Reverified, refuse_schema, reverified
from datagen.generators.toolpref.critique_rows import critique_answer
from datagen.generators.toolpref.pairs import intensity_bin
from datagen.generators.toolpref.reverify import RESCORED, row_scorer, same_score
from datagen.generators.trbench.pairs import GROUND_TRUTH_REJECTED
from datagen.generators.trbench.select import TRBENCH_SCHEMA
from datagen.schemas.records import Quarantined, Record

REJECTED_NOW_ACCEPTED = "rejected_now_accepted"


def reverify_bench(
    rows: Sequence[Record], *, schema_id: str, params: Mapping[str, Any]
) -> Reverified:
    """Keep the rows whose ground truth BFCL still accepts and whose answer it still rejects."""
    refuse_schema("trbench-bfcl", schema_id, [TRBENCH_SCHEMA], "the ground-truth calls")
    score = row_scorer("bfcl")
    kept: list[Record] = []
    dropped: list[Quarantined] = []
    changed = {GROUND_TRUTH_REJECTED: 0, REJECTED_NOW_ACCEPTED: 0, RESCORED: 0}
    for row in rows:
        first, second = score(row, row["response_1"]), score(row, row["response_2"])
        chosen, rejected = (first, second) if row["label"] == 1 else (second, first)
        if not chosen.valid:
            code, detail = GROUND_TRUTH_REJECTED, chosen.reason
        elif rejected.valid:
            code, detail = REJECTED_NOW_ACCEPTED, f"was {row['error_type']}"
        else:
            code = None
        if code is not None:
            changed[code] += 1
            dropped.append(Quarantined(row["row_id"], f"{code}: {detail}", row))
            continue
        same = same_score(first.score, row["score_1"]) and same_score(second.score, row["score_2"])
        if same and rejected.error_type == row["error_type"]:
            kept.append(row)
            continue
        changed[RESCORED] += 1
        answer = critique_answer(
            label=row["label"],
            score_1=first.score,
            score_2=second.score,
            reason_1=first.reason,
            reason_2=second.reason,
        )
        kept.append(
            row
            | {
                "score_1": first.score,
                "score_2": second.score,
                "error_type": rejected.error_type,
                "answer": answer,
                "intensity": intensity_bin(chosen.score - rejected.score),
            }
        )
    return reverified(rows, kept, dropped, changed, ["re-checked by BFCL's AST checker"])
