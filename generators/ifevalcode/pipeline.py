"""IFEvalCode's shard stage and its report figures, as plain functions.

A shard of source problems becomes backward rows (``backward.py``), which are then kept
only when their reference passes both checks and every checker bites (``keep.py``): one
chain, so that a crash resumes at the first unfinished shard and each step is counted.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from datagen.generators.ifevalcode.backward import backward_stage
from datagen.generators.ifevalcode.keep import keep_stage
from datagen.generators.ifevalcode.recipe import PAPER_CONSTRAINTS
from datagen.schemas.records import Record, StageOutcome
from datagen.verifiers.code_checks import code_sandbox

STAGES = ("backward", "keep")


def backward_and_keep(
    problems: Sequence[Record], *, seed: int, low: int, high: int, mean: float
) -> list[StageOutcome]:
    derived, checkers = backward_stage(problems, seed=seed, low=low, high=high, mean=mean)
    with code_sandbox() as sandbox:
        kept = keep_stage(derived.records, checkers, sandbox=sandbox)
    return [derived, kept]


def report_figures(rows: Sequence[Record]) -> tuple[dict[str, dict[str, int]], list[str]]:
    """The report's distributions (rows per language, constraints per category, constraints
    per problem) and a note setting the last beside the paper's."""
    counts = [len(row["constraints"]) for row in rows]
    distributions = {
        "rows per language": dict(Counter(r["programming_language"] for r in rows).most_common()),
        "rows per direction": dict(Counter(r["direction"] for r in rows).most_common()),
        "constraints per category": dict(
            Counter(c["category"] for r in rows for c in r["constraints"]).most_common()
        ),
        "constraints per problem": {str(n): k for n, k in sorted(Counter(counts).items())},
    }
    low, high, mean = PAPER_CONSTRAINTS
    notes = []
    if counts:
        notes.append(
            f"constraints per problem: {min(counts)}–{max(counts)}, mean "
            f"{sum(counts) / len(counts):.1f} (the paper's: {low}–{high}, mean about {mean:g})"
        )
    notes.append(
        "chinese_question is empty on derived rows: the engine-written translation lands "
        "with the forward direction; `--question-language zh` falls back to English"
    )
    return distributions, notes
