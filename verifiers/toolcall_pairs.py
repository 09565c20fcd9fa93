"""One expected call against one model call: BFCL's verdict and datagen's partial credit.

``grade_call`` walks a call once, in BFCL's order (name, required parameters, each given
parameter, parameters the answer needs), keeping BFCL's *first* error for the verdict while
grading every parameter for partial credit. ``PairGrid`` grades each (expected, model) pair at
most once per check, so the verdict's matching and the score's assignment share the work.
"""

from __future__ import annotations

from typing import Any

from datagen.verifiers.toolcall_inputs import (
    Call,
    doc_schema,
    find_function,
    ground_truth_call,
    unwrap_function,
)
from datagen.verifiers.toolcall_params import CheckerError, explain, grade_value

Issue = tuple[str, str, Any]
"""BFCL's first error in a call: ``(error_type, parameter or called name, value)``."""

PairResult = tuple[Issue | None, float]
"""``(first error or None, credit in [0, 1])``."""

WRONG_FUNCTION_CREDIT = 0.1
"""A call to another function still beats no call at all, a little."""

EXACT_ASSIGNMENT_LIMIT = 10
"""Past this many calls on the smaller side, calls are paired greedily for partial credit."""


class Expected:
    """One ground-truth call joined with the doc it is checked against."""

    __slots__ = ("answers", "name", "properties", "required")

    def __init__(self, name: str, properties: dict, required: list, answers: dict[str, list]):
        self.name = name
        self.properties = properties
        self.required = required
        self.answers = answers


class Expectations:
    """Ground-truth calls joined with their docs, built on first use and kept for the check.

    With ``first_doc`` (BFCL's simple category) the first answer is checked against the first
    doc whatever its name; otherwise each answer against the first doc of its name.
    """

    def __init__(self, functions: list, ground_truth: list, *, first_doc: bool):
        self.functions = functions
        self.ground_truth = ground_truth
        self.first_doc = first_doc
        self._built: list[Expected | None] = [None] * len(ground_truth)

    def __len__(self) -> int:
        return len(self.ground_truth)

    def get(self, index: int) -> Expected:
        """The joined call; ``CheckerError`` where BFCL's lookup would raise."""
        if index < len(self._built) and (expected := self._built[index]) is not None:
            return expected
        if index >= len(self.ground_truth):
            raise CheckerError("checker_error:no_ground_truth", "the ground truth has no calls")
        name, answers = ground_truth_call(self.ground_truth[index])
        if self.first_doc and index == 0:
            doc = unwrap_function(self.functions[0]) if self.functions else None
        else:
            doc = find_function(self.functions, name)
        if doc is None:
            raise CheckerError(
                "checker_error:unknown_function", f"no function doc for expected call {name!r}"
            )
        properties, required = doc_schema(doc)
        expected = self._built[index] = Expected(doc["name"], properties, required, answers)
        return expected

    def lenient(self, index: int) -> Expected:
        """As ``get``, but a missing doc becomes an empty one (for partial credit only)."""
        try:
            return self.get(index)
        except CheckerError:
            name, answers = ground_truth_call(self.ground_truth[index])
            return Expected(str(name), {}, [], answers)


def grade_call(expected: Expected, call: Call) -> PairResult:
    """BFCL's ``simple_function_checker`` verdict and the pair's credit, in one pass.

    Credit is 0.1 for a call to another function, else ``0.5 + 0.5 * earned / units``: each
    given parameter is a unit earning 1 if right, 0.5 if only its type is right, 0 if unknown
    or mistyped; each required (or not omittable) parameter left out is a unit earning 0; no
    units earns the full 1. A first error whose ``value`` is a ``CheckerError`` marks where
    BFCL's code would raise.
    """
    name, arguments = call
    if name != expected.name:
        return ("simple_function_checker:wrong_func_name", name, None), WRONG_FUNCTION_CREDIT
    properties, answers, required = expected.properties, expected.answers, expected.required
    issue: Issue | None = None
    units = len(arguments)
    for param in required:
        if param not in arguments:
            units += 1
            if issue is None:
                issue = ("simple_function_checker:missing_required", param, None)
    earned = 0
    for param, value in arguments.items():
        values = answers.get(param)
        if values is None or param not in properties:
            if issue is None:
                issue = ("simple_function_checker:unexpected_param", param, value)
            continue
        try:
            grade, error_type = grade_value(param, value, properties[param], values)
        except CheckerError as exc:
            grade, error_type, value = 0, exc.error_type, exc
        earned += grade
        if grade != 2 and issue is None:
            issue = (error_type, param, value)
    for param, values in answers.items():
        if param not in arguments and "" not in values:
            if param not in required:
                units += 1
            if issue is None:
                issue = ("simple_function_checker:missing_optional", param, None)
    return issue, 0.5 + 0.25 * (earned / units if units else 2.0)


_CALL_LEVEL = {
    "simple_function_checker:wrong_func_name": "called {subject!r} instead of {name!r}",
    "simple_function_checker:missing_required": "missing required parameter {subject!r}",
    "simple_function_checker:unexpected_param": "unexpected parameter {subject!r}",
    "simple_function_checker:missing_optional": (
        "parameter {subject!r} is left out but the answer needs it"
    ),
}


def describe(expected: Expected, issue: Issue) -> str:
    """A readable account of one call's first error."""
    error_type, subject, value = issue
    if isinstance(value, CheckerError):
        return value.detail
    template = _CALL_LEVEL.get(error_type)
    if template is not None:
        return template.format(subject=subject, name=expected.name)
    prop = expected.properties.get(subject)
    return explain(subject, value, prop, expected.answers.get(subject, []), error_type)


class PairGrid:
    """Every (expected call, model call) pair of one check, graded at most once."""

    def __init__(self, expectations: Expectations, calls: list[Call]):
        self.expectations = expectations
        self.calls = calls
        self._graded: dict[tuple[int, int], PairResult] = {}

    def grade(self, index: int, position: int) -> PairResult:
        """The pair's result; ``CheckerError`` where BFCL's doc lookup would raise."""
        key = (index, position)
        result = self._graded.get(key)
        if result is None:
            result = self._graded[key] = grade_call(
                self.expectations.get(index), self.calls[position]
            )
        return result

    def matched_share(self) -> float:
        """Best one-to-one assignment's credit over ``max(#expected, #calls)``."""
        expected_count, call_count = len(self.expectations), len(self.calls)
        if not expected_count or not call_count:
            return 0.0
        credit = [[self._credit(i, j) for j in range(call_count)] for i in range(expected_count)]
        return best_assignment(credit) / max(expected_count, call_count)

    def _credit(self, index: int, position: int) -> float:
        result = self._graded.get((index, position))
        if result is None:
            result = grade_call(self.expectations.lenient(index), self.calls[position])
        return result[1]


def best_assignment(credit: list[list[float]]) -> float:
    """Maximum total credit of a one-to-one pairing of rows and columns (some left unpaired).

    When every row's best column is a different one, the sum of row maxima (an upper bound)
    is reached and returned at once; otherwise exact dynamic programming over subsets of the
    smaller side (BFCL tasks have at most 8 calls), or greedy (best remaining pair first)
    past ``EXACT_ASSIGNMENT_LIMIT``.
    """
    if len(credit) > len(credit[0]):
        credit = [list(column) for column in zip(*credit, strict=True)]
    if len(credit) == 1:
        return max(credit[0])
    best_columns = [max(range(len(line)), key=line.__getitem__) for line in credit]
    if len(set(best_columns)) == len(best_columns):
        return sum(line[column] for line, column in zip(credit, best_columns, strict=True))
    rows = len(credit)
    if rows > EXACT_ASSIGNMENT_LIMIT:
        return _greedy_assignment(credit)
    best = [-1.0] * (1 << rows)
    best[0] = 0.0
    for column in zip(*credit, strict=True):
        for mask in range(len(best) - 1, -1, -1):  # descending: each column is used once
            total = best[mask]
            if total < 0.0:
                continue
            for row, value in enumerate(column):
                bit = 1 << row
                if value > 0.0 and not mask & bit and total + value > best[mask | bit]:
                    best[mask | bit] = total + value
    return max(best)


def _greedy_assignment(credit: list[list[float]]) -> float:
    pairs = sorted(
        (
            (value, row, column)
            for row, line in enumerate(credit)
            for column, value in enumerate(line)
        ),
        reverse=True,
    )
    used_rows: set[int] = set()
    used_columns: set[int] = set()
    total = 0.0
    for value, row, column in pairs:
        if row not in used_rows and column not in used_columns:
            used_rows.add(row)
            used_columns.add(column)
            total += value
    return total
