"""The record types every layer shares: a record, a quarantined one, a stage's outcome and
counts, and what a source reader returns.

They live in the lowest layer so that generators (which make them), catalog (which stores
them) and flows (which move them) speak the same types instead of copies of each other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Record = dict[str, Any]
"""A row of a dataset or of a stage: plain JSON-like values, validated by its schema."""


class SourceError(ValueError):
    """A source that cannot be read at all: missing, empty, not UTF-8, not JSON, truncated,
    or rows of another shape. The message names the source and what is wrong with it; the
    command line prints it as one line (exit status 2). Rows that are merely unusable are not
    errors: a reader quarantines them and goes on."""


@dataclass(frozen=True)
class Quarantined:
    """A record that could not go on, kept whole with the reason why (``code: detail``)."""

    record_id: str
    reason: str
    record: Record


@dataclass(frozen=True)
class SourceRead:
    """A source's usable records, its rejected rows, and the lineage a version records."""

    records: list[Record]
    rejects: list[Quarantined] = field(default_factory=list)
    lineage: dict[str, Any] = field(default_factory=dict)


@dataclass
class StageOutcome:
    """``n_in == len(records) + n_filtered + len(quarantined)`` must hold; ``check`` says so."""

    stage: str
    n_in: int
    records: list[Record] = field(default_factory=list)
    n_filtered: int = 0
    quarantined: list[Quarantined] = field(default_factory=list)
    reasons: dict[str, int] = field(default_factory=dict)
    """Why records were filtered: ``"stage: reason_code"`` → how many (for the report)."""

    def check(self) -> StageOutcome:
        accounted = len(self.records) + self.n_filtered + len(self.quarantined)
        if accounted != self.n_in:
            raise AssertionError(
                f"stage {self.stage!r} lost track of records: in={self.n_in} but "
                f"out={len(self.records)} + filtered={self.n_filtered} + "
                f"quarantined={len(self.quarantined)} = {accounted}"
            )
        return self


@dataclass(frozen=True)
class StageCounts:
    """The numbers a stage reports; ``n_in == n_out + n_filtered + n_quarantined``."""

    stage: str
    n_in: int
    n_out: int
    n_filtered: int = 0
    n_quarantined: int = 0

    @property
    def balanced(self) -> bool:
        counts = (self.n_in, self.n_out, self.n_filtered, self.n_quarantined)
        return min(counts) >= 0 and self.n_in == self.n_out + self.n_filtered + self.n_quarantined

    @classmethod
    def of(cls, outcome: StageOutcome) -> StageCounts:
        return cls(
            outcome.stage,
            outcome.n_in,
            len(outcome.records),
            outcome.n_filtered,
            len(outcome.quarantined),
        )

    @classmethod
    def total(cls, stage: str, parts: list[StageCounts]) -> StageCounts:
        """The sum of a per-shard stage's counts."""
        return cls(
            stage,
            sum(p.n_in for p in parts),
            sum(p.n_out for p in parts),
            sum(p.n_filtered for p in parts),
            sum(p.n_quarantined for p in parts),
        )
