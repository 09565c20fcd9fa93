"""The TRBench-BFCL recipe: its options, checked when the config is built."""

from __future__ import annotations

from dataclasses import dataclass

from datagen.generators.config import option, require
from datagen.generators.engines.spec import parse_engine_spec
from datagen.generators.recipes import GENERIC_PLOTS, CardSpec, PlotSpec, Recipe


@dataclass(frozen=True, kw_only=True)
class TRBenchConfig:
    source: str = option(
        "bfcl:bench",
        "Tasks with BFCL possible answers: bfcl:bench (the part held out of --source bfcl), or "
        "any source toolpref reads whose ground truth BFCL's checker can judge.",
    )
    limit: int | None = option(None, "Keep the first N tasks (BFCL's categories interleaved).")
    samples: int = option(4, "Sampled answers per task; those BFCL rejects become pairs.")
    seed: int = option(0, "Run seed; every request's seed derives from it.")
    engine: str = option(
        "embedded", "Engine spec: embedded | openai:URL?model=M | vllm:MODEL ('a+b' for several)."
    )
    shard_size: int = option(16, "Tasks per shard (the unit of batching and resume).")
    temperatures: tuple[float, ...] = option((0.7, 1.0), "Sampling temperatures of the plan.")
    max_tokens: int = option(192, "Token budget of each sampled answer.")

    def __post_init__(self) -> None:
        require(bool(self.source), "source must name a task source")
        require(self.limit is None or self.limit >= 0, f"limit must be >= 0, got {self.limit}")
        require(self.samples >= 1, f"samples must be >= 1, got {self.samples}")
        require(self.shard_size >= 1, f"shard_size must be >= 1, got {self.shard_size}")
        require(self.max_tokens >= 1, f"max_tokens must be >= 1, got {self.max_tokens}")
        require(bool(self.temperatures), "temperatures must name at least one temperature")
        require(
            all(t >= 0 for t in self.temperatures),
            f"temperatures must be >= 0: {self.temperatures}",
        )
        for spec in self.engines:
            parse_engine_spec(spec, known_kind=False)

    @property
    def engines(self) -> tuple[str, ...]:
        """The engines of an ``a+b`` spec: each is one value of the plan's engine dimension."""
        return tuple(e.strip() for e in self.engine.split("+"))


CARD = CardSpec(
    title="TRBench-BFCL",
    summary="A benchmark for tool-use critics: BFCL's held-out tasks, each task's ground-truth "
    "calls (chosen) against a sampled answer BFCL's checker rejects (rejected), in both orders.",
    method="ToolRM's TRBench-BFCL: BFCL's bench part, each task's concrete ground truth and "
    "every distinct sampled answer BFCL's AST checker rejects, with its error type.",
    paper="https://arxiv.org/abs/2510.26167",
    verifiers="BFCL's AST checker (`datagen.verifiers.toolcall`) rejects the sampled answers; "
    "`datagen.verifiers.critique.critique_reward` scores a critic's `<choice>`.",
    task_categories=("text-classification",),
    tags=("tool-use", "function-calling", "benchmark", "critic"),
    plots=(
        PlotSpec(name="labels", title="Label balance", kind="bar", column="label"),
        PlotSpec(name="error-types", title="Rejected answers per error type", kind="bar",
                 column="error_type"),
        PlotSpec(name="categories", title="Rows per category", kind="bar", column="category"),
        PlotSpec(name="complexity", title="Task complexity", kind="hist", column="complexity"),
        GENERIC_PLOTS[-1],
    ),
)  # fmt: skip

RECIPE = Recipe(
    name="trbench",
    dataset="trbench-bfcl",
    config=TRBenchConfig,
    flow="datagen.flows.trbench:trbench",
    help="Build TRBench-BFCL: BFCL's held-out tasks, ground truth against answers BFCL rejects.",
    reverify="datagen.generators.trbench.reverify:reverify_bench",
    card=CARD,
)
