"""``datagen verify toolcall`` as a Python API: JSON lines in, one verdict per line out.

Input lines are ``{id, function, ground_truth, calls, category?}`` with BFCL's function docs
and possible answers; a malformed line yields ``valid: false`` with a reason rather than
stopping the stream, so one bad line never hides the verdicts of the others.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from datagen.verifiers.json_lines import decoded_lines
from datagen.verifiers.toolcall import check_tool_calls, infer_category

REQUIRED_KEYS = ("id", "function", "ground_truth", "calls")


def verify_record(record: Any, *, line_number: int) -> dict[str, Any]:
    """The verdict for one decoded input line."""
    if not isinstance(record, dict):
        return _malformed(
            f"line {line_number}", f"expected a JSON object, got {type(record).__name__}"
        )
    record_id = record.get("id", f"line {line_number}")
    missing = [key for key in REQUIRED_KEYS if key not in record]
    if missing:
        return _malformed(record_id, f"missing keys: {', '.join(missing)}")
    functions, ground_truth = record["function"], record["ground_truth"]
    if not isinstance(functions, list) or not isinstance(ground_truth, list) or not ground_truth:
        return _malformed(record_id, "'function' and 'ground_truth' must be non-empty lists")
    try:
        category = record.get("category") or infer_category(ground_truth, functions)
        verdict = check_tool_calls(
            functions=functions, ground_truth=ground_truth, calls=record["calls"], category=category
        )
    except (TypeError, ValueError, KeyError, AttributeError) as exc:
        return _malformed(record_id, f"unusable function docs or ground truth: {exc!r}")
    return {
        "id": record_id,
        "valid": verdict.valid,
        "score": verdict.score,
        "error_type": verdict.error_type,
        "reason": verdict.reason,
    }


def verify_lines(lines: Iterable[str]) -> Iterator[dict[str, Any]]:
    """One verdict per non-blank input line, in order."""
    for number, record, error in decoded_lines(lines):
        if error is not None:
            yield _malformed(f"line {number}", error)
        else:
            yield verify_record(record, line_number=number)


def _malformed(record_id: Any, reason: str) -> dict[str, Any]:
    return {
        "id": record_id,
        "valid": False,
        "score": 0.0,
        "error_type": "malformed_input",
        "reason": reason,
    }
