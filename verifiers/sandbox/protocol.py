"""Frames between the caller and its zygote: an 8-byte length, then a pickle.

Both ends are datagen's own code (untrusted code never writes to this channel: runners
report to the zygote as JSON on their own pipe), so pickle carries jobs and results whole.
The zygote must never block, so it reads with ``FrameReader`` from a non-blocking pipe; the
caller blocks, and uses ``read_frame``/``write_frame``.

Jobs and ends of runs cross as plain tuples (``JobWire``, ``RunWire``), not as records, and
the zygote sends what it saw of a run raw, for the caller to classify (``outcome.py``):
every page the zygote touches between two forks costs it a copy-on-write fault, and
unpickling dataclasses or decoding reports there cost about 0.5 ms per job.
"""

from __future__ import annotations

import pickle
import struct
from typing import Any, BinaryIO

from datagen.verifiers.sandbox.outcome import RunEnd, classify, classify_step
from datagen.verifiers.sandbox.records import (
    CommandJob,
    CommandResult,
    ExecutionJob,
    ExecutionResult,
    Limits,
)

HEADER = struct.Struct(">Q")

JobWire = tuple[str, str, tuple, dict, bool]
"""``(code, entry_point, args, kwargs, trace)``: what a runner needs of an ExecutionJob."""

RunWire = tuple[int, float, "str | None", bytes, bytes, float]
"""How a run ended, as the zygote saw it: ``(wait_status, cpu_seconds, stopped_for, report,
output, duration_s)``, ``stopped_for`` a ``RunEnd`` value or None, ``output`` already cut
to the output limit."""


CommandWire = tuple[dict[str, str], tuple[tuple[tuple[str, ...], float], ...], int, int]
"""``(files, ((argv, wall_seconds), ...), processes, memory_bytes)``: a CommandJob's needs."""

StepWire = tuple[int, int, "str | None", bytes, float]
"""How a command job ended: ``(step, wait_status, stopped_for, output, duration_s)``, the
step being the one that ended it (the last one when every step exited 0)."""


def command_to_wire(job: CommandJob) -> CommandWire:
    steps = tuple((step.argv, step.wall_seconds) for step in job.steps)
    return (job.files, steps, job.processes, job.memory_bytes)


def command_result_from_wire(job: CommandJob, run: StepWire, limits: Limits) -> CommandResult:
    step, wait_status, stopped_for, output, duration_s = run
    command = job.steps[step]
    status, reason, exit_code = classify_step(
        wait_status=wait_status,
        stopped_for=RunEnd(stopped_for) if stopped_for else None,
        step=command,
        memory_bytes=job.memory_bytes,
        limits=limits,
    )
    return CommandResult(
        id=job.id,
        status=status,
        reason=reason,
        step=step,
        step_name=command.name or command.argv[0],
        exit_code=exit_code,
        stdout=output.decode("utf-8", "replace"),
        duration_s=duration_s,
    )


def job_to_wire(job: ExecutionJob) -> JobWire:
    return (job.code, job.entry_point, job.args, job.kwargs, job.trace)


def result_from_wire(job_id: Any, run: RunWire, limits: Limits) -> ExecutionResult:
    wait_status, cpu_seconds, stopped_for, report, output, duration_s = run
    outcome = classify(
        wait_status=wait_status,
        cpu_seconds=cpu_seconds,
        stopped_for=RunEnd(stopped_for) if stopped_for else None,
        report=report,
        limits=limits,
    )
    return ExecutionResult(
        id=job_id,
        status=outcome.status,
        output=outcome.output,
        reason=outcome.reason,
        stdout=output.decode("utf-8", "replace"),
        trace=outcome.trace,
        trace_truncated=outcome.trace_truncated,
        duration_s=duration_s,
    )


def encode_frame(message: Any) -> bytes:
    body = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    return HEADER.pack(len(body)) + body


def write_frame(stream: BinaryIO, message: Any) -> None:
    stream.write(encode_frame(message))
    stream.flush()


def read_frame(stream: BinaryIO) -> Any:
    """The next message, or raise EOFError when the other end has closed."""
    header = _read_exactly(stream, HEADER.size)
    return pickle.loads(_read_exactly(stream, HEADER.unpack(header)[0]))


class FrameReader:
    """Collects bytes as they arrive and hands out whole messages."""

    def __init__(self) -> None:
        self._buffer = bytearray()

    def feed(self, data: bytes) -> list[Any]:
        self._buffer += data
        messages = []
        while len(self._buffer) >= HEADER.size:
            (size,) = HEADER.unpack_from(self._buffer)
            end = HEADER.size + size
            if len(self._buffer) < end:
                break
            messages.append(pickle.loads(self._buffer[HEADER.size : end]))
            del self._buffer[:end]
        return messages


def _read_exactly(stream: BinaryIO, size: int) -> bytes:
    data = stream.read(size)
    if len(data) != size:
        raise EOFError(f"channel closed after {len(data)} of {size} bytes")
    return data
