"""From scored candidates to balanced preference pairs.

Three pure steps, each reporting what it dropped: the difficulty filter (a task whose
candidates all score the same carries no preference), pairing (chosen scores higher by at
least a margin, responses differ), and balancing (quotas over complexity × intensity × source
so no bucket dominates the dataset).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import combinations

from datagen.generators.sampling import stable_int
from datagen.schemas.records import Record


def uniform_score_tasks(candidates: Iterable[Record]) -> set[str]:
    """Task ids whose candidates all have the same score (all pass or all fail alike)."""
    scores: dict[str, set[float]] = {}
    for c in candidates:
        scores.setdefault(c["task_id"], set()).add(round(float(c["score"]), 6))
    return {task for task, seen in scores.items() if len(seen) == 1}


def complexity_bucket(ground_truth: list[dict]) -> str:
    """Task complexity by number of calls and arguments in the ground truth."""
    if len(ground_truth) > 1:
        return "multi_call"
    arguments = next(iter(ground_truth[0].values())) if ground_truth else {}
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


@dataclass
class BalanceReport:
    quota: int
    share: float
    buckets_before: dict[str, int] = field(default_factory=dict)
    buckets_after: dict[str, int] = field(default_factory=dict)
    by_dimension: dict[str, dict[str, int]] = field(default_factory=dict)


def balance_pairs(
    pairs: list[Record], *, config: PairingConfig
) -> tuple[list[Record], BalanceReport]:
    """Cap every bucket at the largest quota q with q <= share × (pairs kept under q).

    Water-filling: small buckets keep everything, large ones are cut to q, and within a
    bucket the pairs kept are the first by a seeded hash, so the result is deterministic.
    """
    buckets: dict[tuple[str, str, str], list[Record]] = {}
    for pair in pairs:
        buckets.setdefault(balance_key(pair), []).append(pair)
    share = max(config.max_bucket_share, 1 / len(buckets)) if buckets else 1.0
    sizes = sorted((len(b) for b in buckets.values()), reverse=True)
    quota = 0
    for q in range(sizes[0] if sizes else 0, 0, -1):
        if q <= math.floor(share * sum(min(s, q) for s in sizes) + 1e-9):
            quota = q
            break
    kept: list[Record] = []
    for members in buckets.values():
        members.sort(key=lambda p: stable_int(config.seed, "balance", p["pair_id"]))
        kept += members[:quota]
    kept.sort(key=lambda p: p["pair_id"])
    report = BalanceReport(
        quota=quota,
        share=round(share, 4),
        buckets_before={"/".join(k): len(v) for k, v in sorted(buckets.items())},
        buckets_after=dict(sorted(Counter("/".join(balance_key(p)) for p in kept).items())),
        by_dimension={
            dim: dict(sorted(Counter(p[dim] for p in kept).items()))
            for dim in ("complexity", "intensity", "source", "category")
        },
    )
    return kept, report
