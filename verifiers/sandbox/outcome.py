"""How a run ended, from what the zygote saw: its wait status, CPU time, report, and limits.

This runs in the caller, not in the zygote, where every object built makes forks dearer.

One place decides the status and the reason, in a fixed order: a limit the zygote enforced
(wall time, printed output, report size) wins, then the signal that ended the process
(SIGXCPU, or SIGKILL past the CPU limit, means the CPU limit), then the runner's own report.
The report is untrusted JSON and is checked field by field.
"""

from __future__ import annotations

import enum
import json
import os
import signal
from dataclasses import dataclass
from typing import Any

from datagen.verifiers.sandbox.records import CommandStep, Limits, Status

RUNNER_FAILED = 70
"""Exit code of a runner that could not report (e.g. the code closed its result pipe)."""


class RunEnd(enum.Enum):
    """A limit the zygote enforced by killing the run."""

    WALL_LIMIT = "wall"
    OUTPUT_LIMIT = "output"
    REPORT_LIMIT = "report"
    MEMORY_LIMIT = "memory"
    """A command job's cgroup ran out of memory and the kernel killed one of its processes."""


@dataclass(frozen=True, slots=True)
class Outcome:
    status: Status
    output: str | None
    reason: str
    trace: list[dict[str, Any]] | None = None
    trace_truncated: bool = False


def classify(
    *,
    wait_status: int,
    cpu_seconds: float,
    stopped_for: RunEnd | None,
    report: bytes,
    limits: Limits,
) -> Outcome:
    if stopped_for is RunEnd.WALL_LIMIT:
        return Outcome("timeout", None, f"wall time limit of {limits.wall_seconds:g} s exceeded")
    if stopped_for is RunEnd.OUTPUT_LIMIT:
        return Outcome(
            "killed", None, f"printed output exceeded the limit of {limits.output_bytes} bytes"
        )
    if stopped_for is RunEnd.REPORT_LIMIT:
        return Outcome("error", None, f"the report exceeded {limits.result_bytes} bytes")
    if os.WIFSIGNALED(wait_status):
        signum = os.WTERMSIG(wait_status)
        if signum == signal.SIGXCPU or (
            signum == signal.SIGKILL and cpu_seconds >= limits.cpu_seconds
        ):
            return Outcome("timeout", None, f"CPU time limit of {limits.cpu_seconds} s exceeded")
        return Outcome("killed", None, f"killed by signal {_signal_name(signum)}")
    code = os.waitstatus_to_exitcode(wait_status)
    if code == RUNNER_FAILED:
        return Outcome("error", None, "the runner could not report a result (see stdout)")
    if code != 0:
        return Outcome("error", None, f"the process exited with code {code} and no result")
    return _read_report(report)


EXEC_FAILED = 127
"""Exit code of a command step whose program could not be started (as a shell's)."""


def classify_step(
    *,
    wait_status: int,
    stopped_for: RunEnd | None,
    step: CommandStep,
    memory_bytes: int,
    limits: Limits,
) -> tuple[Status, str, int | None]:
    """``(status, reason, exit_code)`` of the command step that ended a job.

    A command's own exit code is the verdict (its output is not a report), so there is no
    report to check: a limit the zygote enforced wins, then the signal, then the exit code.
    """
    name = step.name or step.argv[0]
    if stopped_for is RunEnd.WALL_LIMIT:
        return "timeout", f"{name}: wall time limit of {step.wall_seconds:g} s exceeded", None
    if stopped_for is RunEnd.OUTPUT_LIMIT:
        return "killed", f"{name}: printed output exceeded {limits.output_bytes} bytes", None
    if stopped_for is RunEnd.MEMORY_LIMIT:
        return "killed", f"{name}: memory limit of {memory_bytes >> 20} MiB exceeded", None
    if os.WIFSIGNALED(wait_status):
        signum = os.WTERMSIG(wait_status)
        if signum == signal.SIGXCPU:
            return "timeout", f"{name}: CPU time limit exceeded", None
        return "killed", f"{name}: killed by signal {_signal_name(signum)}", None
    code = os.waitstatus_to_exitcode(wait_status)
    if code == 0:
        return "ok", "", 0
    if code == EXEC_FAILED:
        return "error", f"{name}: could not start {step.argv[0]!r} (exit code 127)", code
    return "error", f"{name}: exited with code {code}", code


def _read_report(report: bytes) -> Outcome:
    try:
        fields = json.loads(report.decode("utf-8", "surrogatepass"))
    except ValueError as exc:
        return Outcome("error", None, f"the process exited with an unreadable report: {exc}")
    if not isinstance(fields, dict):
        return Outcome("error", None, "the process exited with an unreadable report")
    status, output, reason = fields.get("status"), fields.get("output"), fields.get("reason")
    trace, truncated = fields.get("trace"), fields.get("trace_truncated", False)
    well_formed = (
        (status == "ok" and isinstance(output, str))
        or (status == "error" and output is None and isinstance(reason, str) and reason)
    ) and (trace is None or isinstance(trace, list))
    if not well_formed:
        return Outcome("error", None, "the process exited with a malformed report")
    return Outcome(status, output, reason if status == "error" else "", trace, bool(truncated))


def _signal_name(signum: int) -> str:
    try:
        return signal.Signals(signum).name
    except ValueError:
        return f"signal {signum}"
