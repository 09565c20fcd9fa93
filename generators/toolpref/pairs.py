"""From scored candidates to balanced preference pairs.

Three pure steps, each reporting what it dropped: the difficulty filter (ToolRM's: a task
is kept only when at least one candidate is correct and at least one is not), pairing (chosen
scores higher by at least a margin, responses differ), and balancing (quotas over complexity ×
intensity × source so no bucket dominates the dataset).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from itertools import combinations

from datagen.generators.sampling import stable_int
from datagen.generators.selection import BalanceReport, balance, common_quota
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


def complexity_bucket(ground_truth: list[dict]) -> str:
    """Task complexity by number of calls and arguments in the ground truth (none: ``no_call``,
    a turn that answers without calling)."""
    if not ground_truth:
        return "no_call"
    if len(ground_truth) > 1:
        return "multi_call"
    arguments = next(iter(ground_truth[0].values()))
    return "single_call_few_args" if len(arguments) <= 2 else "single_call_many_args"


def intensity_bucket(margin: float) -> str:
    """Preference intensity by score gap."""
    if margin < 1 / 3:
        return "slight"
    return "clear" if margin < 2 / 3 else "strong"


@dataclass(frozen=True, kw_only=True)
class PairingConfig:
    min_margin: float = 0.1
    max_pairs_per_task: int = 3
    max_bucket_share: float = 0.25
    """No balance bucket keeps more than this share of the pairs (raised to 1/buckets when
    there are too few buckets for the share to be met)."""
    seed: int = 0
    difficulty_filter: bool = True
    """Drop tasks without a correct and an incorrect candidate (``difficulty_drops``)."""


def make_pairs(
    task: Record, candidates: list[Record], *, config: PairingConfig
) -> tuple[list[Record], int]:
    """Pairs of one task and the number of candidate pairs rejected (margin or identical)."""
    considered = list(combinations(candidates, 2))
    pairs: list[Record] = []
    for a, b in considered:
        chosen, rejected = (a, b) if a["score"] >= b["score"] else (b, a)
        margin = float(chosen["score"]) - float(rejected["score"])
        if margin < config.min_margin or chosen["response"] == rejected["response"]:
            continue
        pairs.append(
            {
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
                "complexity": complexity_bucket(task["ground_truth"]),
                "intensity": intensity_bucket(margin),
            }
        )
    pairs.sort(key=lambda p: (-p["margin"], stable_int(config.seed, p["pair_id"])))
    kept = pairs[: config.max_pairs_per_task]
    return kept, len(considered) - len(kept)


def balance_key(pair: Record) -> tuple[str, str, str]:
    return (pair["complexity"], pair["intensity"], f"{pair['source']}:{pair['category']}")


def balance_pairs(
    pairs: list[Record], *, config: PairingConfig
) -> tuple[list[Record], BalanceReport]:
    """Water-fill the (complexity, intensity, source:category) buckets to the pairing share;
    the kept pairs in pair-id order (``datagen.generators.selection``)."""
    kept, report = balance(
        pairs,
        bucket=lambda p: "/".join(balance_key(p)),
        rank=lambda p: stable_int(config.seed, "balance", p["pair_id"]),
        quotas=common_quota(config.max_bucket_share),
        dimensions=("complexity", "intensity", "source", "category"),
    )
    return sorted(kept, key=lambda p: p["pair_id"]), report
