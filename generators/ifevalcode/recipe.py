"""The IFEvalCode recipe: its options, checked when the config is built."""

from __future__ import annotations

from dataclasses import dataclass

from datagen.generators.config import option, require
from datagen.generators.engines.spec import parse_engine_spec
from datagen.generators.recipes import GENERIC_PLOTS, CardSpec, PlotSpec, Recipe
from datagen.verifiers.code.languages import LANGUAGES

PAPER_CONSTRAINTS = (2, 15, 5.0)
"""The paper's constraints per problem: from 2 to 15, about 5 on average."""
DIRECTIONS = ("backward", "forward")


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
    directions: tuple[str, ...] = option(
        DIRECTIONS,
        "Directions, comma-separated: 'backward' derives constraints the reference meets (no "
        "model); 'forward' has the engine pick constraints and write code for them.",
    )
    engine: str = option(
        "embedded",
        "Engine spec (forward picks and code, and every row's Chinese question): embedded | "
        "openai:URL?model=M | vllm:MODEL.",
    )
    seed: int = option(0, "Run seed: which constraints each problem gets derives from it.")
    shard_size: int = option(16, "Problems per shard (the unit of checking and resume).")
    pick_temperature: float = option(0.7, "Temperature of the forward constraint picks.")
    write_temperature: float = option(0.2, "Temperature of the forward code.")
    write_max_tokens: int = option(640, "Token budget of each forward answer.")
    chinese: bool = option(True, "Have the engine write each row's Chinese question.")
    chinese_temperature: float = option(0.2, "Temperature of the Chinese questions.")
    chinese_max_tokens: int = option(400, "Token budget of each Chinese question.")

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
        unknown = sorted(set(self.directions) - set(DIRECTIONS))
        require(
            bool(self.directions) and not unknown,
            f"directions must name some of {', '.join(DIRECTIONS)}, got {self.directions}",
        )
        for name in ("write_max_tokens", "chinese_max_tokens"):
            require(getattr(self, name) >= 1, f"{name} must be >= 1, got {getattr(self, name)}")
        parse_engine_spec(self.engine, known_kind=False)


CHAIN_STAGES = ("backward", "pick")
"""``pipeline.BACKWARD_STAGES[0]`` and ``FORWARD_STAGES[0]``, spelt out (the CLI imports recipes
at start-up, the pipeline imports the sandbox): each chain's quarantine, the keep stage's
failures among it, is stored under these names."""

CARD = CardSpec(
    title="IFEvalCode",
    summary="Code problems in seven languages (Python, Java, JavaScript, TypeScript, shell, "
    "C++, C#) with instructions the code must follow, each checked for correctness and for "
    "instruction-following, in English and Chinese.",
    method="IFEvalCode: backward, the constraints a passing reference already meets, decided "
    "by tree-sitter; forward, the engine picks constraints from the checker library's menu "
    "and revises the solution to follow them. A row is kept when its answer passes its tests "
    "and its checker in the sandbox and every constraint's checker rejects a mutant of it.",
    paper="https://arxiv.org/abs/2507.22462",
    verifiers="`datagen.verifiers.code` runs `check_correctness` and `check_instruction` in the "
    "sandbox; the RL reward is correct × instruction (`compute_score(\"ifevalcode\", ...)`).",
    task_categories=("text-generation",),
    tags=("code", "instruction-following", "multilingual", "rlvr"),
    plots=(
        PlotSpec(name="pass-rate-per-language",
                 title="IFEvalCode keep pass rate per language", kind="rate",
                 column="programming_language", stages=CHAIN_STAGES, having="direction"),
        PlotSpec(name="languages", title="Rows per language", kind="bar",
                 column="programming_language"),
        PlotSpec(name="constraints", title="Constraints per problem", kind="length",
                 column="constraints"),
        PlotSpec(name="directions", title="Rows per direction", kind="bar", column="direction"),
        GENERIC_PLOTS[-1],
    ),
)  # fmt: skip

RECIPE = Recipe(
    name="ifevalcode",
    dataset="ifevalcode",
    config=IFEvalCodeConfig,
    flow="datagen.flows.ifevalcode:ifevalcode",
    help="Build IFEvalCode: code problems with constraints, derived from passing code "
    "(backward) or picked and answered by the engine (forward), in seven languages, each "
    "checked for correctness and instruction-following.",
    card=CARD,
)
