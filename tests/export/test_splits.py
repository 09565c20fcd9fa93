"""``--split`` parsing and the hash split: deterministic, group-disjoint, close to the fractions."""

from __future__ import annotations

import random

import pytest

from datagen.catalog.splits import SplitError, hash_point, parse_split, split_of, split_rows


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("train=0.95,val=0.05", {"train": 0.95, "val": 0.05}),
        (" val = 0.1 , train=0.9 ", {"train": 0.9, "val": 0.1}),
        ("train=1", {"train": 1.0}),
        ("test=0.1,train=0.8,val=0.1", {"train": 0.8, "val": 0.1, "test": 0.1}),
        ("train=0.3333333,val=0.3333333,test=0.3333334", None),
    ],
)
def test_parse_split_accepts(text: str, expected: dict[str, float] | None) -> None:
    parsed = parse_split(text)
    assert list(parsed) == [n for n in ("train", "val", "test") if n in parsed]
    if expected is not None:
        assert parsed == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "not NAME=FRACTION"),
        ("train", "not NAME=FRACTION"),
        ("train=", "not NAME=FRACTION"),
        ("=0.5,train=0.5", "not NAME=FRACTION"),
        ("train=0.9,,val=0.1", "not NAME=FRACTION"),
        ("train=0.9,dev=0.1", "unknown split 'dev'"),
        ("TRAIN=1", "unknown split 'TRAIN'"),
        ("train=0.5,train=0.5", "appears twice"),
        ("train=0.9,val=abc", "not a number"),
        ("train=1.1,val=-0.1", "must be in (0, 1]"),
        ("train=1,val=0", "must be in (0, 1]"),
        ("train=nan", "must be in (0, 1]"),
        ("val=1", "no train split"),
        ("train=0.9,val=0.05", "add up to 1, got 0.95"),
        ("train=0.95,val=0.1", "add up to 1"),
    ],
)
def test_parse_split_refuses(text: str, message: str) -> None:
    with pytest.raises(SplitError) as error:
        parse_split(text)
    assert message in str(error.value)


def test_hash_points_are_fixed_and_uniform_enough() -> None:
    assert hash_point("task-1") == hash_point("task-1")
    assert 0 <= hash_point("") < 1
    points = [hash_point(f"task-{i}") for i in range(4000)]
    assert 0.45 < sum(p < 0.5 for p in points) / len(points) < 0.55


def test_split_sizes_follow_the_fractions() -> None:
    fractions = parse_split("train=0.8,val=0.15,test=0.05")
    counts = {name: 0 for name in fractions}
    for i in range(10_000):
        counts[split_of(f"bfcl/simple_{i}", fractions)] += 1
    assert abs(counts["train"] / 10_000 - 0.8) < 0.02
    assert abs(counts["val"] / 10_000 - 0.15) < 0.02
    assert abs(counts["test"] / 10_000 - 0.05) < 0.01


def test_split_rows_keeps_groups_together_whatever_the_order() -> None:
    rows = [{"id": f"{g}#{k}", "group_id": f"g{g}"} for g in range(300) for k in range(3)]
    fractions = parse_split("train=0.7,val=0.3")
    first = split_rows(rows, fractions)
    shuffled = rows[:]
    random.Random(7).shuffle(shuffled)
    second = split_rows(shuffled, fractions)
    assert {n: sorted(r["id"] for r in part) for n, part in first.items()} == {
        n: sorted(r["id"] for r in part) for n, part in second.items()
    }
    groups = {n: {r["group_id"] for r in part} for n, part in first.items()}
    assert groups["train"] and groups["val"]
    assert not groups["train"] & groups["val"]
    assert sum(len(part) for part in first.values()) == len(rows)


def test_a_split_named_but_unfilled_is_still_present() -> None:
    assert split_rows([], parse_split("train=0.9,test=0.1")) == {"train": [], "test": []}


def test_adding_a_split_moves_only_rows_into_it() -> None:
    """Cutting the range in name order: growing val takes rows from train, never reshuffles."""
    small, large = parse_split("train=0.9,val=0.1"), parse_split("train=0.8,val=0.2")
    for i in range(2000):
        if split_of(f"t{i}", small) == "val":
            assert split_of(f"t{i}", large) == "val"
