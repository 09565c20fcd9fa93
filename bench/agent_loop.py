"""Agent turns/s of the batched agent loop ÷ the same loop run one trajectory at a time.

    python bench/agent_loop.py [--model PATH] [--engine-args ...] [--trajectories 64]
                               [--turns 4] [--repeats 2] [--search demo|stand-in] [--smoke]

Both sides run ``AgentLoop`` with the same engine, protocol, tool, limits and seeds; the
batched side gives it every trajectory at once (one engine call per turn for all of them), the
other calls it once per trajectory (one engine call per turn per trajectory, as rollout kits
that run one trajectory per call do). Without ``--model`` the engine is vLLM (CPU build) on the
tests' tiny random-weight Qwen2 (``tests/vllm/tiny_model.py``). A random-weight model never
writes a tool tag by itself, so every turn is forced to be a search call by a regex structured
output (``<search>words</search>``); each trajectory then makes ``--turns`` tool turns and
ends on ``max_turns``, so both sides do the same turns. Rounds alternate which side goes first.
The search tool is A²Search's own (``--search demo``, the default): BM25 (bm25s) over the demo
corpus, its passages formatted as the a2search flow shows them, under the flow's agent prompt;
``--search stand-in`` answers every query with one made-up line instead.

Prints each side's turns/s and the ratio batched/one-at-a-time (the goal is >= 5).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # for tests.vllm's tiny model, and bench.machine as a script

from bench.engine_throughput import engine_spec  # noqa: E402
from bench.machine import describe_machine  # noqa: E402
from datagen.generators.a2search.agent import search_tool  # noqa: E402
from datagen.generators.a2search.configs import agent_messages  # noqa: E402
from datagen.generators.a2search.search_index import SearchIndex  # noqa: E402
from datagen.generators.a2search.sources import read_passages  # noqa: E402
from datagen.generators.agent.loop import AgentLimits, AgentLoop, AgentTask  # noqa: E402
from datagen.generators.agent.protocols import TagProtocol  # noqa: E402
from datagen.generators.agent.tools import Tool  # noqa: E402
from datagen.generators.engines import Engine, ResponseFormat, Sampling, open_engine  # noqa: E402

SEARCH_CALL = r"<search>[a-z]{2,8}( [a-z]{2,8}){0,2}</search>"


@dataclass(frozen=True, kw_only=True)
class ForcedSearch(TagProtocol):
    """The tag protocol, with every turn constrained to a search call (see the docstring)."""

    def response_format(self, tools: Sequence[Tool], *, final: bool) -> ResponseFormat | None:
        return ResponseFormat.from_regex(SEARCH_CALL)


def search(queries: list[str]) -> list[str]:
    """A stand-in index: one short result per query (the bench times the loop, not search)."""
    return [f"Result for {query}: a page that mentions {query.split()[0]}." for query in queries]


def tasks(count: int, *, a2search: bool = False) -> list[AgentTask]:
    if a2search:
        return [
            AgentTask(
                trajectory_id=f"q{i}",
                messages=agent_messages(f"Name a country that borders country {i}.", "default"),
            )
            for i in range(count)
        ]
    return [
        AgentTask(
            trajectory_id=f"q{i}",
            messages=(
                {"role": "system", "content": "Search with <search>words</search>, then answer."},
                {"role": "user", "content": f"Question {i}: who founded city number {i}?"},
            ),
        )
        for i in range(count)
    ]


def make_loop(engine: Engine, turns: int, tool: Tool) -> AgentLoop:
    return AgentLoop(
        engine=engine,
        protocol=ForcedSearch(tool_names=("search",)),
        tools=[tool],
        limits=AgentLimits(max_turns=turns, max_tokens=4096),
        sampling=Sampling(temperature=0.8, max_tokens=48),
        seed=0,
    )


def run_side(loop: AgentLoop, work: list[AgentTask], *, batched: bool) -> tuple[int, float]:
    """Turns made and wall seconds: all trajectories at once, or one after another."""
    start = time.perf_counter()
    groups = [work] if batched else [[task] for task in work]
    trajectories = [t for group in groups for t in loop.run(group)]
    seconds = time.perf_counter() - start
    reasons = {t.finish_reason for t in trajectories}
    if reasons != {"max_turns"}:
        raise SystemExit(f"expected every trajectory to end on max_turns, got {reasons}")
    return sum(t.accepted_turns for t in trajectories), seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", help="model folder (default: the tests' tiny random model)")
    parser.add_argument("--engine-args", help="the vllm: spec's options")
    parser.add_argument("--trajectories", type=int, default=64)
    parser.add_argument("--turns", type=int, default=4, help="tool turns per trajectory")
    parser.add_argument("--repeats", type=int, default=2, help="timed rounds per side")
    parser.add_argument(
        "--search",
        choices=("demo", "stand-in"),
        default="demo",
        help="the search tool: a stand-in, or A²Search's BM25 over its demo corpus",
    )
    parser.add_argument("--smoke", action="store_true", help="a tiny run that checks the script")
    args = parser.parse_args()
    if args.smoke:
        args.trajectories, args.turns, args.repeats = 2, 1, 1
    with tempfile.TemporaryDirectory(prefix="agent-loop-") as scratch:
        spec = engine_spec(args.model, args.engine_args, Path(scratch))
        engine = open_engine(spec)
        try:
            demo = args.search == "demo"
            tool = (
                search_tool(SearchIndex.build(read_passages("demo").records), k=3)
                if demo
                else Tool(name="search", description="web search", run=search)
            )
            loop, work = (
                make_loop(engine, args.turns, tool),
                tasks(args.trajectories, a2search=demo),
            )
            run_side(loop, work[:2], batched=True)  # warm-up
            totals = {True: [0, 0.0], False: [0, 0.0]}
            for repeat in range(args.repeats):
                for batched in (True, False) if repeat % 2 == 0 else (False, True):
                    turns, seconds = run_side(loop, work, batched=batched)
                    totals[batched][0] += turns
                    totals[batched][1] += seconds
        finally:
            engine.close()
    print(f"machine: {describe_machine()}")
    print(f"engine: {spec}; search: {args.search}")
    print(f"{args.trajectories} trajectories x {args.turns} turns x {args.repeats} repeats")
    rates = {}
    for batched, (turns, seconds) in totals.items():
        name = "batched" if batched else "one at a time"
        rates[batched] = turns / seconds
        print(f"{name:14s}: {rates[batched]:8.1f} turns/s ({turns} turns in {seconds:.2f} s)")
    print(f"ratio batched/one at a time: {rates[True] / rates[False]:.2f}")


if __name__ == "__main__":
    main()
