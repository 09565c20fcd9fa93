"""The example dataset's options, checked when the config is built."""

from __future__ import annotations

from dataclasses import dataclass

from datagen.generators.config import option, require
from datagen.generators.engines.spec import parse_engine_spec
from datagen.generators.recipes import GENERIC_PLOTS, CardSpec, PlotSpec, Recipe


@dataclass(frozen=True, kw_only=True)
class ExampleConfig:
    problems: int = option(24, "How many arithmetic questions to make.")
    samples: int = option(4, "Engine answers per question; their pass rate is its difficulty.")
    seed: int = option(0, "Run seed: the questions and every request's seed derive from it.")
    engine: str = option(
        "fake:example", "Engine spec (the fake answers arithmetic, sometimes wrongly)."
    )
    shard_size: int = option(8, "Questions per shard (the unit of batching and resume).")
    min_pass_rate: float = option(0.0, "Drop questions the engine gets right less often.")
    max_pass_rate: float = option(0.99, "Drop questions the engine always gets right.")
    max_bucket_share: float = option(0.5, "Largest share of the rows one pass-rate bucket holds.")

    def __post_init__(self) -> None:
        for name in ("problems", "samples", "shard_size"):
            require(getattr(self, name) >= 1, f"{name} must be >= 1, got {getattr(self, name)}")
        require(
            0 <= self.min_pass_rate <= self.max_pass_rate <= 1,
            f"need 0 <= min_pass_rate <= max_pass_rate <= 1, got {self.min_pass_rate}, "
            f"{self.max_pass_rate}",
        )
        require(0 < self.max_bucket_share <= 1, "max_bucket_share must be in (0, 1]")
        parse_engine_spec(self.engine, known_kind=False)


CARD = CardSpec(
    title="Worked example: arithmetic by pass rate",
    summary="Arithmetic questions with their answers, kept by how often the engine answers "
    "them right (the worked example of `docs/adding-a-dataset.md`).",
    method="Questions made from the seed, answered K times by the engine; a question's pass "
    "rate is its difficulty; kept within a pass-rate band, balanced over pass-rate buckets.",
    verifiers="Exact match of the integer answer.",
    task_categories=("question-answering",),
    tags=("math", "rlvr", "example"),
    plots=(
        PlotSpec(name="pass-rates", title="Pass-rate distribution", kind="hist",
                 column="pass_rate", bins=10),
        PlotSpec(name="pass-buckets", title="Questions per pass-rate bucket", kind="bar",
                 column="pass_bucket"),
        GENERIC_PLOTS[-1],
    ),
)  # fmt: skip

RECIPE = Recipe(
    name="example",
    dataset="example",
    config=ExampleConfig,
    flow="datagen.flows.example:example",
    help="Build the worked example: arithmetic questions kept by the engine's pass rate.",
    cannot_reverify="the engine's answers, only their pass rate (re-measuring it needs the engine)",
    card=CARD,
)
