"""The batched agent loop on ``FakeScriptedEngine("agent")``, whose turns follow a plan named in
each task's question (``plan: search answer``; see ``generators/engines/fake.py``)."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import replace

import pytest

from datagen.generators.agent.loop import AgentLimits, AgentLoop, AgentTask, call_seed
from datagen.generators.agent.protocols import JsonProtocol, TagProtocol
from datagen.generators.agent.tools import InContext, Tool
from datagen.generators.engines import Request, Result, Sampling
from datagen.generators.engines.fake import FakeScriptedEngine


class CountingEngine:
    """The real fake engine, with every ``generate`` call's requests kept (a spy, not a fake)."""

    def __init__(self) -> None:
        self.inner = FakeScriptedEngine("agent")
        self.name, self.model = self.inner.name, self.inner.model
        self.calls: list[list[Request]] = []

    def generate(self, requests: Sequence[Request]) -> list[Result]:
        self.calls.append(list(requests))
        return self.inner.generate(requests)

    def close(self) -> None:
        pass


class RecordingTool:
    """A tool that answers each input with its reverse and keeps every batch it was given."""

    def __init__(self, name: str, *, answer=None, timeout_s: float = 5.0) -> None:
        self.batches: list[list[str]] = []
        self.answer = answer or (lambda inputs: [q[::-1] for q in inputs])
        self.tool = Tool(
            name=name, description=f"{name} things", run=self._run, timeout_s=timeout_s
        )

    def _run(self, inputs: list[str]) -> list[str]:
        self.batches.append(list(inputs))
        return self.answer(inputs)


def _tasks(plans: Sequence[str]) -> list[AgentTask]:
    return [
        AgentTask(
            trajectory_id=f"t{i}",
            messages=(
                {"role": "system", "content": "You search, then answer."},
                {"role": "user", "content": f"Who wrote Hamlet and Faust? plan: {plan}"},
            ),
            extra={"question_id": f"q{i}"},
        )
        for i, plan in enumerate(plans)
    ]


def _loop(engine, tools, **limits) -> AgentLoop:
    names = tuple(t.tool.name for t in tools)
    return AgentLoop(
        engine=engine,
        protocol=TagProtocol(tool_names=names),
        tools=[t.tool for t in tools],
        limits=AgentLimits(**limits),
        seed=7,
    )


def test_every_live_trajectory_advances_in_one_engine_call_per_turn() -> None:
    engine, search = CountingEngine(), RecordingTool("search")
    plans = ["search search answer"] * 6 + ["answer"] * 2
    trajectories = _loop(engine, [search]).run(_tasks(plans))

    assert [len(call) for call in engine.calls] == [8, 6, 6]  # answered ones drop out
    assert [len(batch) for batch in search.batches] == [6, 6]  # one tool batch per turn
    assert [t.finish_reason for t in trajectories] == ["answer"] * 8
    assert [t.record()["tool_calls"] for t in trajectories] == [2] * 6 + [0] * 2
    assert trajectories[0].record()["question_id"] == "q0"


def test_each_tool_runs_once_per_turn_on_every_call_made_to_it() -> None:
    engine, search, lookup = CountingEngine(), RecordingTool("search"), RecordingTool("lookup")
    plans = ["search lookup answer", "lookup lookup answer", "search search answer"]
    trajectories = _loop(engine, [search, lookup]).run(_tasks(plans))

    assert len(engine.calls) == 3
    assert [len(b) for b in search.batches] == [2, 1]  # turn 1: t0, t2; turn 2: t2
    assert [len(b) for b in lookup.batches] == [1, 2]  # turn 1: t1; turn 2: t0, t1
    first = trajectories[0].turns[0]
    assert (
        first["tool"] == "search"
        and first["output"] == f"<result>\n{first['input'][::-1]}\n</result>"
    )


def test_stop_strings_end_a_turn_at_the_closing_tag_which_the_record_restores() -> None:
    engine, search = CountingEngine(), RecordingTool("search")
    (trajectory,) = _loop(engine, [search]).run(_tasks(["search answer"]))

    assert engine.calls[0][0].sampling.stop == ("</search>", "</answer>")
    turn = trajectory.turns[0]
    assert turn["text"].endswith(f"<search>{turn['input']}</search>")
    assert "made up" not in turn["text"]  # what the model wrote past the tag never counts
    assistant, tool = trajectory.messages[2], trajectory.messages[3]
    assert assistant == {"role": "assistant", "content": turn["text"], "tool_output": False}
    assert tool["role"] == "tool" and tool["tool_output"] is True
    assert tool["content"] == f"<result>\n{turn['input'][::-1]}\n</result>"


def test_tool_messages_are_marked_and_reach_the_engine_in_the_observation_role() -> None:
    engine, search = CountingEngine(), RecordingTool("search")
    (trajectory,) = _loop(engine, [search]).run(_tasks(["search search answer"]))

    marks = [(m["role"], m["tool_output"]) for m in trajectory.messages]
    assert marks == [
        ("system", False),
        ("user", False),
        ("assistant", False),
        ("tool", True),
        ("assistant", False),
        ("tool", True),
        ("assistant", False),
    ]
    sent = engine.calls[2][0].messages
    assert [m["role"] for m in sent] == ["system", "user", "assistant", "user", "assistant", "user"]
    assert all(set(m) == {"role", "content"} for m in sent)
    assert trajectory.answer and trajectory.record()["answer"] == trajectory.answer


def test_max_turns_ends_a_trajectory_that_never_answers() -> None:
    engine, search = CountingEngine(), RecordingTool("search")
    (trajectory,) = _loop(engine, [search], max_turns=3).run(_tasks(["search"]))

    assert trajectory.finish_reason == "max_turns" and trajectory.answer is None
    assert len(engine.calls) == 3 and len(search.batches) == 3


def test_a_final_turn_asks_for_the_answer_on_the_last_allowed_turn() -> None:
    engine, search = CountingEngine(), RecordingTool("search")
    loop = _loop(engine, [search], max_turns=3, final_turn=True)
    (trajectory,) = loop.run(_tasks(["search"]))

    assert trajectory.finish_reason == "answer" and trajectory.record()["tool_calls"] == 2
    assert trajectory.messages[-2] == {
        "role": "user",
        "content": loop.protocol.final_instruction,
        "tool_output": False,
    }


def test_the_token_budget_cuts_each_turn_and_ends_the_trajectory() -> None:
    engine, search = CountingEngine(), RecordingTool("search")
    (trajectory,) = _loop(engine, [search], max_tokens=40).run(_tasks(["ramble"]))

    assert engine.calls[0][0].sampling.max_tokens == 40  # not the turn's 256
    assert trajectory.finish_reason == "token_budget"
    assert trajectory.completion_tokens == 40
    assert trajectory.turns[0]["reason"].startswith("truncated:")


def test_malformed_turns_are_retried_with_new_seeds_then_end_the_trajectory() -> None:
    engine, search = CountingEngine(), RecordingTool("search")
    (trajectory,) = _loop(engine, [search], max_malformed=2).run(_tasks(["garbage"]))

    assert trajectory.finish_reason == "malformed"
    assert [t["kind"] for t in trajectory.turns] == ["malformed"] * 3
    assert all(t["reason"].startswith("no_tag:") for t in trajectory.turns)
    assert len({t["seed"] for t in trajectory.turns}) == 3
    assert [m["role"] for m in trajectory.messages] == ["system", "user"]  # none recorded


def test_a_retried_turn_can_recover() -> None:
    engine, search = CountingEngine(), RecordingTool("search")
    trajectories = _loop(engine, [search], max_malformed=4).run(_tasks(["flaky answer"] * 12))

    recovered = [t for t in trajectories if t.malformed_turns and t.finish_reason == "answer"]
    assert recovered, [t.finish_reason for t in trajectories]
    for trajectory in recovered:
        kinds = [t["kind"] for t in trajectory.turns]
        assert kinds[-2:] == ["tool", "answer"] and set(kinds[:-2]) == {"malformed"}


def _slow(inputs: list[str]) -> list[str]:
    time.sleep(2)
    return inputs


@pytest.mark.parametrize(
    ("answer", "timeout_s", "expected"),
    [
        (lambda inputs: 1 / 0, 5.0, "error: ZeroDivisionError: division by zero"),
        (_slow, 0.2, "timeout: tool 'search' took longer than 0.2 s"),
        (lambda inputs: inputs[:1], 5.0, "bad_output: tool 'search' gave 1 outputs for 3"),
    ],
    ids=["raises", "times-out", "wrong-count"],
)
def test_a_failing_tool_is_each_calls_observation_and_the_batch_goes_on(
    answer, timeout_s: float, expected: str
) -> None:
    engine = CountingEngine()
    search = RecordingTool("search", answer=answer, timeout_s=timeout_s)
    started = time.monotonic()
    trajectories = _loop(engine, [search]).run(_tasks(["search answer"] * 3))

    assert time.monotonic() - started < 1.5  # a timed-out tool does not hold the turn
    for trajectory in trajectories:
        assert trajectory.finish_reason == "answer"
        assert trajectory.turns[0]["tool_error"] == expected
        assert trajectory.messages[3]["content"] == f"<result>\n{expected}\n</result>"


def test_texts_do_not_depend_on_batch_order() -> None:
    plans = ["search flaky answer", "search search answer", "flaky answer", "search answer"] * 3
    tasks = _tasks(plans)
    forward = _loop(CountingEngine(), [RecordingTool("search")]).run(tasks)
    backward = _loop(CountingEngine(), [RecordingTool("search")]).run(tasks[::-1])[::-1]

    assert [t.record() for t in forward] == [t.record() for t in backward]
    seeds = [turn["seed"] for t in forward for turn in t.turns]
    assert len(set(seeds)) == len(seeds)  # every call its own seed
    first = forward[0].turns[0]
    assert first["seed"] == call_seed(7, "t0", 0)


def test_json_turns_end_at_the_object_and_a_final_turn_may_be_free_text() -> None:
    engine, observer = CountingEngine(), RecordingTool("observer")
    loop = AgentLoop(
        engine=engine,
        protocol=JsonProtocol(constrained=False),
        tools=[observer.tool],
        limits=AgentLimits(max_turns=3, final_turn=True),
        sampling=Sampling(max_tokens=128),
    )
    (trajectory,) = loop.run(_tasks(["ask"]))

    assert trajectory.finish_reason == "answer" and trajectory.answer.startswith("A scene with")
    first = trajectory.turns[0]
    assert first["text"].endswith("}") and " and more" not in first["text"]
    assert first["tool"] == "observer" and first["output"] == first["input"][::-1]
    assert [t["kind"] for t in trajectory.turns] == ["tool", "tool", "answer"]


def test_constrained_json_turns_ask_the_engine_for_the_call_schema() -> None:
    engine, observer = CountingEngine(), RecordingTool("observer")
    loop = AgentLoop(
        engine=engine,
        protocol=JsonProtocol(),
        tools=[observer.tool],
        limits=AgentLimits(max_turns=2, final_turn=True),
    )
    (trajectory,) = loop.run(_tasks(["ask"]))

    schema = engine.calls[0][0].response_format.json_schema
    assert schema["properties"]["tool_name"] == {"enum": ["observer"]}
    assert engine.calls[1][0].response_format is None  # the final turn is free text
    assert trajectory.turns[0]["kind"] == "tool" and trajectory.finish_reason == "answer"


def test_an_unknown_tool_is_the_calls_observation() -> None:
    engine = CountingEngine()
    loop = AgentLoop(
        engine=engine,
        protocol=JsonProtocol(constrained=False),
        tools=[RecordingTool("search").tool],
        limits=AgentLimits(max_turns=2, final_turn=True),
    )
    (trajectory,) = loop.run(_tasks(["ask"]))

    assert trajectory.turns[0]["tool_error"] == "unknown_tool: 'observer' (tools: search)"
    assert trajectory.finish_reason == "answer"


def test_a_task_with_a_tool_context_hands_it_to_its_tools_with_each_call() -> None:
    """A detective's tools must know which clip a question is about: each call of a task with
    a ``tool_context`` arrives as ``InContext(context, input)``; other tasks' bare."""
    search = RecordingTool("search", answer=lambda inputs: ["seen"] * len(inputs))
    tasks = _tasks(["search answer", "search answer"])
    tasks[0] = replace(tasks[0], tool_context={"clip_id": "c0"})
    _loop(CountingEngine(), [search]).run(tasks)
    ((first, second),) = search.batches
    assert isinstance(first, InContext) and first.context == {"clip_id": "c0"}
    assert isinstance(first.input, str) and first.input.strip()
    assert isinstance(second, str) and second.strip()
