"""Score candidates against their task's ground truth by the run's rule: ToolRM's (the
default, ``verifiers/toolrm_rule.py``) or BFCL's AST checker (``verifiers/toolcall.py``)."""

from __future__ import annotations

from typing import Any

from datagen.generators.toolpref.prompts import parse_calls, render_calls
from datagen.schemas.records import Record
from datagen.verifiers.toolcall import ToolCallChecker, ToolCallVerdict
from datagen.verifiers.toolrm_rule import score_toolrm

RULES = ("toolrm", "bfcl")
"""The scoring rules a run can pick (``ToolPrefConfig.rule``)."""

OMITTED = ""
"""In a BFCL possible answer, the allowed value that means "the parameter may be left out"."""


def concrete_calls(ground_truth: list[dict], *, nested: bool = False) -> list[dict]:
    """One concrete call list ``[{name, arguments}]`` from BFCL possible-answer ground truth
    ``[{name: {param: [allowed values]}}]``, for ToolRM's rule, which compares concrete calls.

    Each parameter takes its first allowed value, except that a parameter whose allowed values
    include ``""`` (BFCL's mark of an optional parameter that may be omitted) is left out: the
    omitted call is the one every answer key accepts. File sources write each concrete value
    as a one-element list (``segment.py``), so their calls come back exactly, except an
    argument whose value was ``""``, which is read as omitted as BFCL's checker reads it too.
    ``nested`` reads a dict value (or a list of dicts) the BFCL way, its own values being
    allowed-value lists (BFCL's answers only; a file source's dict values are concrete).
    """
    return [
        {"name": name, "arguments": _first_allowed(allowed, nested=nested)}
        for call in ground_truth
        for name, allowed in call.items()
    ]


def _first_allowed(parameters: dict[str, list], *, nested: bool) -> dict[str, Any]:
    arguments = {}
    for param, allowed in parameters.items():
        if not isinstance(allowed, list) or not allowed:
            raise ValueError(f"parameter {param!r}: allowed values are not a non-empty list")
        if OMITTED in allowed:
            continue
        arguments[param] = _concrete(allowed[0]) if nested else allowed[0]
    return arguments


def _concrete(value: Any) -> Any:
    """A BFCL answer value with its nested allowed-value lists resolved (a dict, or a list
    of dicts)."""
    if isinstance(value, dict):
        return _first_allowed(value, nested=True)
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        return [_first_allowed(v, nested=True) for v in value]
    return value


def task_calls(task: Record) -> list[dict]:
    """The task's ground truth as concrete calls (``concrete_calls``; BFCL's answers nested)."""
    return concrete_calls(task["ground_truth"], nested=task["source"] == "bfcl")


def task_checker(task: Record) -> ToolCallChecker:
    """The BFCL verifier for one task: share it between the task's K candidates, so its docs
    and answers are read once (``score_candidate(..., checker=...)``)."""
    return ToolCallChecker(
        functions=task["tools"], ground_truth=task["ground_truth"], category=task["category"]
    )


def score_candidate(
    candidate: Record,
    task: Record,
    *,
    rule: str = "toolrm",
    checker: ToolCallChecker | None = None,
    expected: list[dict] | None = None,
) -> Record:
    """The candidate with ``calls``, ``response``, ``valid``, ``score``, ``error_type``, ``reason``.

    ``rule`` is ``toolrm`` (ToolRM's rule over ``task_calls(task)``, or ``expected`` when the
    caller shares it) or ``bfcl`` (``checker``, ``task_checker(task)`` unless shared). A task
    without ground-truth calls (a turn that answers in words) is scored by ToolRM's rule under
    either: 1 exactly when the model calls nothing, and text that is not a call list counts as
    an answer in words. Calls come from the engine's native tool calls when it parsed some,
    else from the text; text that does not decode is a scored candidate (score 0) with the
    decoder's reason.
    """
    if rule not in RULES:
        raise ValueError(f"rule must be one of {', '.join(RULES)}, got {rule!r}")
    if candidate.get("native_calls"):
        calls: list | None = candidate["native_calls"]
        parse_error = None
    else:
        parsed = parse_calls(candidate["text"])
        calls, parse_error = parsed.calls, parsed.error
    if not task["ground_truth"]:
        calls = calls or []  # words, not calls
        verdict = score_toolrm(ground_truth=[], calls=calls)
    elif parse_error is not None:
        verdict = ToolCallVerdict(
            False,
            0.0,
            "malformed:" + parse_error.split(":", 1)[0],
            f"model output is not a call list ({parse_error})",
        )
    elif rule == "toolrm":
        truth = expected if expected is not None else task_calls(task)
        verdict = score_toolrm(ground_truth=truth, calls=calls)
    else:
        verdict = (checker if checker is not None else task_checker(task)).check(calls)
    if not task["ground_truth"]:
        kept_calls = calls or None
    else:
        malformed = verdict.error_type.startswith("malformed")
        kept_calls = calls if isinstance(calls, list) and not malformed else None
    scored = {k: v for k, v in candidate.items() if k != "native_calls"}
    return scored | {
        "valid": verdict.valid,
        "score": float(verdict.score),
        "error_type": verdict.error_type,
        "reason": verdict.reason,
        "calls": kept_calls,
        "response": render_calls(kept_calls, candidate["text"]),
    }
