"""Ground truth by execution: each (function, input) runs twice in the sandbox.

The first run carries a bounded line trace (its length is a complexity measure); the second
checks determinism. Arguments travel as literal text and are rebuilt here, just before the
job is made, so every record stays plain data.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from dataclasses import dataclass

from datagen.schemas.records import Record
from datagen.verifiers.sandbox import ExecutionJob, ExecutionResult, Sandbox


@dataclass(frozen=True)
class Execution:
    """One input of one function, with both of its runs."""

    function: Record
    input_index: int
    args_text: str
    first: ExecutionResult
    second: ExecutionResult


def input_args(args_text: str) -> tuple:
    """The positional arguments an input's text stands for (a tuple literal)."""
    value = ast.literal_eval(args_text)
    if not isinstance(value, tuple):
        raise ValueError(f"an input must be a tuple literal, got {args_text!r:.60}")
    return value


def call_text(entry_point: str, args_text: str) -> str:
    """``f(1, [2])``: how the call reads in a prompt."""
    return f"{entry_point}({', '.join(map(repr, input_args(args_text)))})"


def run_inputs(functions: Sequence[Record], *, sandbox: Sandbox) -> list[Execution]:
    """Both runs of every input of every function, in input order."""
    planned = [
        (function, index, args_text)
        for function in functions
        for index, args_text in enumerate(function["inputs"])
    ]

    def jobs(trace: bool) -> list[ExecutionJob]:
        return [
            ExecutionJob(
                id=position,
                code=function["code"],
                entry_point=function["entry_point"],
                args=input_args(args_text),
                trace=trace,
            )
            for position, (function, _, args_text) in enumerate(planned)
        ]

    first = sandbox.run_batch(jobs(trace=True))
    second = sandbox.run_batch(jobs(trace=False))
    return [
        Execution(function, index, args_text, a, b)
        for (function, index, args_text), a, b in zip(planned, first, second, strict=True)
    ]
