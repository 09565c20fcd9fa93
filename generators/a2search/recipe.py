"""The A²Search recipe: its options, checked when the config is built."""

from __future__ import annotations

from dataclasses import dataclass

from datagen.generators.a2search.configs import (
    PROMPTS,
    PROTOCOL_NAMES,
    VERIFY_PROMPTS,
    AgentConfig,
    VerifierConfig,
    parse_mapping,
)
from datagen.generators.config import option, require
from datagen.generators.engines.spec import parse_engine_spec
from datagen.generators.recipes import GENERIC_PLOTS, CardSpec, PlotSpec, Recipe


@dataclass(frozen=True, kw_only=True)
class A2SearchConfig:
    source: str = option("demo", "'demo', hf:NAME[:SPLIT], or a JSONL/Parquet file of questions.")
    map: str | None = option(
        None, "Source columns of our fields: question=COL,answers=COL+COL,id=COL,answer_set=COL."
    )
    corpus: str = option("demo", "'demo' or a JSONL/Parquet file of {id, title, text} passages.")
    limit: int | None = option(None, "Keep the first N questions.")
    seed: int = option(0, "Run seed; every request's seed derives from it.")
    engine: str = option("embedded", "Agent engine spec ('a+b' for several agent engines).")
    protocol: str = option(
        "tags",
        "tags (<search> tags, Search-R1) or tools (native calls; vllm with tool_parser, openai).",
    )
    prompts: tuple[str, ...] = option(("default",), f"Agent prompt variants: {', '.join(PROMPTS)}.")
    temperatures: tuple[float, ...] = option((0.8,), "Agent sampling temperatures.")
    trajectories: int = option(2, "Trajectories per question for each agent configuration.")
    max_turns: int = option(4, "Turns per trajectory (searches, then the answer).")
    turn_tokens: int = option(160, "Token budget of one turn.")
    max_tokens: int = option(640, "Token budget of a whole trajectory.")
    top_k: int = option(3, "Passages each search returns.")
    judge_engine: str | None = option(
        None, "Engine that judges alternatives the normalised match keeps (default: no judge)."
    )
    verifier_engine: str | None = option(None, "Verifier engine spec(s); default: the agents'.")
    verifier_prompts: tuple[str, ...] = option(
        ("default",), f"Verifier prompt variants: {', '.join(VERIFY_PROMPTS)}."
    )
    votes: int = option(4, "Votes of each verifier configuration on each alternative.")
    eta: int = option(3, "Yes votes an alternative needs to join the answer set.")
    shard_size: int = option(8, "Questions per shard (the unit of batching and resume).")

    def __post_init__(self) -> None:
        require(self.limit is None or self.limit >= 0, f"limit must be >= 0, got {self.limit}")
        for name in ("trajectories", "max_turns", "turn_tokens", "max_tokens", "top_k", "votes"):
            require(getattr(self, name) >= 1, f"{name} must be >= 1, got {getattr(self, name)}")
        require(self.shard_size >= 1, f"shard_size must be >= 1, got {self.shard_size}")
        require(self.max_turns >= 2, "max_turns must be >= 2 (a search, then the answer)")
        unknown = sorted(set(self.prompts) - set(PROMPTS))
        require(not unknown, f"unknown agent prompts {unknown}; known: {sorted(PROMPTS)}")
        unknown = sorted(set(self.verifier_prompts) - set(VERIFY_PROMPTS))
        require(not unknown, f"unknown verifier prompts {unknown}; known: {sorted(VERIFY_PROMPTS)}")
        require(bool(self.temperatures), "temperatures must name at least one temperature")
        voters = len(self.verifiers) * self.votes
        require(
            1 <= self.eta <= voters,
            f"eta must be in [1, {voters}] (the votes cast), got {self.eta}",
        )
        parse_mapping(self.map)
        require(
            self.protocol in PROTOCOL_NAMES,
            f"protocol must be one of {sorted(PROTOCOL_NAMES)}, got {self.protocol!r}",
        )
        judges = {self.judge_engine} if self.judge_engine else set()
        for spec in {a.engine for a in self.agents} | {v.engine for v in self.verifiers} | judges:
            parse_engine_spec(spec, known_kind=False)
        if self.protocol == "tools":
            for agent in self.agents:
                require_native_tools(agent.engine)

    @property
    def agents(self) -> list[AgentConfig]:
        """Every agent configuration: engines × prompt variants × temperatures."""
        engines = [e.strip() for e in self.engine.split("+")]
        return [
            AgentConfig(engine=e, prompt=p, temperature=t)
            for e in engines
            for p in self.prompts
            for t in self.temperatures
        ]

    @property
    def verifiers(self) -> list[VerifierConfig]:
        """Every verifier configuration: engines × prompt variants."""
        engines = [e.strip() for e in (self.verifier_engine or self.engine).split("+")]
        return [VerifierConfig(engine=e, prompt=p) for e in engines for p in self.verifier_prompts]


def require_native_tools(spec: str) -> None:
    """Refuse an agent engine that cannot parse tool calls, before any work."""
    parsed = parse_engine_spec(spec, known_kind=False)
    if parsed.kind in ("embedded", "fake"):
        raise ValueError(
            f"--protocol tools needs an engine that parses tool calls; {spec!r} has none: "
            "use vllm:MODEL?tool_parser=NAME or openai:URL, or --protocol tags"
        )
    if parsed.kind == "vllm" and not parsed.options.get("tool_parser"):
        raise ValueError(
            f"--protocol tools on {spec!r} needs the spec's tool_parser=NAME (e.g. hermes)"
        )


CARD = CardSpec(
    title="A²Search answer sets",
    summary="Open-domain questions with answer sets: every answer the evidence supports, so "
    "an ambiguous question rewards each of its true answers.",
    method="A²Search: batched search-agent trajectories over a BM25 corpus propose answers; "
    "alternatives to the reference answer are proved by verifier votes on their evidence "
    "(an alternative with at least `eta` yes votes joins the set); questions with more than "
    "one answer are marked ambiguous.",
    paper="https://arxiv.org/abs/2510.07958",
    verifiers="Verifier engines' votes on the evidence decide each answer set; "
    "`datagen.verifiers.ansf1` (AnsF1) is the RL reward.",
    task_categories=("question-answering",),
    tags=("search-agent", "rlvr", "ambiguous-questions"),
    plots=(
        PlotSpec(name="alternatives", title="A²Search alternatives per question", kind="hist",
                 column="alternatives"),
        PlotSpec(name="answer-set-sizes", title="Answers per answer set", kind="length",
                 column="answer_set"),
        PlotSpec(name="ambiguous", title="Ambiguous questions", kind="bar", column="ambiguous"),
        GENERIC_PLOTS[-1],
    ),
)  # fmt: skip

TRAJECTORIES_CARD = CardSpec(
    title="A²Search trajectories",
    summary="The search agent's trajectories behind an A²Search version: messages (tool "
    "turns marked), searches, the final answer and why each ended.",
    method=CARD.method,
    paper=CARD.paper,
    verifiers=CARD.verifiers,
    task_categories=("question-answering", "text-generation"),
    tags=("search-agent", "trajectories"),
    plots=(
        PlotSpec(name="finish-reasons", title="Why trajectories ended", kind="bar",
                 column="finish_reason"),
        PlotSpec(name="tool-calls", title="Searches per trajectory", kind="hist",
                 column="tool_calls"),
        PlotSpec(name="agents", title="Trajectories per agent", kind="bar", column="agent"),
        GENERIC_PLOTS[-1],
    ),
)  # fmt: skip

RECIPE = Recipe(
    name="a2search",
    dataset="a2search",
    config=A2SearchConfig,
    flow="datagen.flows.a2search:a2search",
    help="Build A²Search: search-agent trajectories, verified alternative answers, answer sets.",
    cannot_reverify="the verifier engines' votes that made each answer set",
    card=CARD,
    more_cards=(("a2search-trajectories", TRAJECTORIES_CARD),),
)
TRAJECTORIES_DATASET = "a2search-trajectories"
