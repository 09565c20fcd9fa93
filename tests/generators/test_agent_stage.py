"""``agent_stage`` as a resumable shard stage: stored per shard, engine errors quarantined, a
crash mid-run losing only the shard in flight. Runs ``flows.stages.run_stage`` itself (the
function a Prefect task wraps) on real Parquet shards in a real work cache."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path

import pytest

from datagen.catalog.trainer_export import check_view_rows
from datagen.catalog.work_cache import WorkCache
from datagen.flows.stages import ShardStage, read_quarantine, run_stage, write_shards
from datagen.generators.agent.loop import AgentLimits, AgentLoop, AgentTask
from datagen.generators.agent.protocols import TagProtocol
from datagen.generators.agent.stage import agent_stage, finish_reasons
from datagen.generators.agent.tools import Tool
from datagen.generators.engines import Engine, Request, Result
from datagen.generators.engines.fake import FakeScriptedEngine
from datagen.generators.view_shapes import sft_from_trajectories
from datagen.schemas import is_valid

QUESTION_SCHEMA = "agent/trajectory.v1"


class FakeFaultyEngine:
    """``FakeScriptedEngine("agent")``, except that it refuses the requests of the trajectories
    in ``refuse`` and raises (a crash) on those in ``crash``: faults on cue."""

    def __init__(self, *, refuse: Sequence[str] = (), crash: Sequence[str] = ()) -> None:
        self.inner, self.refuse, self.crash = FakeScriptedEngine("agent"), set(refuse), set(crash)
        self.name, self.model = "fake:agent", self.inner.model
        self.seen: list[str] = []

    def generate(self, requests: Sequence[Request]) -> list[Result]:
        ids = [r.request_id.split("#")[0] for r in requests]
        self.seen += ids
        if self.crash & set(ids):
            raise RuntimeError("engine died (injected)")
        answers = self.inner.generate(requests)
        return [
            Result(request_id=a.request_id, completions=(), prompt_tokens=0, model=self.model,
                   error="refused (injected)", error_kind="refused")
            if i in self.refuse else a
            for i, a in zip(ids, answers, strict=True)
        ]  # fmt: skip

    def close(self) -> None:
        pass


def search_stage(
    questions: Sequence[dict], *, engines: Callable[[str], Engine], engine: str, seed: int
) -> object:
    """A dataset's agent stage as a flow would map it: one trajectory per question."""
    loop = AgentLoop(
        engine=engines(engine),
        protocol=TagProtocol(tool_names=("search",)),
        tools=[Tool(name="search", description="web", run=lambda qs: [q.upper() for q in qs])],
        limits=AgentLimits(max_turns=3),
        seed=seed,
    )

    def tasks(question: dict) -> list[AgentTask]:
        messages = ({"role": "user", "content": question["trajectory_id"]},)
        return [AgentTask(trajectory_id=question["trajectory_id"], messages=messages)]

    return agent_stage(questions, stage="search", loop=loop, tasks=tasks)


def _questions(work: Path) -> list:
    plans = ["search answer", "search search answer", "search", "garbage", "answer", "search"]
    rows = [
        {
            "trajectory_id": f"q{i} plan: {plan}",
            "messages": [{"role": "user", "content": "-", "tool_output": False}],
            "turns": [],
            "answer": None,
            "finish_reason": "answer",
            "tool_calls": 0,
            "malformed_turns": 0,
            "completion_tokens": 0,
            "prompt_tokens": 0,
        }
        for i, plan in enumerate(plans)
    ]
    return write_shards(
        WorkCache(work), stage="questions", schema_id=QUESTION_SCHEMA, records=rows, shard_size=2
    )


def _stage(engine: FakeFaultyEngine) -> ShardStage:
    return ShardStage(
        name="agent-search",
        output_schema="agent/trajectory.v1",
        run=partial(search_stage, engines=lambda _: engine, engine="fake:agent", seed=3),
        config={"engine": "fake:agent", "seed": 3},
    )


def test_trajectories_are_stored_valid_and_engine_errors_quarantined(tmp_path: Path) -> None:
    shards = _questions(tmp_path)
    engine = FakeFaultyEngine(refuse=["q1 plan: search search answer"])
    results = [run_stage(_stage(engine), [shard], tmp_path) for shard in shards]

    rows = [row for result in results for row in result.shard.records()]
    assert len(rows) == 5 and all(is_valid("agent/trajectory.v1", row) for row in rows)
    assert finish_reasons(rows) == {"max_turns": 2, "answer": 2, "malformed": 1}
    (refused,) = read_quarantine([r.quarantine_path for r in results])
    assert refused.reason == "engine_error:refused: refused (injected)"
    assert [c.n_quarantined for r in results for c in r.counts] == [1, 0, 0]
    tool_messages = [m for row in rows for m in row["messages"] if m["tool_output"]]
    assert tool_messages and all(m["role"] == "tool" for m in tool_messages)


def test_a_crash_loses_only_the_shard_in_flight(tmp_path: Path) -> None:
    shards = _questions(tmp_path)
    crashing = FakeFaultyEngine(crash=["q2 plan: search"])
    first = run_stage(_stage(crashing), [shards[0]], tmp_path)
    with pytest.raises(RuntimeError, match="injected"):
        run_stage(_stage(crashing), [shards[1]], tmp_path)

    healthy = FakeFaultyEngine()
    again = [run_stage(_stage(healthy), [shard], tmp_path) for shard in shards]
    assert [r.resumed for r in again] == [True, False, False]
    assert again[0].shard == first.shard
    assert not any(i.startswith(("q0", "q1")) for i in healthy.seen)  # not recomputed
    ids = [row["trajectory_id"] for r in again for row in r.shard.records()]
    assert len(ids) == len(set(ids)) == 6


def test_answered_trajectories_are_sft_conversations_with_tool_turns_marked(
    tmp_path: Path,
) -> None:
    shards = _questions(tmp_path)
    results = [run_stage(_stage(FakeFaultyEngine()), [shard], tmp_path) for shard in shards]
    rows = [row for result in results for row in result.shard.records()]

    sft = sft_from_trajectories(rows)
    check_view_rows("sft", sft)  # the exporters' own check
    assert [r["id"] for r in sft] == [r["trajectory_id"] for r in rows if r["answer"]]
    roles = [m["role"] for m in sft[1]["messages"]]
    assert roles == ["user", "assistant", "tool", "assistant", "tool", "assistant"]
    assert sft[1]["extra_info"]["tool_calls"] == 2
