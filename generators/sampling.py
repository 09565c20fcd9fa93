"""Multidimensional sampling plans and per-request seeds.

A plan is the cross product of its dimensions (engine × temperature × prompt variant × tool
order); a task's K samples are spread over the plan's cells, starting at a cell chosen by the
task's id so that every cell is used evenly across a dataset even when K < number of cells.
Every seed is derived from (run seed, task id, sample index) alone, so a candidate's text does
not depend on which shard, batch or order it was generated in.
"""

from __future__ import annotations

import hashlib
import itertools
from dataclasses import asdict, dataclass


@dataclass(frozen=True, kw_only=True)
class SamplingCell:
    """The dimension values of one sample; recorded on the candidate it produces."""

    engine: str
    temperature: float
    prompt_variant: str
    tool_order: str


@dataclass(frozen=True, kw_only=True)
class SamplingPlan:
    engines: tuple[str, ...] = ("embedded",)
    temperatures: tuple[float, ...] = (0.7, 1.0)
    prompt_variants: tuple[str, ...] = ("direct", "careful")
    tool_orders: tuple[str, ...] = ("given", "shuffled")
    samples_per_task: int = 4

    def __post_init__(self) -> None:
        for name in ("engines", "temperatures", "prompt_variants", "tool_orders"):
            if not getattr(self, name):
                raise ValueError(f"sampling plan dimension {name!r} is empty")
        if self.samples_per_task < 1:
            raise ValueError(f"samples_per_task must be >= 1, got {self.samples_per_task}")
        if any(t < 0 for t in self.temperatures):
            raise ValueError(f"temperatures must be >= 0, got {self.temperatures}")

    def cells(self) -> list[SamplingCell]:
        """Every combination of the dimensions, in a fixed order."""
        return [
            SamplingCell(engine=e, temperature=t, prompt_variant=p, tool_order=o)
            for e, t, p, o in itertools.product(
                self.engines, self.temperatures, self.prompt_variants, self.tool_orders
            )
        ]

    def assign(self, task_id: str) -> list[tuple[int, SamplingCell]]:
        """``(sample_index, cell)`` for each of the task's samples."""
        cells = self.cells()
        start = stable_int(task_id) % len(cells)
        return [(i, cells[(start + i) % len(cells)]) for i in range(self.samples_per_task)]

    def describe(self) -> dict:
        return asdict(self)


def stable_int(*parts: object, bits: int = 63) -> int:
    """A non-negative integer hash of ``parts`` that is the same in every process."""
    digest = hashlib.sha256("\x1f".join(map(str, parts)).encode()).digest()
    return int.from_bytes(digest[:8], "big") >> (64 - bits)


def derive_seed(run_seed: int, task_id: str, sample_index: int) -> int:
    """The seed of one sample: 31 bits, which every engine accepts."""
    return stable_int("seed", run_seed, task_id, sample_index, bits=31)
