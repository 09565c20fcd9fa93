"""``datagen verify execution`` as a Python API: JSON lines in, one result per line out.

Input lines are ``{id, code, entry_point, args}``, ``args`` being a Python tuple literal as
text (``"(17, 23)"``); each output is ``{id, status, output, reason}`` with ``status`` one of
``ok`` (``output`` is the ``repr`` of the return value), ``error``, ``timeout``, ``killed``.
A malformed line yields ``error`` with a reason rather than stopping the stream, so one bad
line never hides the results of the others; results come in input order while the jobs run
in parallel in one ``Sandbox``.
"""

from __future__ import annotations

import ast
from collections import deque
from collections.abc import Iterable, Iterator
from typing import Any

from datagen.verifiers.json_lines import decoded_lines
from datagen.verifiers.sandbox import ExecutionJob, ExecutionResult, Limits, Sandbox

REQUIRED_KEYS = ("id", "code", "entry_point", "args")
LITERAL_NODES = {
    ast.Expression,
    ast.Constant,
    ast.Tuple,
    ast.List,
    ast.Set,
    ast.Dict,
    ast.UnaryOp,
    ast.BinOp,
    ast.UAdd,
    ast.USub,
    ast.Add,
    ast.Sub,
    ast.Load,
}
"""The nodes ``ast.literal_eval`` accepts (a BinOp only as a complex number such as 1+2j)."""


def parse_args(text: Any) -> tuple:
    """The tuple a literal such as ``"(17, 23)"`` denotes; ValueError says what is wrong.

    Only literals are read (``ast.literal_eval``): a call, a name or an operator is refused,
    so reading the arguments never runs code outside the sandbox. Reasons name what was
    refused, never an object's address, so they are the same on every run.
    """
    if not isinstance(text, str):
        raise ValueError(
            f"args must be a string holding a Python tuple literal, got {type(text).__name__}"
        )
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except (SyntaxError, ValueError, MemoryError, RecursionError) as exc:
        raise ValueError(f"args is not a Python literal: {type(exc).__name__}: {exc}") from None
    try:
        value = ast.literal_eval(tree)
    except ValueError:
        kinds = (type(node).__name__ for node in ast.walk(tree) if type(node) not in LITERAL_NODES)
        refused = next(kinds, "an operator outside a complex number such as 1+2j")
        raise ValueError(f"args is not a Python literal: {refused} is not allowed") from None
    except (TypeError, MemoryError, RecursionError) as exc:
        raise ValueError(f"args is not a Python literal: {type(exc).__name__}: {exc}") from None
    if not isinstance(value, tuple):
        raise ValueError(
            f"args must be a tuple literal such as '(5,)' or '()', got {type(value).__name__}"
        )
    return value


def parse_record(record: Any, *, line_number: int) -> ExecutionJob | dict[str, Any]:
    """The job one decoded input line asks for, or the error result of a malformed line."""
    if not isinstance(record, dict):
        return malformed(
            f"line {line_number}", f"expected a JSON object, got {type(record).__name__}"
        )
    record_id = record.get("id", f"line {line_number}")
    missing = [key for key in REQUIRED_KEYS if key not in record]
    if missing:
        return malformed(record_id, f"missing keys: {', '.join(missing)}")
    try:
        return ExecutionJob(
            id=record_id,
            code=record["code"],
            entry_point=record["entry_point"],
            args=parse_args(record["args"]),
        )
    except (TypeError, ValueError) as exc:
        return malformed(record_id, str(exc))


def verify_execution_lines(
    lines: Iterable[str],
    *,
    limits: Limits | None = None,
    workers: int | None = None,
    strict: bool = True,
) -> Iterator[dict[str, Any]]:
    """One result per non-blank input line, in order (see ``Sandbox`` for the arguments)."""
    entries: deque[ExecutionJob | dict[str, Any]] = deque()

    def jobs() -> Iterator[ExecutionJob]:
        for number, record, error in decoded_lines(lines):
            if error is not None:
                entry = malformed(f"line {number}", error)
            else:
                entry = parse_record(record, line_number=number)
            entries.append(entry)
            if isinstance(entry, ExecutionJob):
                yield entry

    with Sandbox(limits=limits, workers=workers, strict=strict) as sandbox:
        for result in sandbox.run_iter(jobs()):
            while isinstance(entries[0], dict):  # malformed lines read before this job
                yield entries.popleft()
            entries.popleft()
            yield result_line(result)
    yield from entries  # malformed lines after the last job


def result_line(result: ExecutionResult) -> dict[str, Any]:
    """The output line of one result: the fields that are the same on every run."""
    return {
        "id": result.id,
        "status": result.status,
        "output": result.output,
        "reason": result.reason,
    }


def malformed(record_id: Any, reason: str) -> dict[str, Any]:
    return {
        "id": record_id,
        "status": "error",
        "output": None,
        "reason": f"malformed input: {reason}",
    }
