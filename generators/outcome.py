"""What a pure stage function returns: its output records and what it set aside, counted."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Record = dict[str, Any]


@dataclass(frozen=True)
class Quarantined:
    """A record that could not go on, kept whole with the reason why."""

    record_id: str
    reason: str
    record: Record


@dataclass
class StageOutcome:
    """``n_in == len(records) + n_filtered + len(quarantined)`` must hold; ``check`` says so."""

    stage: str
    n_in: int
    records: list[Record] = field(default_factory=list)
    n_filtered: int = 0
    quarantined: list[Quarantined] = field(default_factory=list)

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
