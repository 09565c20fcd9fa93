"""Score candidates against their task's ground truth with the BFCL-semantics verifier."""

from __future__ import annotations

from datagen.generators.toolpref.prompts import parse_calls, render_calls
from datagen.schemas.records import Record
from datagen.verifiers.toolcall import ToolCallChecker


def task_checker(task: Record) -> ToolCallChecker:
    """The verifier for one task: share it between the task's K candidates, so its docs and
    answers are read once (``score_candidate(..., checker=...)``)."""
    return ToolCallChecker(
        functions=task["tools"], ground_truth=task["ground_truth"], category=task["category"]
    )


def score_candidate(
    candidate: Record, task: Record, *, checker: ToolCallChecker | None = None
) -> Record:
    """The candidate with ``calls``, ``response``, ``valid``, ``score``, ``error_type``, ``reason``.

    A task without ground-truth calls (a turn that answers in words) is valid exactly when the
    model calls nothing. Calls come from the engine's native tool calls when it parsed some,
    else from the text; text that does not decode is a scored candidate (score 0) with the
    decoder's reason. ``checker`` is ``task_checker(task)``, built here unless the caller
    shares one.
    """
    if not task["ground_truth"]:
        return _score_no_call(candidate)
    if candidate.get("native_calls"):
        calls: list | None = candidate["native_calls"]
        parse_error = None
    else:
        parsed = parse_calls(candidate["text"])
        calls, parse_error = parsed.calls, parsed.error
    if parse_error is not None:
        verdict = {
            "valid": False,
            "score": 0.0,
            "error_type": "malformed:" + parse_error.split(":", 1)[0],
            "reason": f"model output is not a call list ({parse_error})",
        }
    else:
        result = (checker if checker is not None else task_checker(task)).check(calls)
        verdict = {
            "valid": result.valid,
            "score": float(result.score),
            "error_type": result.error_type,
            "reason": result.reason,
        }
    well_formed = isinstance(calls, list) and not verdict["error_type"].startswith("malformed")
    kept_calls = calls if well_formed else None
    scored = {k: v for k, v in candidate.items() if k != "native_calls"}
    return (
        scored
        | verdict
        | {
            "calls": kept_calls,
            "response": render_calls(kept_calls, candidate["text"]),
        }
    )


def _score_no_call(candidate: Record) -> Record:
    """A task whose ground truth is no call: valid when the model calls nothing (an empty
    call list, or text that is not a call list: an answer in words), score 1 or 0."""
    calls = candidate.get("native_calls") or parse_calls(candidate["text"]).calls or []
    scored = {k: v for k, v in candidate.items() if k != "native_calls"}
    if calls:
        verdict = {
            "valid": False,
            "score": 0.0,
            "error_type": "no_call:unexpected_call",
            "reason": f"the ground truth calls nothing; the model made {len(calls)} call(s)",
        }
    else:
        reason = "no call, as expected"
        verdict = {"valid": True, "score": 1.0, "error_type": "ok", "reason": reason}
    kept = calls if calls else None
    return scored | verdict | {"calls": kept, "response": render_calls(kept, candidate["text"])}
