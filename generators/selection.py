"""Shared selection: keep records whose score lies in a band, and balance them over buckets.

``balance`` groups records by ``bucket(record)``, asks a quota rule how many each bucket may
keep, and keeps, in every bucket, the records with the lowest ``rank(record)`` (a seeded hash,
so which records stay is deterministic and independent of input order); kept records stay in
input order. Three quota rules, each a plain function of the bucket sizes:

- ``common_quota(share)``: water-filling; every bucket keeps at most the largest ``q`` with
  ``q <= share × (records kept under q)``. ToolPref-Pairwise balances its pairs this way.
- ``capped_largest(share)``: the largest bucket is cut, again and again, to at most ``share`` of
  what is kept; TeaR balances pass-rate buckets this way.
- ``target_size(n)``: water-filling to at most ``n`` records in all.
- ``fill_evenly(n)``: water-filling to exactly ``n`` records where there are that many, the
  remainder spread one by one; the note names the shortfall and the groups below their share.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from datagen.schemas.records import Record

QuotaRule = Callable[[dict[str, int]], "Quotas"]


@dataclass(frozen=True)
class Quotas:
    """What a quota rule decided: records each bucket may keep, the share and common quota
    it applied (None where the rule has none), and a note for the report."""

    per_bucket: dict[str, int]
    share: float | None = None
    quota: int | None = None
    note: str = ""


@dataclass
class BalanceReport:
    """What balancing did: bucket sizes before and after, the rule's share and quota, the kept
    records counted by each named dimension, and a note."""

    before: dict[str, int] = field(default_factory=dict)
    after: dict[str, int] = field(default_factory=dict)
    share: float | None = None
    quota: int | None = None
    by_dimension: dict[str, dict[str, int]] = field(default_factory=dict)
    note: str = ""


def band(
    records: Sequence[Record], *, score: Callable[[Record], float], low: float, high: float
) -> tuple[list[Record], int]:
    """The records with ``low <= score <= high``, in order, and how many fell outside."""
    if low > high:
        raise ValueError(f"the band's low end {low} is above its high end {high}")
    kept = [r for r in records if low <= score(r) <= high]
    return kept, len(records) - len(kept)


def balance(
    records: Sequence[Record],
    *,
    bucket: Callable[[Record], str],
    rank: Callable[[Record], int | tuple[int, ...]],
    quotas: QuotaRule,
    dimensions: Sequence[str] = (),
) -> tuple[list[Record], BalanceReport]:
    """The records each bucket's quota lets stay (lowest ``rank`` first), in input order."""
    groups: dict[str, list[int]] = {}
    for index, record in enumerate(records):
        groups.setdefault(bucket(record), []).append(index)
    sizes = {key: len(members) for key, members in sorted(groups.items())}
    decided = quotas(sizes)
    keep: set[int] = set()
    for key, members in groups.items():
        ranked = sorted(members, key=lambda i: rank(records[i]))
        keep.update(ranked[: decided.per_bucket[key]])
    kept = [record for index, record in enumerate(records) if index in keep]
    after = Counter(bucket(r) for r in kept)
    report = BalanceReport(
        before=sizes,
        after={key: after[key] for key in sizes},
        share=decided.share,
        quota=decided.quota,
        by_dimension={d: dict(sorted(Counter(r[d] for r in kept).items())) for d in dimensions},
        note=decided.note,
    )
    return kept, report


def common_quota(share: float) -> QuotaRule:
    """Water-filling: one quota ``q`` for all buckets, the largest with
    ``q <= share × Σ min(size, q)``; the share is raised to ``1/buckets`` when below it."""

    def rule(sizes: dict[str, int]) -> Quotas:
        applied = max(share, 1 / len(sizes)) if sizes else 1.0
        ordered = sorted(sizes.values(), reverse=True)
        quota = 0
        for q in range(ordered[0] if ordered else 0, 0, -1):
            if q <= math.floor(applied * sum(min(s, q) for s in ordered) + 1e-9):
                quota = q
                break
        return Quotas({k: min(v, quota) for k, v in sizes.items()}, round(applied, 4), quota)

    return rule


def capped_largest(share: float) -> QuotaRule:
    """Cut the largest bucket to at most ``share`` of what is kept, until none is over; one
    bucket alone, or a share of 1, keeps everything."""
    if not 0.0 < share <= 1.0:
        raise ValueError(f"max_share must be in (0, 1], got {share}")

    def rule(sizes: dict[str, int]) -> Quotas:
        quotas = dict(sizes)
        if len(sizes) <= 1 or share >= 1.0:
            note = "single bucket: nothing to balance" if len(sizes) == 1 else ""
            return Quotas(quotas, share, note=note)
        while True:
            largest = max(quotas, key=lambda k: (quotas[k], k))
            rest = sum(quotas.values()) - quotas[largest]
            cap = math.floor(share * rest / (1.0 - share))
            if quotas[largest] <= cap:
                break
            quotas[largest] = max(cap, 1)
            if quotas[largest] == 1 and cap < 1:
                break
        return Quotas(quotas, share)

    return rule


def target_size(total: int) -> QuotaRule:
    """Water-filling to at most ``total`` records: the largest common quota that fits."""
    if total < 0:
        raise ValueError(f"the target size must be >= 0, got {total}")

    def rule(sizes: dict[str, int]) -> Quotas:
        quota = max(sizes.values(), default=0)
        while quota > 0 and sum(min(s, quota) for s in sizes.values()) > total:
            quota -= 1
        return Quotas({k: min(v, quota) for k, v in sizes.items()}, quota=quota)

    return rule


def fill_evenly(total: int) -> QuotaRule:
    """Every bucket to one quota ``q`` (the largest whose kept records fit in ``total``), then
    one more record each to buckets that have it, in bucket order, until ``total`` is reached.
    The note reports a shortfall (fewer records than ``total``) and the buckets that held
    fewer than the even share ``ceil(total / buckets)``."""
    if total < 0:
        raise ValueError(f"the target size must be >= 0, got {total}")

    def rule(sizes: dict[str, int]) -> Quotas:
        quotas = target_size(total)(sizes)
        per_bucket = dict(quotas.per_bucket)
        spare = total - sum(per_bucket.values())
        for key in sorted(sizes):
            if spare and sizes[key] > per_bucket[key]:
                per_bucket[key] += 1
                spare -= 1
        kept = sum(per_bucket.values())
        share = math.ceil(total / len(sizes)) if sizes else 0
        short = {k: n for k, n in sorted(sizes.items()) if n < share}
        note = f"target {total}: kept {kept}"
        if kept < total:
            note += f", short by {total - kept}"
        if short:
            listed = ", ".join(f"{k} {n}/{share}" for k, n in short.items())
            note += f"; groups below the even share of {share}: {listed}"
        return Quotas(per_bucket, quota=quotas.quota, note=note)

    return rule
