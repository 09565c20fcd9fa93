"""``datagen verify toolcall`` as a Python API: JSON lines in, one verdict per line out.

By the ``bfcl`` rule (the default) input lines are ``{id, function, ground_truth, calls,
category?}`` with BFCL's function docs and possible answers; by the ``toolrm`` rule they are
``{id, ground_truth: [{name, arguments}], calls, function?}`` (``verifiers.toolrm_rule``; the
docs, when given, must be a list and are not scored). Either way a malformed line yields
``valid: false`` and ``error_type: malformed_input`` with a reason rather than stopping the
stream, so one bad line never hides the verdicts of the others.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from datagen.verifiers.json_lines import decoded_lines
from datagen.verifiers.toolcall import ToolCallVerdict, check_tool_calls, infer_category
from datagen.verifiers.toolrm_rule import score_toolrm

REQUIRED_KEYS = ("id", "function", "ground_truth", "calls")
TOOLRM_REQUIRED_KEYS = ("id", "ground_truth", "calls")
RULES = ("bfcl", "toolrm")


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
    return _answer(record_id, verdict)


def verify_toolrm_record(record: Any, *, line_number: int) -> dict[str, Any]:
    """The ToolRM rule's verdict for one decoded input line."""
    if not isinstance(record, dict):
        return _malformed(
            f"line {line_number}", f"expected a JSON object, got {type(record).__name__}"
        )
    record_id = record.get("id", f"line {line_number}")
    missing = [key for key in TOOLRM_REQUIRED_KEYS if key not in record]
    if missing:
        return _malformed(record_id, f"missing keys: {', '.join(missing)}")
    if not isinstance(record["ground_truth"], list):
        return _malformed(record_id, "'ground_truth' must be a list of {name, arguments}")
    if not isinstance(record.get("function", []), list):
        return _malformed(record_id, "'function' must be a list of function docs")
    try:
        verdict = score_toolrm(ground_truth=record["ground_truth"], calls=record["calls"])
    except ValueError as exc:
        return _malformed(record_id, f"unusable ground truth: {exc}")
    return _answer(record_id, verdict)


def verify_lines(lines: Iterable[str], *, rule: str = "bfcl") -> Iterator[dict[str, Any]]:
    """One verdict per non-blank input line, in order, by ``rule`` (one of ``RULES``)."""
    if rule not in RULES:
        raise ValueError(f"rule must be one of {', '.join(RULES)}, got {rule!r}")
    verify = verify_record if rule == "bfcl" else verify_toolrm_record
    for number, record, error in decoded_lines(lines):
        if error is not None:
            yield _malformed(f"line {number}", error)
        else:
            yield verify(record, line_number=number)


def _answer(record_id: Any, verdict: ToolCallVerdict) -> dict[str, Any]:
    return {
        "id": record_id,
        "valid": verdict.valid,
        "score": verdict.score,
        "error_type": verdict.error_type,
        "reason": verdict.reason,
    }


def _malformed(record_id: Any, reason: str) -> dict[str, Any]:
    return {
        "id": record_id,
        "valid": False,
        "score": 0.0,
        "error_type": "malformed_input",
        "reason": reason,
    }
