"""The batched agent loop: every live trajectory advances one turn per engine call.

Per turn: one ``generate`` with the next turn of every live trajectory, one batch per tool
with every call made to it, then the observations go into the conversations. Finished
trajectories drop out; the rest end on ``max_turns``, their token budget, too many malformed
turns, or an engine error, each with its finish reason. Each engine call of a trajectory has
its own seed, a hash of (run seed, trajectory id, call number), so texts do not depend on the
batch or its order. (Rollout kits that run one trajectory per call or per async task pay an
engine round trip per turn per trajectory; this pays one per turn.)

Messages record who wrote them: ``tool_output`` is true for observations, which trainers mask.
Observations go to the engine in the protocol's ``observation_role`` (``user`` for tags and JSON:
many chat templates, Gemma's among them, have no ``tool`` role) and are recorded with role
``tool``; a native call's message carries its ``tool_calls`` and its result the call's id.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from datagen.generators.agent.protocols import FinalTurn, MalformedTurn, ToolTurn, TurnProtocol
from datagen.generators.agent.tools import InContext, Tool, run_tools
from datagen.generators.engines.base import Engine, Message, Request, Result, Sampling
from datagen.generators.sampling import stable_int
from datagen.schemas.records import Record

FinishReason = Literal["answer", "max_turns", "token_budget", "malformed", "engine_error"]


@dataclass(frozen=True, kw_only=True)
class AgentLimits:
    """When a trajectory that has not answered ends."""

    max_turns: int = 8
    """Model turns that advance the conversation (tool calls and the answer)."""
    max_tokens: int = 4096
    """Completion tokens of all its turns, malformed ones included."""
    max_malformed: int = 2
    """Malformed turns it may retry (each with a new seed); the next one ends it."""
    final_turn: bool = False
    """Ask for the answer on the last allowed turn (``protocol.final_instruction``)."""

    def __post_init__(self) -> None:
        if self.max_turns < 1 or self.max_tokens < 1 or self.max_malformed < 0:
            raise ValueError(f"agent limits must be positive, got {self}")


@dataclass(frozen=True, kw_only=True)
class AgentTask:
    """A conversation to continue; ``extra`` fields are copied into its trajectory's record."""

    trajectory_id: str
    messages: tuple[Message, ...]
    extra: dict[str, Any] = field(default_factory=dict)
    sampling: Sampling | None = None
    """This task's sampling instead of the loop's (several agent configurations, one batch)."""
    tool_context: Any = None
    """What this trajectory is about, for its tools: when set, each of its calls reaches the
    tool as ``InContext(tool_context, input)`` (a detective's clip record), else as the bare
    input (a search query needs nothing more)."""


@dataclass
class Trajectory:
    """One agent run as it goes; ``record()`` is what a stage stores."""

    task: AgentTask
    messages: list[Message]
    turns: list[Record] = field(default_factory=list)
    answer: str | None = None
    finish_reason: FinishReason | None = None
    error: str | None = None
    completion_tokens: int = 0
    prompt_tokens: int = 0

    @property
    def accepted_turns(self) -> int:
        return sum(turn["kind"] != "malformed" for turn in self.turns)

    @property
    def malformed_turns(self) -> int:
        return sum(turn["kind"] == "malformed" for turn in self.turns)

    def record(self) -> Record:
        return {
            **self.task.extra,
            "trajectory_id": self.task.trajectory_id,
            "messages": self.messages,
            "turns": self.turns,
            "answer": self.answer,
            "finish_reason": self.finish_reason,
            "tool_calls": sum(turn["kind"] == "tool" for turn in self.turns),
            "malformed_turns": self.malformed_turns,
            "completion_tokens": self.completion_tokens,
            "prompt_tokens": self.prompt_tokens,
        }


@dataclass(frozen=True, kw_only=True)
class AgentLoop:
    """An engine, a protocol, tools, limits and sampling: everything a run of the loop needs."""

    engine: Engine
    protocol: TurnProtocol
    tools: Sequence[Tool]
    limits: AgentLimits = field(default_factory=AgentLimits)
    sampling: Sampling = field(default_factory=lambda: Sampling(temperature=0.7, max_tokens=256))
    """Each turn's sampling; ``max_tokens`` is cut to what the trajectory's budget has left."""
    seed: int = 0

    def run(self, tasks: Sequence[AgentTask]) -> list[Trajectory]:
        """Every task's trajectory, in task order."""
        trajectories = [_start(task) for task in tasks]
        live = list(trajectories)
        while live:
            requests = [self._request(t) for t in live]
            results = self.engine.generate(requests)
            calls: list[tuple[Trajectory, ToolTurn]] = []
            for trajectory, request, result in zip(live, requests, results, strict=True):
                if (turn := self._take(trajectory, request, result)) is not None:
                    calls.append((trajectory, turn))
            outputs = run_tools(
                [(turn.tool, _tool_input(t, turn)) for t, turn in calls], self.tools
            )
            for (trajectory, _), output in zip(calls, outputs, strict=True):
                observation = self.protocol.observation(output)
                trajectory.turns[-1] |= {"output": observation, "tool_error": output.error}
                message = {"role": "tool", "content": observation, "tool_output": True}
                if "tool_calls" in trajectory.messages[-1]:
                    message["tool_call_id"] = trajectory.messages[-1]["tool_calls"][0]["id"]
                trajectory.messages.append(message)
                self._end_if_spent(trajectory)
            live = [t for t in live if t.finish_reason is None]
        return trajectories

    def _final_due(self, trajectory: Trajectory) -> bool:
        return self.limits.final_turn and trajectory.accepted_turns == self.limits.max_turns - 1

    def _request(self, trajectory: Trajectory) -> Request:
        final = self._final_due(trajectory)
        instruction = self.protocol.final_instruction
        if final and trajectory.messages[-1].get("content") != instruction:
            trajectory.messages.append(
                {"role": "user", "content": instruction, "tool_output": False}
            )
        budget = self.limits.max_tokens - trajectory.completion_tokens
        base = trajectory.task.sampling or self.sampling
        sampling = replace(
            base,
            n=1,
            max_tokens=min(base.max_tokens, budget),
            seed=call_seed(self.seed, trajectory.task.trajectory_id, len(trajectory.turns)),
            stop=self.protocol.stop(self.tools),
        )
        return Request(
            request_id=f"{trajectory.task.trajectory_id}#{len(trajectory.turns)}",
            messages=tuple(self._engine_message(m) for m in trajectory.messages),
            sampling=sampling,
            response_format=self.protocol.response_format(self.tools, final=final),
            tools=self.protocol.request_tools(self.tools),
        )

    def _engine_message(self, message: Message) -> Message:
        role = self.protocol.observation_role if message.get("tool_output") else message["role"]
        extra = {k: message[k] for k in ("tool_calls", "tool_call_id") if k in message}
        return {"role": role, "content": message["content"], **extra}

    def _take(self, trajectory: Trajectory, request: Request, result: Result) -> ToolTurn | None:
        """Record a turn's result; the tool call it makes, if any."""
        trajectory.prompt_tokens += result.prompt_tokens
        if result.error is not None:
            trajectory.error = f"engine_error:{result.error_kind or 'other'}: {result.error}"
        elif len(result.completions) != 1:
            count = len(result.completions)
            trajectory.error = f"engine_error:invalid_output: {count} completions for 1 sample"
        if trajectory.error is not None:
            trajectory.finish_reason = "engine_error"
            return None
        completion = result.completions[0]
        trajectory.completion_tokens += completion.completion_tokens
        final = self._final_due(trajectory)  # as when the request was made: no turn since
        turn = self.protocol.parse(completion, final=final)
        entry: Record = {
            "index": len(trajectory.turns),
            "text": turn.text,
            "finish_reason": completion.finish_reason,
            "completion_tokens": completion.completion_tokens,
            "seed": request.sampling.seed,
        }
        if isinstance(turn, MalformedTurn):
            trajectory.turns.append(entry | {"kind": "malformed", "reason": turn.reason})
            if trajectory.malformed_turns > self.limits.max_malformed:
                trajectory.finish_reason = "malformed"
            else:
                self._end_if_spent(trajectory, counting_turns=False)
            return None
        message: Message = {"role": "assistant", "content": turn.text, "tool_output": False}
        if isinstance(turn, ToolTurn) and turn.arguments is not None:
            function = {"name": turn.tool, "arguments": json.dumps(turn.arguments)}
            call_id = f"call-{trajectory.task.trajectory_id}-{len(trajectory.turns)}"
            message["tool_calls"] = [{"id": call_id, "type": "function", "function": function}]
        trajectory.messages.append(message)
        if isinstance(turn, FinalTurn):
            trajectory.turns.append(entry | {"kind": "answer"})
            trajectory.answer, trajectory.finish_reason = turn.answer, "answer"
            return None
        trajectory.turns.append(entry | {"kind": "tool", "tool": turn.tool, "input": turn.input})
        return turn

    def _end_if_spent(self, trajectory: Trajectory, *, counting_turns: bool = True) -> None:
        if counting_turns and trajectory.accepted_turns >= self.limits.max_turns:
            trajectory.finish_reason = "max_turns"
        elif trajectory.completion_tokens >= self.limits.max_tokens:
            trajectory.finish_reason = "token_budget"


def _tool_input(trajectory: Trajectory, turn: ToolTurn) -> Any:
    context = trajectory.task.tool_context
    return turn.input if context is None else InContext(context, turn.input)


def call_seed(run_seed: int, trajectory_id: str, call: int) -> int:
    """The seed of a trajectory's ``call``-th engine call: never of its place in a batch."""
    return stable_int("agent", run_seed, trajectory_id, call, bits=31)


def _start(task: AgentTask) -> Trajectory:
    messages = [
        {"role": m["role"], "content": m["content"], "tool_output": False} for m in task.messages
    ]
    return Trajectory(task=task, messages=messages)
