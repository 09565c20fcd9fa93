"""``datagen verify code`` as a Python API: JSON lines in, one verdict line per input out.

Input lines are ``{id, programming_language, response, check_correctness,
check_instruction}``; each output is ``{id, correct, instruction, correct_reason,
instruction_reason}`` (``code_checks.CodeCheck``), in input order, while the rows' programs
run in parallel in one sandbox. A line that is not JSON, or lacks a field, gets both checks
false with a ``malformed: ...`` reason instead of stopping the stream.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from datagen.verifiers.code_checks import (
    CodeCheck,
    CodeRow,
    check_rows,
    code_sandbox,
    malformed_check,
    parse_row,
)
from datagen.verifiers.json_lines import decoded_lines


def verify_code_lines(
    lines: Iterable[str],
    *,
    strict: bool = True,
    workers: int | None = None,
    step_seconds: float | None = None,
) -> Iterator[dict[str, Any]]:
    """One verdict line per non-blank input line, in order (``strict``: see ``Sandbox``;
    ``step_seconds``: see ``check_rows``)."""

    def rows() -> Iterator[CodeRow | CodeCheck]:
        for number, record, error in decoded_lines(lines):
            if error is not None:
                yield malformed_check(f"line {number}", error)
            else:
                yield parse_row(record, line_number=number)

    with code_sandbox(strict=strict, workers=workers) as sandbox:
        for check in check_rows(sandbox, rows(), step_seconds=step_seconds):
            yield check.as_line()
