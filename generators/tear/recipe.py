"""The TeaR recipe: its options, checked when the config is built."""

from __future__ import annotations

from dataclasses import dataclass

from datagen.generators.config import option, require
from datagen.generators.decontaminate import check_spec
from datagen.generators.engines.spec import parse_engine_spec
from datagen.generators.recipes import GENERIC_PLOTS, CardSpec, PlotSpec, Recipe
from datagen.generators.tear.tasks import parse_variants

AT_LEAST_ONE = (
    "inputs_per_function",
    "samples",
    "shard_size",
    "max_tokens",
    "max_output_chars",
    "max_ast_nodes",
    "max_trace_steps",
    "write_max_tokens",
    "describe_max_tokens",
)


@dataclass(frozen=True, kw_only=True)
class TeaRConfig:
    source: str = option(
        "humaneval",
        "'humaneval', a JSONL file of {code, entry_point, inputs}, or 'seeds' / 'seeds:FILE' "
        "(one topic per line): the engine writes a function and calls per topic.",
    )
    limit: int | None = option(None, "Keep the first N functions (with seeds: N topics).")
    decontaminate: tuple[str, ...] = option(
        (),
        "More benchmarks to drop functions of (code equal after normalising, or sharing a "
        "13-gram): a JSONL file, a catalog NAME@VERSION, or humaneval / bfcl-bench.",
    )
    default_decontamination: bool = option(
        True,
        "Check functions of sources other than 'humaneval' (files, seeds) against HumanEval's "
        "prompts and solutions. Off: only --decontaminate's benchmarks.",
    )
    inputs_per_function: int = option(
        3, "Inputs (test-case arguments or written calls) kept per function."
    )
    variants: str = option(
        "code,description",
        "Task variants, comma-separated: 'code' shows the function, 'description' only the "
        "engine's description of it (one more engine request per function).",
    )
    samples: int = option(4, "Engine answers per task; their pass rate sets its difficulty.")
    seed: int = option(0, "Run seed; every request's seed derives from it.")
    engine: str = option("embedded", "Engine spec: embedded | openai:URL?model=M | vllm:MODEL.")
    shard_size: int = option(16, "Tasks per solve shard (the unit of batching and resume).")
    temperature: float = option(0.8, "Sampling temperature of the answers.")
    max_tokens: int = option(48, "Token budget of each sampled answer.")
    min_pass_rate: float = option(
        0.01, "Drop tasks the engine solves less often (0 keeps unsolved)."
    )
    max_pass_rate: float = option(0.99, "Drop tasks the engine solves more often (too easy).")
    max_bucket_share: float = option(
        0.5, "Largest share of the kept tasks one pass-rate bucket may hold."
    )
    max_output_chars: int = option(200, "Drop inputs whose output repr is longer than this.")
    max_ast_nodes: int = option(400, "Drop functions with more AST nodes than this.")
    max_depth: int = option(4, "Drop functions nested deeper than this.")
    max_trace_steps: int = option(600, "Drop inputs whose run traces more lines than this.")
    dedup_threshold: float = option(0.9, "Token Jaccard at which two functions are duplicates.")
    write_temperature: float = option(0.7, "Temperature of functions written from seed topics.")
    write_max_tokens: int = option(192, "Token budget of each written function.")
    describe_temperature: float = option(0.3, "Temperature of the functions' descriptions.")
    describe_max_tokens: int = option(80, "Token budget of each description.")

    def __post_init__(self) -> None:
        parse_variants(self.variants)
        require(self.limit is None or self.limit >= 0, f"limit must be >= 0, got {self.limit}")
        for name in AT_LEAST_ONE:
            require(getattr(self, name) >= 1, f"{name} must be >= 1, got {getattr(self, name)}")
        require(
            0 <= self.min_pass_rate <= self.max_pass_rate <= 1,
            f"need 0 <= min_pass_rate <= max_pass_rate <= 1, got {self.min_pass_rate} and "
            f"{self.max_pass_rate}",
        )
        require(
            0 < self.max_bucket_share <= 1,
            f"max_bucket_share must be in (0, 1], got {self.max_bucket_share}",
        )
        require(
            0 < self.dedup_threshold <= 1,
            f"dedup_threshold must be in (0, 1], got {self.dedup_threshold}",
        )
        parse_engine_spec(self.engine, known_kind=False)
        if isinstance(self.decontaminate, str):
            object.__setattr__(self, "decontaminate", (self.decontaminate,))
        for spec in self.decontaminate:
            check_spec(spec)  # a bad benchmark stops the run before any work

    @property
    def chosen_variants(self) -> tuple[str, ...]:
        return parse_variants(self.variants)

    @property
    def benchmarks(self) -> tuple[str, ...]:
        """What the functions are decontaminated against: HumanEval when the source is not
        HumanEval and the default is on, then ``decontaminate``'s."""
        default = self.default_decontamination and self.source != "humaneval"
        return ("humaneval",) * default + self.decontaminate


CARD = CardSpec(
    title="TeaR code-execution reasoning",
    summary="\"What does `f(x)` return?\" tasks over real functions, shown as code or only as "
    "the engine's description of it, each with the output the sandbox measured as a "
    "verifiable answer.",
    method="TeaR: functions (HumanEval, a JSONL file, or written by the engine from seed "
    "topics) run in the sandbox for ground-truth outputs; curated for purity, determinism, "
    "output length, a complexity band and near-duplicates; rated by the engine's pass rate "
    "over K samples, kept within a pass-rate band and balanced over pass-rate buckets.",
    verifiers="The sandbox (`datagen.verifiers.sandbox`) runs every function; "
    "`compute_score(\"tear\", ...)` matches an answer against `expected`.",
    task_categories=("text-generation", "question-answering"),
    tags=("code", "code-execution", "reasoning", "rlvr"),
    plots=(
        PlotSpec(name="pass-rates", title="TeaR pass rates (engine answers right, per task)",
                 kind="hist", column="pass_rate", bins=10),
        PlotSpec(name="pass-buckets", title="Tasks per pass-rate bucket", kind="bar",
                 column="pass_bucket"),
        PlotSpec(name="complexity", title="Complexity (AST nodes)", kind="hist",
                 column="ast_nodes"),
        PlotSpec(name="trace-steps", title="Lines traced per run", kind="hist",
                 column="trace_steps"),
        PlotSpec(name="variants", title="Tasks per variant", kind="bar", column="variant"),
        GENERIC_PLOTS[-1],
    ),
)  # fmt: skip

RECIPE = Recipe(
    name="tear",
    dataset="tear",
    config=TeaRConfig,
    flow="datagen.flows.tear:tear",
    help="Build TeaR: run functions in the sandbox, curate, ask with code or description, publish.",
    reverify="datagen.generators.tear.reverify:reverify_tasks",
    card=CARD,
)
