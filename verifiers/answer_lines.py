"""``datagen verify answers`` as a Python API: JSON lines in, one AnsF1 verdict per line out.

Input lines are ``{id, completion, answers}``, ``answers`` the ground truth in any form
``verifiers.ansf1`` reads (a string that is not JSON is one answer). A malformed line gets a
verdict with ``valid: false`` and its reason, so one bad line never hides the others.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import asdict
from typing import Any

from datagen.verifiers.ansf1 import score_answer_set
from datagen.verifiers.json_lines import decoded_lines


def verify_answer_record(record: Any, *, line_number: int) -> dict[str, Any]:
    """The verdict for one decoded input line."""
    if not isinstance(record, dict):
        return _malformed(
            f"line {line_number}", f"expected a JSON object, got {type(record).__name__}"
        )
    record_id = record.get("id", f"line {line_number}")
    missing = [key for key in ("completion", "answers") if key not in record]
    if missing:
        return _malformed(record_id, f"missing keys: {', '.join(missing)}")
    if not isinstance(record["completion"], str):
        return _malformed(record_id, "'completion' must be text")
    return {"id": record_id, **asdict(score_answer_set(record["completion"], record["answers"]))}


def verify_answer_lines(lines: Iterable[str]) -> Iterator[dict[str, Any]]:
    """One verdict per non-blank input line, in order."""
    for number, record, error in decoded_lines(lines):
        if error is not None:
            yield _malformed(f"line {number}", error)
        else:
            yield verify_answer_record(record, line_number=number)


def _malformed(record_id: Any, reason: str) -> dict[str, Any]:
    return {
        "id": record_id,
        "reward": 0.0,
        "ansf1": 0.0,
        "precision": 0.0,
        "recall": 0.0,
        "valid": False,
        "reason": f"malformed_input: {reason}",
    }
