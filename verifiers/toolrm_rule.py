"""ToolRM's rule-based score of function calls against ground truth (arXiv 2510.26167, §3).

The rule that builds ToolPref-Pairwise: a candidate list of calls scores 0 when its number of
calls differs from the ground truth's or when it holds an exact duplicate; otherwise each
ground-truth call takes its best candidate call of the same name, independently (two
ground-truth calls may take the same candidate: this is not a one-to-one matching), and earns
the share of key–value pairs the two calls agree on over the union of their keys, or 0 when no
candidate has its name. The score is the mean over ground-truth calls. An empty ground truth
scores 1 for no calls and 0 for any.

Decisions the paper leaves open, taken here:

- Calls and ground truth are ``[{"name": str, "arguments": object or JSON text}]``, read by
  ``toolcall_inputs.parse_calls`` as the BFCL rule reads model calls: arguments given as text
  are decoded; text that is not a JSON object, a missing ``arguments``, a non-string name or a
  non-JSON value makes the whole candidate list malformed (score 0, ``malformed_input``, the
  reason naming the call). A ground truth of that kind raises ``ValueError``: it is the
  caller's data, and scoring against a broken answer key would be silently wrong.
- Values compare as decoded JSON: objects by keys and values whatever their key order, arrays
  element by element in order, numbers by value (``1`` equals ``1.0``, as Python's ``==``
  says), but booleans only equal booleans (``true`` is not ``1``, unlike Python's ``==``).
  No other normalisation: ``"1"`` is not ``1``, ``"NYC"`` is not ``"nyc"``.
- A key present in one call only counts in the union and never matches, so a candidate's
  extra keys lower its share as missing ones do. Two calls with no arguments agree fully
  (empty union: share 1).
- An exact duplicate is two candidate calls with the same name and equal arguments (as above).
  One departure from the letter of the rule: a call repeated no more often than the ground
  truth repeats it is not a duplicate, so a ground truth that itself asks for the same call
  twice is not scored 0 when copied exactly. For a ground truth without repeats (every one
  ToolPref draws from) this is the paper's rule.
- The call count is checked before duplicates; ``valid`` is ``score == 1``.
- Function docs play no part in the score.

The released ToolRM code (github.com/lirenhao1997/ToolRM) holds the critique reward and the
evaluation scripts, not this rule, so the rule follows the paper's and issue 18's wording.
"""

from __future__ import annotations

from typing import Any

from datagen.verifiers.toolcall import OK, ToolCallVerdict
from datagen.verifiers.toolcall_inputs import Call, Malformed, parse_calls

CALL_COUNT = "call_count"
DUPLICATE_CALL = "duplicate_call"
WRONG_FUNCTION = "wrong_function"
WRONG_ARGUMENTS = "wrong_arguments"
NO_CALL_EXPECTED = "no_call_expected"
MALFORMED_INPUT = "malformed_input"
ERROR_TYPES = (
    CALL_COUNT,
    DUPLICATE_CALL,
    WRONG_FUNCTION,
    WRONG_ARGUMENTS,
    NO_CALL_EXPECTED,
    MALFORMED_INPUT,
)
"""Every ``error_type`` of an invalid verdict; a valid one's is ``ok``."""

_NO_CALLS = ToolCallVerdict(True, 1.0, OK, "no call expected and none made")


def score_toolrm(*, ground_truth: list[dict], calls: list[dict] | object) -> ToolCallVerdict:
    """Score model ``calls`` against ``ground_truth`` by ToolRM's rule (see the module doc).

    ``ground_truth`` and ``calls`` are ``[{"name", "arguments"}]``; the verdict has BFCL's
    rule's shape, ``score`` the rule's value in [0, 1] and ``valid`` true only for 1.
    """
    expected = parse_ground_truth(ground_truth)
    parsed = parse_calls(calls)
    if type(parsed) is Malformed:
        return ToolCallVerdict(False, 0.0, MALFORMED_INPUT, f"{parsed.error_type}: {parsed.reason}")
    if not expected:
        if not parsed:
            return _NO_CALLS
        return ToolCallVerdict(False, 0.0, NO_CALL_EXPECTED, f"no call expected, got {len(parsed)}")
    if len(parsed) != len(expected):
        return ToolCallVerdict(
            False, 0.0, CALL_COUNT, f"expected {len(expected)} call(s), got {len(parsed)}"
        )
    duplicate = _duplicate(parsed, expected)
    if duplicate is not None:
        return ToolCallVerdict(
            False, 0.0, DUPLICATE_CALL, f"call {duplicate + 1} ({parsed[duplicate][0]}) repeats"
        )
    shares = [_best_share(call, parsed) for call in expected]
    score = sum(share for _, share, _ in shares) / len(shares)
    if score == 1.0:
        return ToolCallVerdict(True, 1.0, OK, f"all {len(expected)} call(s) match the ground truth")
    return _invalid(score, shares)


def parse_ground_truth(ground_truth: Any) -> list[Call]:
    """Ground truth as ``(name, arguments)`` pairs; a shape ``parse_calls`` rejects raises."""
    parsed = parse_calls(ground_truth)
    if type(parsed) is Malformed:
        raise ValueError(f"ground truth is not a call list: {parsed.reason}")
    return parsed


def json_equal(left: Any, right: Any) -> bool:
    """Equality of decoded JSON: numbers by value, booleans only with booleans, objects
    whatever their key order, arrays (lists or tuples) in order."""
    if type(left) is bool or type(right) is bool:
        return type(left) is type(right) and left == right
    if isinstance(left, int | float) and isinstance(right, int | float):
        return left == right
    if isinstance(left, dict):
        return (
            isinstance(right, dict)
            and left.keys() == right.keys()
            and all(json_equal(value, right[key]) for key, value in left.items())
        )
    if isinstance(left, list | tuple):
        return (
            isinstance(right, list | tuple)
            and len(left) == len(right)
            and all(map(json_equal, left, right))
        )
    return type(left) is type(right) and left == right


def argument_share(expected: dict[str, Any], call: dict[str, Any]) -> tuple[float, list[str]]:
    """``(share, keys that disagree)``: matching key–value pairs over the union of keys."""
    union = expected.keys() | call.keys()
    if not union:
        return 1.0, []
    wrong = sorted(
        key
        for key in union
        if key not in expected or key not in call or not json_equal(expected[key], call[key])
    )
    return (len(union) - len(wrong)) / len(union), wrong


def _best_share(expected: Call, calls: list[Call]) -> tuple[str, float, list[str] | None]:
    """``(name, best share among same-name calls, its disagreeing keys)``; the keys are None
    when no call has the name (share 0)."""
    name, arguments = expected
    best: tuple[float, list[str] | None] = (0.0, None)
    for call_name, call_arguments in calls:
        if call_name == name:
            share = argument_share(arguments, call_arguments)
            if best[1] is None or share[0] > best[0]:
                best = share
    return name, *best


def _duplicate(calls: list[Call], expected: list[Call]) -> int | None:
    """The position of the first call repeated more often than the ground truth repeats it."""
    seen: list[tuple[Call, int]] = []  # arguments are unhashable: a short list, compared
    for position, call in enumerate(calls):
        for index, (earlier, count) in enumerate(seen):
            if earlier[0] == call[0] and json_equal(earlier[1], call[1]):
                seen[index] = (earlier, count + 1)
                allowed = sum(
                    name == call[0] and json_equal(arguments, call[1])
                    for name, arguments in expected
                )
                if count + 1 > max(allowed, 1):
                    return position
                break
        else:
            seen.append((call, 1))
    return None


def _invalid(score: float, shares: list[tuple[str, float, list[str] | None]]) -> ToolCallVerdict:
    """The verdict of a partial score from each expected call's ``(name, share, wrong keys)``:
    a missing function before wrong arguments, the reason naming the first such call."""
    for position, (name, _, wrong) in enumerate(shares, start=1):
        if wrong is None:
            reason = f"no call named {name!r} (expected call {position})"
            return ToolCallVerdict(False, score, WRONG_FUNCTION, reason)
    position, name, share, wrong = next(
        (position, name, share, wrong)
        for position, (name, share, wrong) in enumerate(shares, start=1)
        if wrong
    )
    reason = (
        f"expected call {position} ({name}): best match {share:.2f}, differing: {', '.join(wrong)}"
    )
    return ToolCallVerdict(False, score, WRONG_ARGUMENTS, reason)
