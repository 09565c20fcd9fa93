"""Deterministic train/val/test splits by a hash of each row's group id.

A row's split depends only on its ``group_id`` (a task id) and the fractions, never on the row
order, the other rows or a random seed: re-exporting a version, or a later version that shares
tasks, puts every task where it was, and rows of one group always land together.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Mapping
from typing import Any

from datagen.catalog.export import ExportError

SPLIT_NAMES = ("train", "val", "test")
"""The splits an export may have, in the order the hash range is cut."""
DEFAULT_SPLIT = "train=0.95,val=0.05"


class SplitError(ExportError, ValueError):
    """A ``--split`` specification that cannot be used."""


def parse_split(text: str) -> dict[str, float]:
    """``"train=0.95,val=0.05"`` → ``{"train": 0.95, "val": 0.05}``, checked.

    Names must be among ``SPLIT_NAMES`` and appear once, ``train`` must be present, each
    fraction must be a number in (0, 1], and the fractions must add up to 1.
    """
    fractions: dict[str, float] = {}
    for part in (p.strip() for p in text.split(",")):
        name, sep, value = (s.strip() for s in part.partition("="))
        if not sep or not name or not value:
            raise SplitError(f"split {part!r} in {text!r} is not NAME=FRACTION (e.g. train=0.95)")
        if name not in SPLIT_NAMES:
            raise SplitError(f"unknown split {name!r}; use {', '.join(SPLIT_NAMES)}")
        if name in fractions:
            raise SplitError(f"split {name!r} appears twice in {text!r}")
        try:
            fraction = float(value)
        except ValueError:
            raise SplitError(f"fraction of {name!r} is not a number: {value!r}") from None
        if not (math.isfinite(fraction) and 0 < fraction <= 1):
            raise SplitError(f"fraction of {name!r} must be in (0, 1], got {value}")
        fractions[name] = fraction
    if "train" not in fractions:
        raise SplitError(f"{text!r} has no train split")
    total = sum(fractions.values())
    if not math.isclose(total, 1.0, abs_tol=1e-6):
        raise SplitError(f"split fractions must add up to 1, got {total:g} from {text!r}")
    return {name: fractions[name] for name in SPLIT_NAMES if name in fractions}


def hash_point(group_id: str) -> float:
    """A group id's fixed point in [0, 1), from the first 8 bytes of its SHA-256."""
    digest = hashlib.sha256(group_id.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def split_of(group_id: str, fractions: Mapping[str, float]) -> str:
    """The split whose slice of [0, 1) holds the group's hash point (slices in name order)."""
    point, upper = hash_point(group_id), 0.0
    names = [name for name in SPLIT_NAMES if name in fractions]
    for name in names:
        upper += fractions[name]
        if point < upper:
            return name
    return names[-1]  # rounding left a sliver above the last bound


def split_rows(
    rows: Iterable[Mapping[str, Any]], fractions: Mapping[str, float]
) -> dict[str, list[Mapping[str, Any]]]:
    """Rows by split, each split in input order; every split of ``fractions`` is present."""
    splits: dict[str, list[Mapping[str, Any]]] = {name: [] for name in fractions}
    for row in rows:
        splits[split_of(str(row["group_id"]), fractions)].append(row)
    return splits
