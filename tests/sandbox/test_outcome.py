"""Tables for the sandbox's pure parts: statuses from what the zygote saw, reports, records.

Wait statuses are built as the kernel encodes them: ``code << 8`` for an exit, the signal
number for a death by signal.
"""

from __future__ import annotations

import json
import signal

import pytest

from datagen.verifiers.sandbox import ExecutionJob, Limits
from datagen.verifiers.sandbox.outcome import RUNNER_FAILED, RunEnd, classify
from datagen.verifiers.sandbox.runner import describe_exception, encode_report

LIMITS = Limits(cpu_seconds=2, wall_seconds=4.5, output_bytes=100, result_bytes=1 << 20)
OK_REPORT = json.dumps({"status": "ok", "output": "40", "reason": ""}).encode()
ERROR_REPORT = json.dumps({"status": "error", "output": None, "reason": "ValueError: x"}).encode()


def exited(code: int) -> int:
    return code << 8


@pytest.mark.parametrize(
    ("wait_status", "cpu", "stopped_for", "report", "status", "output", "reason"),
    [
        pytest.param(exited(0), 0.1, None, OK_REPORT, "ok", "40", "", id="ok"),
        pytest.param(
            exited(0), 0.1, None, ERROR_REPORT, "error", None, "ValueError: x", id="error"
        ),
        pytest.param(
            exited(0),
            0.1,
            RunEnd.WALL_LIMIT,
            OK_REPORT,
            "timeout",
            None,
            "wall time limit of 4.5 s exceeded",
            id="wall_limit_wins_over_a_report",
        ),
        pytest.param(
            signal.SIGKILL,
            0.1,
            RunEnd.OUTPUT_LIMIT,
            b"",
            "killed",
            None,
            "printed output exceeded the limit of 100 bytes",
            id="output_limit",
        ),
        pytest.param(
            signal.SIGKILL,
            0.1,
            RunEnd.REPORT_LIMIT,
            b"{",
            "error",
            None,
            "the report exceeded 1048576 bytes",
            id="report_limit",
        ),
        pytest.param(
            signal.SIGXCPU,
            2.0,
            None,
            b"",
            "timeout",
            None,
            "CPU time limit of 2 s exceeded",
            id="sigxcpu",
        ),
        pytest.param(
            signal.SIGKILL,
            3.0,
            None,
            b"",
            "timeout",
            None,
            "CPU time limit of 2 s exceeded",
            id="hard_cpu_limit",
        ),
        pytest.param(
            signal.SIGKILL, 0.5, None, b"", "killed", None, "killed by signal SIGKILL", id="sigkill"
        ),
        pytest.param(
            signal.SIGSEGV,
            0.1,
            None,
            OK_REPORT,
            "killed",
            None,
            "killed by signal SIGSEGV",
            id="signal_wins_over_a_report",
        ),
        pytest.param(
            exited(3),
            0.1,
            None,
            OK_REPORT,
            "error",
            None,
            "the process exited with code 3 and no result",
            id="exit_code_wins_over_a_report",
        ),
        pytest.param(
            exited(RUNNER_FAILED),
            0.1,
            None,
            b"",
            "error",
            None,
            "the runner could not report a result (see stdout)",
            id="runner_failed",
        ),
        pytest.param(
            exited(0),
            0.1,
            None,
            b"",
            "error",
            None,
            "the process exited with an unreadable report: Expecting value: line 1 column 1 "
            "(char 0)",
            id="no_report",
        ),
        pytest.param(
            exited(0),
            0.1,
            None,
            b"[1]",
            "error",
            None,
            "the process exited with an unreadable report",
            id="not_an_object",
        ),
        pytest.param(
            exited(0),
            0.1,
            None,
            b'{"status": "ok", "output": null}',
            "error",
            None,
            "the process exited with a malformed report",
            id="ok_without_output",
        ),
        pytest.param(
            exited(0),
            0.1,
            None,
            b'{"status": "error", "output": null, "reason": ""}',
            "error",
            None,
            "the process exited with a malformed report",
            id="error_without_reason",
        ),
        pytest.param(
            exited(0),
            0.1,
            None,
            b'{"status": "timeout", "output": null, "reason": "forged"}',
            "error",
            None,
            "the process exited with a malformed report",
            id="forged_status",
        ),
        pytest.param(
            exited(0),
            0.1,
            None,
            b'{"status": "ok", "output": "1", "trace": "lines"}',
            "error",
            None,
            "the process exited with a malformed report",
            id="trace_not_a_list",
        ),
        pytest.param(
            exited(0),
            0.1,
            None,
            b"\xff\xfe",
            "error",
            None,
            "the process exited with an unreadable report: 'utf-8' codec can't decode byte "
            "0xff in position 0: invalid start byte",
            id="not_utf8",
        ),
    ],
)
def test_classify(wait_status, cpu, stopped_for, report, status, output, reason) -> None:
    outcome = classify(
        wait_status=wait_status,
        cpu_seconds=cpu,
        stopped_for=stopped_for,
        report=report,
        limits=LIMITS,
    )
    assert (outcome.status, outcome.output, outcome.reason) == (status, output, reason)


def test_a_report_keeps_its_trace() -> None:
    report = {"status": "ok", "output": "1", "reason": "", "trace": [{"line": 1, "locals": {}}]}
    report["trace_truncated"] = True
    outcome = classify(
        wait_status=0,
        cpu_seconds=0.0,
        stopped_for=None,
        report=json.dumps(report).encode(),
        limits=LIMITS,
    )
    assert (outcome.trace, outcome.trace_truncated) == ([{"line": 1, "locals": {}}], True)


def test_encoding_halves_the_trace_until_the_report_fits() -> None:
    steps = [{"line": n, "locals": {"x": "y" * 100}} for n in range(64)]
    report = {"status": "ok", "output": "1", "reason": "", "trace": steps}
    data = encode_report(report, limit=2000)
    decoded = json.loads(data)
    assert len(data) <= 2000
    assert decoded["trace"] == steps[: len(decoded["trace"])]
    assert 0 < len(decoded["trace"]) < 64 and decoded["trace_truncated"] is True


def test_encoding_turns_an_output_too_large_into_an_error() -> None:
    report = {"status": "ok", "output": "'" + "a" * 5000 + "'", "reason": ""}
    decoded = json.loads(encode_report(report, limit=1000))
    assert (decoded["status"], decoded["output"]) == ("error", None)
    assert decoded["reason"] == (
        "ResultTooLarge: the repr of the return value has 5002 characters, over the limit "
        "of 1000 bytes"
    )


def test_encoding_keeps_lone_surrogates_and_other_unicode() -> None:
    report = {"status": "ok", "output": "'é\ud800'", "reason": ""}
    data = encode_report(report, limit=1000)
    assert json.loads(data.decode("utf-8", "surrogatepass"))["output"] == "'é\ud800'"


class Unprintable(Exception):
    def __str__(self) -> str:
        raise RuntimeError("no")


@pytest.mark.parametrize(
    ("exc", "reason"),
    [
        (ZeroDivisionError("division by zero"), "ZeroDivisionError: division by zero"),
        (SystemExit(), "SystemExit"),
        (SystemExit(3), "SystemExit: 3"),
        (SystemExit("bye"), "SystemExit: bye"),
        (KeyError("k"), "KeyError: 'k'"),
        (MemoryError(), "MemoryError"),
        (Unprintable(), "Unprintable: <unprintable message>"),
    ],
)
def test_describe_exception(exc: BaseException, reason: str) -> None:
    assert describe_exception(exc) == reason


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"cpu_seconds": 0}, "cpu_seconds must be a whole number ≥ 1"),
        ({"wall_seconds": 0}, "wall_seconds must be positive"),
        ({"wall_seconds": float("nan")}, "wall_seconds must be positive"),
        ({"memory_bytes": 1 << 20}, "memory_bytes must be at least 64 MiB"),
        ({"result_bytes": 1000}, "result_bytes must be at least 1 MiB"),
        ({"output_bytes": -1}, "output_bytes must not be negative"),
        ({"processes": 0}, "processes must be ≥ 1"),
        ({"open_files": 3}, "open_files ≥ 16"),
    ],
)
def test_limits_refuse_nonsense(options: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Limits(**options)


@pytest.mark.parametrize(
    ("fields", "error", "message"),
    [
        ({"code": b"def f(): pass"}, TypeError, "code must be str, got bytes"),
        ({"entry_point": "f()"}, ValueError, "entry_point must be a Python identifier"),
        ({"entry_point": ""}, ValueError, "entry_point must be a Python identifier"),
        ({"entry_point": None}, ValueError, "entry_point must be a Python identifier"),
        ({"args": [1, 2]}, TypeError, "args must be a tuple, got list"),
        ({"kwargs": {1: 2}}, TypeError, "kwargs must be a dict with str keys"),
    ],
)
def test_jobs_refuse_malformed_fields(fields: dict, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        ExecutionJob(**{"id": 1, "code": "def f(): pass", "entry_point": "f", **fields})
