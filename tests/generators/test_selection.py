"""Shared selection: the band, and balancing under each quota rule, as tables."""

from __future__ import annotations

from collections import Counter

import pytest

from datagen.generators.sampling import stable_int
from datagen.generators.selection import (
    balance,
    band,
    capped_largest,
    common_quota,
    target_size,
)


def _records(buckets: dict[str, int]) -> list[dict]:
    return [{"id": f"{name}-{i}", "bucket": name} for name, n in buckets.items() for i in range(n)]


def _balance(records: list[dict], rule, seed: int = 0):
    return balance(
        records,
        bucket=lambda r: r["bucket"],
        rank=lambda r: stable_int("balance", seed, r["id"]),
        quotas=rule,
    )


@pytest.mark.parametrize(
    ("buckets", "share", "after"),
    [
        ({"0": 10, "1": 2}, 0.5, {"0": 2, "1": 2}),
        ({"0": 10, "(0,0.25)": 2, "1": 2}, 0.5, {"0": 4, "(0,0.25)": 2, "1": 2}),
        ({"0": 9, "1": 3}, 0.75, {"0": 9, "1": 3}),
        ({"0": 6, "1": 6}, 0.5, {"0": 6, "1": 6}),
        ({"0": 7}, 0.5, {"0": 7}),  # one bucket: nothing to balance against
        ({"0": 5, "1": 1}, 1.0, {"0": 5, "1": 1}),
        ({}, 0.5, {}),
        ({"0": 100, "1": 1, "[0.5,0.75)": 1}, 0.2, {"0": 1, "1": 1, "[0.5,0.75)": 1}),
    ],
)
def test_capped_largest_cuts_the_largest_bucket_to_its_share(buckets, share, after) -> None:
    records = _records(buckets)
    kept, report = _balance(records, capped_largest(share))
    assert Counter(r["bucket"] for r in kept) == Counter(after)
    assert report.after == {k: after.get(k, 0) for k in sorted(buckets)}
    assert report.before == dict(sorted(buckets.items())) and report.share == share
    assert [r for r in records if r in kept] == kept  # input order kept


@pytest.mark.parametrize(
    ("buckets", "share", "quota"),
    [
        ({"a": 10, "b": 2}, 0.5, 2),
        ({"a": 10, "b": 10, "c": 10, "d": 1}, 0.25, 1),  # the small bucket holds the rest back
        ({"a": 10, "b": 10}, 0.1, 10),  # share raised to 1/2 buckets
        ({"a": 3}, 0.25, 3),
        ({}, 0.25, 0),
    ],
)
def test_common_quota_water_fills_every_bucket_to_one_quota(buckets, share, quota) -> None:
    kept, report = _balance(_records(buckets), common_quota(share))
    assert report.quota == quota
    assert Counter(r["bucket"] for r in kept) == Counter(
        {k: min(n, quota) for k, n in buckets.items()}
    )
    if kept:
        assert max(report.after.values()) <= report.share * len(kept) + 1e-9


@pytest.mark.parametrize(
    ("total", "quota", "kept"), [(12, 5, 12), (7, 2, 6), (100, 6, 13), (0, 0, 0)]
)
def test_target_size_water_fills_to_a_total(total: int, quota: int, kept: int) -> None:
    got, report = _balance(_records({"a": 6, "b": 5, "c": 2}), target_size(total))
    assert (report.quota, len(got)) == (quota, kept) and len(got) <= total


def test_which_records_stay_depends_on_the_seed_not_the_order() -> None:
    records = _records({"0": 20, "1": 4})
    kept, _ = _balance(records, capped_largest(0.5), seed=1)
    again, _ = _balance(list(reversed(records)), capped_largest(0.5), seed=1)
    other, _ = _balance(records, capped_largest(0.5), seed=2)
    ids = {r["id"] for r in kept}
    assert ids == {r["id"] for r in again} and ids != {r["id"] for r in other}


def test_kept_records_are_counted_by_dimension() -> None:
    records = [
        {"id": str(i), "bucket": "a", "colour": "red" if i % 3 else "blue"} for i in range(6)
    ]
    _, report = balance(
        records,
        bucket=lambda r: r["bucket"],
        rank=lambda r: int(r["id"]),
        quotas=target_size(4),
        dimensions=("colour",),
    )
    assert report.by_dimension == {"colour": {"blue": 2, "red": 2}}


@pytest.mark.parametrize("share", [0.0, -1.0, 1.5])
def test_capped_largest_refuses_a_bad_share(share: float) -> None:
    with pytest.raises(ValueError, match="max_share"):
        capped_largest(share)


def test_band_keeps_scores_within_its_ends_inclusive() -> None:
    records = [{"s": s} for s in (0.0, 0.1, 0.5, 0.99, 1.0)]
    kept, outside = band(records, score=lambda r: r["s"], low=0.1, high=0.99)
    assert ([r["s"] for r in kept], outside) == ([0.1, 0.5, 0.99], 2)
    with pytest.raises(ValueError, match="above its high end"):
        band(records, score=lambda r: r["s"], low=0.9, high=0.1)
