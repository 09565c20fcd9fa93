"""The ToolPref-Pairwise recipe: its options, checked when the config is built."""

from __future__ import annotations

from dataclasses import dataclass

from datagen.generators.config import option, require
from datagen.generators.decontaminate import check_spec
from datagen.generators.engines.spec import parse_engine_spec
from datagen.generators.recipes import GENERIC_PLOTS, CardSpec, PlotSpec, Recipe
from datagen.generators.toolpref.critique_prompt import load_template

LAYOUT_NAMES = (
    "openai",
    "hermes",
    "xlam",
    "apigen_mt",
    "glaive",
    "toolace",
    "toolalpaca",
    "button",
    "complexfuncbench",
)
"""``row_layouts.LAYOUTS``' names, spelt out: the CLI imports recipes at start-up, the readers
import jsonschema and more (tests/toolpref/test_layouts.py checks the two agree)."""

CONSTRAIN = ("auto", "on", "off")
ORDERS = ("both", "swap")
MODES = ("think", "no_think", "mixed")
PARSERS = ("strict", "lenient")
"""``critique_rows.ORDERS``, ``MODES`` and ``PARSERS``, spelt out as the layouts are."""

RULES = ("toolrm", "bfcl")
"""``score.RULES``, spelt out for the same reason (tests/toolpref/test_score.py checks the two
agree)."""


@dataclass(frozen=True, kw_only=True)
class ToolPrefConfig:
    source: tuple[str, ...] = option(
        ("bfcl",),
        "Sources, comma-separated or repeated (--source A --source B): 'bfcl', hf:NAME[:SPLIT], "
        "or JSONL files (OpenAI, Hermes, xlam, APIGen-MT, Glaive, ToolACE; layout detected per "
        "file). Each is a source for balancing.",
    )
    source_format: str | None = option(
        None,
        "Force the layout of every --source: openai, hermes, xlam, apigen_mt, glaive, toolace, "
        "toolalpaca, button, complexfuncbench (the last three experimental).",
    )
    every_turn: bool = option(
        True,
        "Make every assistant turn of a file source a task, as ToolRM does; a turn without a call "
        "has an empty ground truth (the model should answer without calling). Off: calling "
        "turns only.",
    )
    decontaminate: tuple[str, ...] = option(
        (),
        "More benchmarks to drop tasks of (a user turn equal after normalising, or sharing a "
        "13-gram): a JSONL file, a catalog NAME@VERSION, or bfcl-bench / humaneval.",
    )
    default_decontamination: bool = option(
        True,
        "Check tasks of sources other than 'bfcl' against BFCL's bench part (BFCL's own train "
        "part is disjoint from it by construction). Off: only --decontaminate's benchmarks.",
    )
    rule: str = option(
        "toolrm",
        "Scoring rule: toolrm (ToolRM's share of matching arguments, valid only when all match) "
        "or bfcl (BFCL's AST checker, graded credit).",
    )
    difficulty_filter: bool = option(
        True,
        "Keep only tasks with a correct and an incorrect candidate (ToolRM's filter); off keeps "
        "every task whose candidates' scores differ (a model that is never right still pairs).",
    )
    limit: int | None = option(
        None, "Keep the first N tasks (sources, then categories, interleaved)."
    )
    samples: int = option(4, "Candidates per task, spread over the sampling plan.")
    constrain: str = option(
        "auto",
        "Grammar-constrain answers to the tools' call schema: auto (only for engines without "
        "native tools, as the embedded one), on, or off.",
    )
    ground_truth_candidate: bool = option(
        False, "Add each task's ground-truth calls as one more candidate."
    )
    seed: int = option(0, "Run seed; every request's seed derives from it.")
    engine: str = option(
        "embedded", "Engine spec: embedded | openai:URL?model=M | vllm:MODEL ('a+b' for several)."
    )
    shard_size: int = option(16, "Tasks per shard (the unit of batching and resume).")
    temperatures: tuple[float, ...] = option((0.7, 1.0), "Sampling temperatures of the plan.")
    max_tokens: int = option(192, "Token budget of each sampled answer.")
    min_margin: float = option(
        0.0, "Minimum score gap between chosen and rejected (chosen always scores higher)."
    )
    max_bucket_share: float = option(
        0.25, "Without --target-pairs: largest share of the pairs one balance group holds."
    )
    target_pairs: int | None = option(
        None,
        "Pairs to keep, filled evenly over source × intensity-bin groups (shortfalls reported); "
        "each pair gives two rows with --orders both.",
    )
    orders: str = option(
        "both", "Critique rows per pair: both (chosen first and second) or swap (one, by seed)."
    )
    critique_mode: str = option(
        "think",
        "Critique prompts: think (reasoning allowed), no_think (adds /no_think) or mixed.",
    )
    prompt_template: str | None = option(
        None,
        "A template file for the critique prompt (the released one, say), with {conversation}, "
        "{tools}, {response_1} and {response_2}.",
    )
    choice_parser: str = option(
        "strict",
        "The reward's <choice> parser, written on every row: strict (ToolRM's released reward: "
        "the first <choice>\\nN\\n</choice>) or lenient (the last tag, any whitespace).",
    )

    def __post_init__(self) -> None:
        if isinstance(self.source, str):  # ToolPrefConfig(source="chats.jsonl"): one source
            object.__setattr__(self, "source", (self.source,))
        require(bool(self.source), "source must name at least one source")
        require(
            self.source_format is None or self.source_format in LAYOUT_NAMES,
            f"source_format must be one of {', '.join(LAYOUT_NAMES)}, got {self.source_format!r}",
        )
        require(self.rule in RULES, f"rule must be one of {', '.join(RULES)}, got {self.rule!r}")
        require(self.limit is None or self.limit >= 0, f"limit must be >= 0, got {self.limit}")
        require(self.samples >= 1, f"samples must be >= 1, got {self.samples}")
        require(self.shard_size >= 1, f"shard_size must be >= 1, got {self.shard_size}")
        require(self.max_tokens >= 1, f"max_tokens must be >= 1, got {self.max_tokens}")
        require(bool(self.temperatures), "temperatures must name at least one temperature")
        require(
            all(t >= 0 for t in self.temperatures),
            f"temperatures must be >= 0: {self.temperatures}",
        )
        require(0 <= self.min_margin <= 1, f"min_margin must be in [0, 1], got {self.min_margin}")
        require(
            0 < self.max_bucket_share <= 1,
            f"max_bucket_share must be in (0, 1], got {self.max_bucket_share}",
        )
        require(
            self.constrain in CONSTRAIN, f"constrain must be auto, on or off: {self.constrain!r}"
        )
        require(
            self.target_pairs is None or self.target_pairs >= 0,
            f"target_pairs must be >= 0, got {self.target_pairs}",
        )
        require(self.orders in ORDERS, f"orders must be both or swap, got {self.orders!r}")
        require(
            self.critique_mode in MODES,
            f"critique_mode must be one of {', '.join(MODES)}, got {self.critique_mode!r}",
        )
        require(
            self.choice_parser in PARSERS,
            f"choice_parser must be strict or lenient, got {self.choice_parser!r}",
        )
        if self.prompt_template is not None:
            load_template(self.prompt_template)  # a bad file stops the run before any work
        for spec in self.engines:
            parse_engine_spec(spec, known_kind=False)
        if isinstance(self.decontaminate, str):
            object.__setattr__(self, "decontaminate", (self.decontaminate,))
        for spec in self.decontaminate:
            check_spec(spec)  # a bad benchmark stops the run before any work

    @property
    def engines(self) -> tuple[str, ...]:
        """The engines of an ``a+b`` spec: each is one value of the plan's engine dimension."""
        return tuple(e.strip() for e in self.engine.split("+"))

    @property
    def benchmarks(self) -> tuple[str, ...]:
        """What the tasks are decontaminated against: BFCL's bench part when a source is not
        BFCL and the default is on, then ``decontaminate``'s."""
        bfcl_only = all(source in ("bfcl", "bfcl:bench") for source in self.source)
        default = self.default_decontamination and not bfcl_only
        return ("bfcl-bench",) * default + self.decontaminate


CRITIQUE_PLOTS = (
    PlotSpec(name="labels", title="Label balance (which response is better)", kind="bar",
             column="label"),
    PlotSpec(name="intensity", title="Preference intensity bins (s+ - s-)", kind="bar",
             column="intensity"),
    PlotSpec(name="score-1", title="Score of response 1", kind="hist", column="score_1"),
    PlotSpec(name="score-2", title="Score of response 2", kind="hist", column="score_2"),
    PlotSpec(name="complexity", title="Task complexity (calls + arguments)", kind="hist",
             column="complexity"),
    PlotSpec(name="sources", title="Rows per data source", kind="bar", column="source"),
    PlotSpec(name="categories", title="Rows per category", kind="bar", column="category"),
)  # fmt: skip
"""The plots of a critique-row dataset (ToolPref-Pairwise, TRBench-BFCL)."""

CARD = CardSpec(
    title="ToolPref-Pairwise",
    summary="Pairwise critique tasks for tool-use reward models: a conversation with its "
    "function docs and two candidate responses (function calls), the better one named by a "
    "verifiable `<choice>`.",
    method="ToolRM's recipe: candidates sampled over a plan of engines × temperatures × prompt "
    "variants × tool orders, scored against each task's ground-truth calls by ToolRM's rule "
    "(or BFCL's AST checker); tasks kept only with a correct and an incorrect candidate; every "
    "two candidates whose scores differ make a pair, balanced over data source × "
    "preference-intensity bin, the most complex tasks first; each pair shown in one or both "
    "orders.",
    paper="https://arxiv.org/abs/2510.26167",
    verifiers="`datagen.verifiers.toolrm_rule` (ToolRM's rule) or `datagen.verifiers.toolcall` "
    "(BFCL's AST rules) score the candidates; `datagen.verifiers.critique.critique_reward` "
    "scores a critic's `<choice>` against `label` (the RL reward).",
    task_categories=("text-classification", "text-generation"),
    tags=("tool-use", "function-calling", "reward-modeling", "preference"),
    plots=(*CRITIQUE_PLOTS, GENERIC_PLOTS[-1]),
)

RECIPE = Recipe(
    name="toolpref",
    dataset="toolpref-pairwise",
    config=ToolPrefConfig,
    flow="datagen.flows.toolpref:toolpref",
    help="Build ToolPref-Pairwise: sample calls, score them against ground truth, publish pairs.",
    reverify="datagen.generators.toolpref.reverify:reverify_critique",
    card=CARD,
)
