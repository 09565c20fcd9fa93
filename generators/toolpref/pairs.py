"""From scored candidates to balanced preference pairs.

Three pure steps, each reporting what it dropped, as ToolRM builds ToolPref-Pairwise: the
difficulty filter (a task is kept only when at least one candidate is correct and at least one
is not; tasks of complexity over 50 are dropped too), pairing (every two candidates whose
responses differ and whose scores differ, by at least a margin), and balanced
multi-dimensional sampling (groups of data source × preference-intensity bin filled evenly,
the most complex tasks first).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations

from datagen.generators.sampling import stable_int
from datagen.generators.selection import BalanceReport, balance, common_quota, fill_evenly
from datagen.schemas.records import Record

TOO_EASY = "too_easy"
TOO_DIFFICULT = "too_difficult"
DIFFICULTY_REASONS = (TOO_EASY, TOO_DIFFICULT)


def difficulty_drops(candidates: Iterable[Record]) -> dict[str, str]:
    """Task id → why the difficulty filter drops it: ``too_easy`` when every candidate is
    correct (the rule's ``valid``), ``too_difficult`` when none is. Tasks not named are kept:
    at least one correct and one incorrect candidate, as ToolRM builds ToolPref-Pairwise."""
    seen: dict[str, set[bool]] = {}
    for c in candidates:
        seen.setdefault(c["task_id"], set()).add(bool(c["valid"]))
    return {
        task: TOO_EASY if True in kinds else TOO_DIFFICULT
        for task, kinds in seen.items()
        if len(kinds) == 1
    }


MAX_COMPLEXITY = 50
"""Tasks whose ground truth has more calls + arguments than this are dropped (ToolRM's cap)."""
TOO_COMPLEX = "too_complex"
INTENSITY_BINS = 10


def task_complexity(ground_truth: list[dict]) -> int:
    """ToolRM's task complexity: the number of ground-truth calls plus their arguments (0 for
    a turn that answers without calling). Calls are ``{name: arguments}``."""
    return sum(1 + len(arguments) for call in ground_truth for arguments in call.values())


def intensity_bin(margin: float) -> str:
    """Preference intensity ``s+ - s-`` in one of 10 equal bins of [0, 1], named by its range
    (``"0.3-0.4"``); 1.0 falls in the last."""
    index = min(INTENSITY_BINS - 1, int(round(margin * INTENSITY_BINS, 9)))
    return f"{index / INTENSITY_BINS:.1f}-{(index + 1) / INTENSITY_BINS:.1f}"


@dataclass(frozen=True, kw_only=True)
class PairingConfig:
    min_margin: float = 0.0
    """Smallest score gap kept; the chosen response always scores strictly higher."""
    max_pairs_per_task: int | None = None
    """Keep a task's widest-margin pairs only; None keeps every pair, as ToolRM does."""
    max_bucket_share: float = 0.25
    """Without a target: no balance group keeps more than this share of the pairs (raised to
    1/groups when there are too few groups for the share to be met)."""
    target_pairs: int | None = None
    """Pairs to keep, filled evenly over the balance groups; None: the share rule alone."""
    seed: int = 0
    difficulty_filter: bool = True
    """Drop tasks without a correct and an incorrect candidate (``difficulty_drops``)."""


def make_pairs(
    task: Record, candidates: list[Record], *, config: PairingConfig
) -> tuple[list[Record], int]:
    """Pairs of one task and the number of candidate pairs rejected (no gap, a gap below the
    margin, or identical responses)."""
    considered = list(combinations(candidates, 2))
    complexity = task_complexity(task["ground_truth"])
    pairs: list[Record] = []
    for a, b in considered:
        chosen, rejected = (a, b) if a["score"] >= b["score"] else (b, a)
        margin = float(chosen["score"]) - float(rejected["score"])
        if margin <= 0 or margin < config.min_margin or chosen["response"] == rejected["response"]:
            continue
        pairs.append(pair_record(task, chosen, rejected, complexity=complexity))
    pairs.sort(key=lambda p: (-p["margin"], stable_int(config.seed, p["pair_id"])))
    kept = pairs if config.max_pairs_per_task is None else pairs[: config.max_pairs_per_task]
    return kept, len(considered) - len(kept)


def pair_record(task: Record, chosen: Record, rejected: Record, *, complexity: int) -> Record:
    """One pair as ``critique_rows`` reads it (TRBench's pairs too)."""
    margin = float(chosen["score"]) - float(rejected["score"])
    return {
        "pair_id": f"{task['task_id']}|{chosen['candidate_id']}>{rejected['candidate_id']}",
        "task_id": task["task_id"],
        "source": task["source"],
        "category": task["category"],
        "chosen_id": chosen["candidate_id"],
        "rejected_id": rejected["candidate_id"],
        "chosen_text": chosen["response"],
        "rejected_text": rejected["response"],
        "chosen_score": float(chosen["score"]),
        "rejected_score": float(rejected["score"]),
        "chosen_reason": chosen["reason"],
        "rejected_reason": rejected["reason"],
        "margin": round(margin, 6),
        "complexity": complexity,
        "intensity": intensity_bin(margin),
    }


def balance_group(pair: Record) -> str:
    """ToolRM's balancing groups: data source × intensity bin."""
    return f"{pair['source']}/{pair['intensity']}"


def balance_pairs(
    pairs: list[Record], *, config: PairingConfig
) -> tuple[list[Record], BalanceReport]:
    """Fill the source × intensity groups evenly (to ``target_pairs`` when set, else to the
    pairing share), the most complex tasks first in each group (ties by a seeded hash); the
    kept pairs in pair-id order (``datagen.generators.selection``)."""
    quotas = (
        common_quota(config.max_bucket_share)
        if config.target_pairs is None
        else fill_evenly(config.target_pairs)
    )
    kept, report = balance(
        pairs,
        bucket=balance_group,
        rank=lambda p: (-p["complexity"], stable_int(config.seed, "balance", p["pair_id"])),
        quotas=quotas,
        dimensions=("source", "intensity", "category"),
    )
    return sorted(kept, key=lambda p: p["pair_id"]), report


def pair_statistics(pairs: Sequence[Record]) -> dict[str, object]:
    """What the report compares with the released ToolPref-Pairwise-30K: score ranges of the
    chosen and rejected responses, the complexity range, conversation lengths (messages
    before the judged turn) and the distinct data sources of the kept pairs."""
    if not pairs:
        return {"pairs": 0}

    def span(field: str) -> list[float]:
        values = [p[field] for p in pairs]
        return [round(min(values), 4), round(max(values), 4)]

    turns = sorted(p["turns"] for p in pairs)
    return {
        "pairs": len(pairs),
        "chosen_score": span("chosen_score"),
        "rejected_score": span("rejected_score"),
        "complexity": span("complexity"),
        "conversation_messages": {
            "min": turns[0],
            "median": turns[len(turns) // 2],
            "max": turns[-1],
        },
        "sources": len({p["source"] for p in pairs}),
    }
