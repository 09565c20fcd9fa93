"""Tools an agent calls: each runs once per turn on every live trajectory's call to it.

A search index answers a batch of queries faster than the same queries one by one (one BM25
pass, one OCR batch, one Whisper call), so a tool takes every input of a turn at once. A tool
that raises, times out or answers the wrong number of outputs gives every call of that batch
an observation saying so (the model reads it and may try again); the batch of trajectories
goes on.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, kw_only=True)
class Tool:
    """A name the model writes, a description for its prompt, and a batched ``run``."""

    name: str
    description: str
    run: Callable[[list[Any]], list[Any]]
    """Every input of one turn → one output per input, in order."""
    timeout_s: float = 30.0
    """Wall time one batch may take; past it each of its calls observes a timeout."""


@dataclass(frozen=True)
class InContext:
    """A call's input with what its trajectory is about (``AgentTask.tool_context``, e.g. the
    clip a detective asks about), so one set of tools serves a batch of different subjects."""

    context: Any
    input: str


@dataclass(frozen=True)
class ToolOutput:
    """What one call observed: the tool's output, or an error with its reason."""

    output: Any = None
    error: str | None = None
    """``timeout: ...``, ``error: <Type>: ...``, ``unknown_tool: ...`` or ``bad_output: ...``."""


def run_tools(calls: Sequence[tuple[str, Any]], tools: Sequence[Tool]) -> list[ToolOutput]:
    """Each ``(tool name, input)`` call's output, in order; one batch per tool named.

    The tools of a turn run at the same time, each in its own thread, so a slow one delays the
    turn by its own time, not the sum; a thread that outlives its timeout is left to finish
    (Python cannot stop it) and its answer is dropped.
    """
    by_name = {tool.name: tool for tool in tools}
    outputs: list[ToolOutput | None] = [None] * len(calls)
    batches: dict[str, list[int]] = {}
    for index, (name, _) in enumerate(calls):
        if name in by_name:
            batches.setdefault(name, []).append(index)
        else:
            known = ", ".join(sorted(by_name)) or "none"
            outputs[index] = ToolOutput(error=f"unknown_tool: {name!r} (tools: {known})")
    running = {
        name: _Batch(by_name[name], [calls[i][1] for i in indices])
        for name, indices in batches.items()
    }
    for name, indices in batches.items():
        for index, output in zip(indices, running[name].wait(), strict=True):
            outputs[index] = output
    return [o for o in outputs if o is not None]


class _Batch:
    """One tool's batch running in a daemon thread (it never holds up the interpreter's exit)."""

    def __init__(self, tool: Tool, inputs: list[Any]) -> None:
        self.tool, self.inputs, self.started = tool, inputs, time.monotonic()
        self.answer: list[Any] | None = None
        self.failure: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name=f"tool-{tool.name}", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            self.answer = list(self.tool.run(list(self.inputs)))
        except Exception as exc:  # the tool's failure is its calls' observation
            self.failure = exc

    def wait(self) -> list[ToolOutput]:
        left = self.tool.timeout_s - (time.monotonic() - self.started)
        self.thread.join(max(0.0, left))
        count = len(self.inputs)
        if self.thread.is_alive():
            error = f"timeout: tool {self.tool.name!r} took longer than {self.tool.timeout_s:g} s"
            return [ToolOutput(error=error)] * count
        if self.failure is not None:
            error = f"error: {type(self.failure).__name__}: {self.failure}"
            return [ToolOutput(error=error)] * count
        answer = self.answer or []
        if len(answer) != count:
            error = f"bad_output: tool {self.tool.name!r} gave {len(answer)} outputs for {count}"
            return [ToolOutput(error=error)] * count
        return [ToolOutput(output=output) for output in answer]
