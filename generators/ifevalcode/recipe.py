"""The IFEvalCode recipe: its options, checked when the config is built."""

from __future__ import annotations

from dataclasses import dataclass

from datagen.generators.config import option, require
from datagen.generators.recipes import Recipe
from datagen.verifiers.code.languages import LANGUAGES

PAPER_CONSTRAINTS = (2, 15, 5.0)
"""The paper's constraints per problem: from 2 to 15, about 5 on average."""


@dataclass(frozen=True, kw_only=True)
class IFEvalCodeConfig:
    source: str = option(
        "seeds",
        "'seeds' (hand-written problems in all seven languages), 'humaneval' (Python), or a "
        "JSONL file of rows in the released layout with a reference_response.",
    )
    limit: int | None = option(None, "Keep N problems, taken in turn from each language.")
    languages: tuple[str, ...] = option(LANGUAGES, "Languages to keep, comma-separated.")
    min_constraints: int = option(PAPER_CONSTRAINTS[0], "Fewest constraints per problem.")
    max_constraints: int = option(PAPER_CONSTRAINTS[1], "Most constraints per problem.")
    mean_constraints: float = option(
        PAPER_CONSTRAINTS[2], "Mean constraints per problem (fewer where code meets fewer)."
    )
    seed: int = option(0, "Run seed: which constraints each problem gets derives from it.")
    shard_size: int = option(16, "Problems per shard (the unit of checking and resume).")

    def __post_init__(self) -> None:
        require(self.limit is None or self.limit >= 0, f"limit must be >= 0, got {self.limit}")
        unknown = sorted(set(self.languages) - set(LANGUAGES))
        require(not unknown, f"unknown languages {unknown}; known: {', '.join(LANGUAGES)}")
        require(bool(self.languages), "languages must name at least one language")
        require(
            1 <= self.min_constraints <= self.max_constraints,
            f"need 1 <= min_constraints <= max_constraints, got {self.min_constraints} and "
            f"{self.max_constraints}",
        )
        require(
            self.min_constraints <= self.mean_constraints <= self.max_constraints,
            f"mean_constraints must lie between min and max, got {self.mean_constraints}",
        )
        require(self.shard_size >= 1, f"shard_size must be >= 1, got {self.shard_size}")


RECIPE = Recipe(
    name="ifevalcode",
    dataset="ifevalcode",
    config=IFEvalCodeConfig,
    flow="datagen.flows.ifevalcode:ifevalcode",
    help="Build IFEvalCode: code problems with constraints derived from passing code, in "
    "seven languages, each checked for correctness and instruction-following.",
)
