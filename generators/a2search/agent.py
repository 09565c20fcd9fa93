"""A²Search's search agent: its search tool, and the stage that samples its trajectories
(agent configurations × N trajectories per question, all through one loop; the prompts and
configurations are in ``configs``).

An agent configuration is an engine, a prompt variant and a temperature. The ``tags`` protocol
is Search-R1's: reasoning in ``<think>``, ``<search>query</search>`` ends the turn and the
tool's passages come back inside ``<result>``, the final ``<answer>a1; a2</answer>`` lists every
answer the agent can support, separated by ``;``. The ``tools`` protocol calls a ``search``
function natively (the shape verl's multi-turn search recipe trains with), with the same final
``<answer>`` block; it needs an engine that parses tool calls.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path

from datagen.generators.a2search.configs import AgentConfig, agent_messages
from datagen.generators.a2search.search_index import Hit, SearchIndex
from datagen.generators.agent.loop import AgentLimits, AgentLoop, AgentTask
from datagen.generators.agent.protocols import TagProtocol, ToolsProtocol
from datagen.generators.agent.stage import agent_stage
from datagen.generators.agent.tools import Tool
from datagen.generators.engines.base import Engine, Sampling
from datagen.schemas.records import Record, StageOutcome

PROTOCOLS = {
    "tags": lambda: TagProtocol(tool_names=("search",)),
    "tools": lambda: ToolsProtocol(input_key="query"),
}
"""Each protocol name of ``configs.PROTOCOL_NAMES``, built for one agent loop."""


def format_hits(hits: Sequence[Hit]) -> str:
    """Passages as Search-R1 shows them to its agent: ``Doc 1(Title: T) text`` lines."""
    if not hits:
        return "No document matches this query."
    return "\n".join(f"Doc {i}(Title: {h.title}) {h.text}" for i, h in enumerate(hits, start=1))


def search_tool(index: SearchIndex, *, k: int) -> Tool:
    """BM25 search over the corpus: one batched query per turn for every trajectory."""

    def run(queries: list[str]) -> list[str]:
        return [format_hits(hits) for hits in index.search(queries, k=k)]

    return Tool(name="search", description="Search the document collection.", run=run)


@cache
def load_index(folder: str) -> SearchIndex:
    """One loaded index per folder per process (a Ray worker keeps it between shards)."""
    return SearchIndex.load(Path(folder))


def search_stage(
    questions: Sequence[Record],
    *,
    engines: Callable[[str], Engine],
    index_dir: str,
    agents: Sequence[dict],
    trajectories: int,
    top_k: int,
    max_turns: int,
    max_tokens: int,
    turn_tokens: int,
    seed: int,
    corpus: str,
    protocol: str = "tags",
) -> StageOutcome:
    """``trajectories`` trajectories per question for each agent configuration; one agent
    loop per engine, advancing all of the shard's trajectories of its configurations at once.

    ``corpus`` (the index's content hash) is here so that it is part of the stage's key.
    """
    index = load_index(index_dir)
    configs = [AgentConfig(**a) for a in agents]
    outcomes = []
    for engine in dict.fromkeys(c.engine for c in configs):  # one loop, one batch per engine
        loop = AgentLoop(
            engine=engines(engine),
            protocol=PROTOCOLS[protocol](),
            tools=[search_tool(index, k=top_k)],
            limits=AgentLimits(max_turns=max_turns, max_tokens=max_tokens, final_turn=True),
            seed=seed,
        )
        mine = [c for c in configs if c.engine == engine]

        def tasks(question: Record, mine: list[AgentConfig] = mine) -> list[AgentTask]:
            return [
                AgentTask(
                    trajectory_id=f"{question['question_id']}|{agent.id}|{n}",
                    messages=agent_messages(question["question"], agent.prompt, protocol),
                    extra={"question_id": question["question_id"], "agent": agent.id},
                    sampling=Sampling(temperature=agent.temperature, max_tokens=turn_tokens),
                )
                for agent in mine
                for n in range(trajectories)
            ]

        outcomes.append(agent_stage(questions, stage="search", loop=loop, tasks=tasks))
    return StageOutcome(
        "search",
        sum(o.n_in for o in outcomes),
        [r for o in outcomes for r in o.records],
        0,
        [q for o in outcomes for q in o.quarantined],
    ).check()
