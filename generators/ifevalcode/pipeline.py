"""IFEvalCode's shard stages and its report figures, as plain functions.

A shard of source problems becomes rows in each direction, backward (``backward.py``, no
model) and forward (``forward.py``, the engine picks and writes), which are then kept only
when their reference passes both checks and every checker bites (``keep.py``): one chain per
direction, so that a crash resumes at the first unfinished shard and each step is counted.
Kept rows then get their Chinese question (``chinese.py``), one more shard stage.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence

from datagen.generators.engines.base import Engine
from datagen.generators.ifevalcode.backward import backward_stage
from datagen.generators.ifevalcode.forward import forward_stages
from datagen.generators.ifevalcode.keep import keep_stage
from datagen.generators.ifevalcode.recipe import PAPER_CONSTRAINTS
from datagen.schemas.records import Quarantined, Record, StageOutcome
from datagen.verifiers.code_checks import code_sandbox

BACKWARD_STAGES = ("backward", "keep-backward")
FORWARD_STAGES = ("pick", "write", "keep-forward")
LOW_QUALITY_ENGINES = ("embedded",)
"""Engines whose Chinese questions the report calls low quality (a 270M base model)."""


def backward_and_keep(
    problems: Sequence[Record], *, seed: int, low: int, high: int, mean: float
) -> list[StageOutcome]:
    derived, checkers = backward_stage(problems, seed=seed, low=low, high=high, mean=mean)
    with code_sandbox() as sandbox:
        kept = keep_stage(derived.records, checkers, sandbox=sandbox, stage="keep-backward")
    return [derived, kept]


def forward_and_keep(
    problems: Sequence[Record],
    *,
    engines: Callable[[str], Engine],
    engine: str,
    seed: int,
    low: int,
    high: int,
    mean: float,
    pick_temperature: float,
    write_temperature: float,
    write_max_tokens: int,
) -> list[StageOutcome]:
    """Pick and write with the engine (``forward.forward_stages``), then keep."""
    (picked, written), checkers = forward_stages(
        problems,
        engines=engines,
        engine=engine,
        seed=seed,
        low=low,
        high=high,
        mean=mean,
        pick_temperature=pick_temperature,
        write_temperature=write_temperature,
        write_max_tokens=write_max_tokens,
    )
    with code_sandbox() as sandbox:
        kept = keep_stage(written.records, checkers, sandbox=sandbox, stage="keep-forward")
    return [picked, written, kept]


def report_figures(
    rows: Sequence[Record], checked: Iterable[Quarantined], *, engine: str, chinese: bool
) -> tuple[dict[str, dict[str, int]], list[str]]:
    """The report's distributions (rows per language, direction, constraint category;
    constraints per problem) and notes: the keep stage's pass rates (kept of checked,
    ``checked`` holding what it quarantined) per language, constraint category and
    direction; constraints per problem beside the paper's; how many rows got a Chinese
    question."""
    failed = [entry.record for entry in checked if "direction" in entry.record]
    counts = [len(row["constraints"]) for row in rows]
    distributions = {
        "rows per language": dict(Counter(r["programming_language"] for r in rows).most_common()),
        "rows per direction": dict(Counter(r["direction"] for r in rows).most_common()),
        "constraints per category": dict(
            Counter(c["category"] for r in rows for c in r["constraints"]).most_common()
        ),
        "constraints per problem": {str(n): k for n, k in sorted(Counter(counts).items())},
    }
    notes = [
        f"keep pass rate per {label}: {pass_rates(rows, failed, keys)}"
        for label, keys in (
            ("language", lambda r: [r["programming_language"]]),
            ("constraint category", lambda r: sorted({c["category"] for c in r["constraints"]})),
            ("direction", lambda r: [r["direction"]]),
        )
    ]
    low, high, mean = PAPER_CONSTRAINTS
    if counts:
        notes.append(
            f"constraints per problem: {min(counts)}–{max(counts)}, mean "
            f"{sum(counts) / len(counts):.1f} (the paper's: {low}–{high}, mean about {mean:g})"
        )
    if chinese:
        written = sum(bool(r["chinese_question"]) for r in rows)
        quality = (
            "; the embedded model's translations are low quality: check them before use"
            if engine.split(":", 1)[0] in LOW_QUALITY_ENGINES
            else ""
        )
        notes.append(
            f"chinese_question: written by {engine} for {written} of {len(rows)} rows, the rest "
            f"left empty (the translation was cut, not Chinese, or lost a number or code span; "
            f"`--question-language zh` falls back to English there){quality}"
        )
    return distributions, notes


def pass_rates(
    kept: Sequence[Record], failed: Sequence[Record], keys: Callable[[Record], list[str]]
) -> str:
    """``key kept/checked (percent)`` for each key of the checked rows, comma-separated."""
    passed = Counter(key for row in kept for key in keys(row))
    checked = passed + Counter(key for row in failed for key in keys(row))
    return (
        ", ".join(
            f"{key} {passed[key]}/{total} ({100 * passed[key] / total:.0f}%)"
            for key, total in sorted(checked.items())
        )
        or "none checked"
    )
