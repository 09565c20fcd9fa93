"""What a forked runner does: run the job's code, call its entry point, report as JSON.

This runs in the child, after ``confine_run``, with stdout and stderr on the zygote's output
pipe and the result pipe on ``RESULT_FD``. It never returns: ``os._exit`` skips atexit hooks,
finalisers and the zygote's buffered files, which must not run twice. The report is JSON,
not pickle, because the caller (``outcome.py``) must not unpickle bytes the untrusted code
could have written. The code runs in the runner's own process, so it could write a report
of its own; the sandbox protects the machine and the other runs, not a run's result from
its own code.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import types
from typing import Any, NoReturn

from datagen.verifiers.sandbox.protocol import JobWire
from datagen.verifiers.sandbox.records import Limits
from datagen.verifiers.sandbox.trace import CODE_FILENAME, LineTracer

RESULT_FD = 3
MODULE_NAME = "__sandbox__"
RANDOM_SEED = 0
"""``random`` is seeded the same in every run, so code that uses it is deterministic."""

_ENCODER = json.JSONEncoder(ensure_ascii=False)
"""Built once in the zygote: ``json.dumps`` with options builds an encoder per call, and in a
runner every object built costs page faults."""
_write = os.write  # bound before the untrusted code can replace os.write
_exit = os._exit


def run_job(job: JobWire, *, limits: Limits, work_dir: str) -> NoReturn:
    """Execute ``job`` and write its report; the process ends here."""
    _fresh_process_state(work_dir)
    report = _execute(job, limits)
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # the code broke its own stdout
            stream.flush()
    data = encode_report(report, limit=limits.result_bytes)
    view = memoryview(data)
    while view:
        view = view[_write(RESULT_FD, view) :]
    _exit(0)


def encode_report(report: dict[str, Any], *, limit: int) -> bytes:
    """The report as UTF-8 JSON of at most ``limit`` bytes: the trace is cut first (its
    tail halved until it fits), then an output that alone is too large becomes an error."""
    data = _dumps(report)
    while len(data) > limit and report.get("trace"):
        report["trace"] = report["trace"][: len(report["trace"]) // 2]
        report["trace_truncated"] = True
        data = _dumps(report)
    if len(data) > limit:
        size = len(report.get("output") or "")
        report.update(
            status="error",
            output=None,
            reason=f"ResultTooLarge: the repr of the return value has {size} characters, "
            f"over the limit of {limit} bytes",
        )
        data = _dumps(report)
    return data


def describe_exception(exc: BaseException) -> str:
    """``ZeroDivisionError: division by zero``; ``SystemExit`` for a bare ``sys.exit()``."""
    try:
        detail = str(exc)
    except Exception:  # a user exception whose __str__ raises
        detail = "<unprintable message>"
    return f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__


def prepare_process(environment: dict[str, str]) -> None:
    """Once, in the zygote: the environment and standard streams every runner inherits.

    Done before forking rather than in each runner, where every object built costs page
    faults (about 0.8 ms per run for the environment and three streams).
    """
    os.environ.clear()
    os.environ.update(environment)
    sys.stdin = open(0, encoding="utf-8", closefd=False)  # noqa: SIM115 (lives with the process)
    sys.stdout = open(1, "w", encoding="utf-8", errors="backslashreplace", closefd=False)  # noqa: SIM115
    sys.stderr = open(  # noqa: SIM115
        2, "w", encoding="utf-8", errors="backslashreplace", closefd=False, buffering=1
    )


def _fresh_process_state(work_dir: str) -> None:
    os.environ["HOME"] = os.environ["TMPDIR"] = work_dir
    if "tempfile" in sys.modules:
        sys.modules["tempfile"].tempdir = None
    sys.modules["random"].seed(RANDOM_SEED)  # imported by the zygote (see zygote._preimport)


def _execute(job: JobWire, limits: Limits) -> dict[str, Any]:
    code, entry_point, args, kwargs, trace = job
    tracer = LineTracer(max_steps=limits.trace_steps) if trace else None
    report: dict[str, Any] = {"status": "error", "output": None, "reason": ""}
    try:
        function = _load_entry_point(code, entry_point)
        if tracer is None:
            value = function(*args, **kwargs)
        else:
            with tracer:
                value = function(*args, **kwargs)
        report.update(status="ok", output=repr(value))
    except BaseException as exc:  # the code may raise SystemExit, KeyboardInterrupt, anything
        report["reason"] = describe_exception(exc)
    if tracer is not None:
        report.update(trace=tracer.steps, trace_truncated=tracer.truncated)
    return report


def _load_entry_point(code: str, entry_point: str) -> Any:
    module = types.ModuleType(MODULE_NAME)
    module.__file__ = CODE_FILENAME
    sys.modules[MODULE_NAME] = module
    exec(compile(code, CODE_FILENAME, "exec"), module.__dict__)
    if entry_point not in module.__dict__:
        raise NameError(f"entry point {entry_point!r} is not defined by the code")
    function = module.__dict__[entry_point]
    if not callable(function):
        raise TypeError(f"entry point {entry_point!r} is a {type(function).__name__}")
    return function


def _dumps(report: dict[str, Any]) -> bytes:
    return _ENCODER.encode(report).encode("utf-8", "surrogatepass")
