"""The agent loop's native tool-call protocol on the real vLLM engine (tiny random model,
hermes tool parser): the random model writes what a regex allows, vLLM's parser reads the call
back, the loop runs the tool and sends its result as a ``tool`` message with the call's id,
and the chat template renders that history on the next turn."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from datagen.generators.agent.loop import AgentLimits, AgentLoop, AgentTask
from datagen.generators.agent.protocols import ToolsProtocol
from datagen.generators.agent.tools import Tool
from datagen.generators.engines import ResponseFormat, Sampling

CALL = (
    re.escape('<tool_call>\n{"name": "search", "arguments": {"query": "')
    + "[a-z]{2,8}"
    + re.escape('"}}\n</tool_call>')
)


@dataclass(frozen=True, kw_only=True)
class FakeForcedTools(ToolsProtocol):
    """Native tool calls, with each turn's text forced by a regex (a random model writes no
    call by itself): a search call on every turn but the last, then an answer block."""

    def response_format(self, tools: Sequence[Tool], *, final: bool) -> ResponseFormat | None:
        return ResponseFormat.from_regex(r"<answer>[a-z]{2,8}</answer>" if final else CALL)


def test_native_tool_calls_run_and_their_results_go_back_as_tool_messages(vllm_engine) -> None:
    batches: list[list[str]] = []

    def search(queries: list[str]) -> list[str]:
        batches.append(list(queries))
        return [f"results for {q}" for q in queries]

    loop = AgentLoop(
        engine=vllm_engine,
        protocol=FakeForcedTools(),
        tools=[Tool(name="search", description="Search the documents.", run=search)],
        limits=AgentLimits(max_turns=3, final_turn=True),
        sampling=Sampling(temperature=1.0, max_tokens=96),  # a call block is ~70 tokens here
        seed=3,
    )
    tasks = [
        AgentTask(trajectory_id=f"t{i}", messages=({"role": "user", "content": f"Question {i}"},))
        for i in range(3)
    ]
    trajectories = loop.run(tasks)

    assert [len(batch) for batch in batches] == [3, 3]
    for trajectory in trajectories:
        assert trajectory.finish_reason == "answer", trajectory.turns
        assert [t["kind"] for t in trajectory.turns] == ["tool", "tool", "answer"]
        calls = [m for m in trajectory.messages if "tool_calls" in m]
        results = [m for m in trajectory.messages if m["role"] == "tool"]
        assert len(calls) == len(results) == 2
        for turn, call, result in zip(trajectory.turns, calls, results, strict=False):
            (entry,) = call["tool_calls"]
            assert entry["function"]["name"] == "search" and entry["type"] == "function"
            assert result["tool_call_id"] == entry["id"] and result["tool_output"] is True
            assert result["content"] == f"results for {turn['input']}"
        assert re.fullmatch(r"[a-z]{2,8}", trajectory.answer)
