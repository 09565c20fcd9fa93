"""One expected call against one model call: BFCL's verdict and datagen's partial credit.

``grade_call`` walks a call once, in BFCL's order (name, required parameters, each given
parameter, parameters the answer needs), keeping BFCL's *first* error for the verdict while
grading every parameter for partial credit. ``PairGrades`` keeps each pair's result for one
check: BFCL's matching stops at the first pair that passes, and only an invalid output's
credit grades the pairs left.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from datagen.verifiers.toolcall_inputs import (
    Call,
    doc_schema,
    find_function,
    ground_truth_call,
    unwrap_function,
)
from datagen.verifiers.toolcall_params import CheckerError, Rule, compile_rule, explain

Issue = tuple[str, str, Any]
"""BFCL's first error in a call: ``(error_type, parameter or called name, value)``."""

PairResult = tuple[Issue | None, float]
"""``(first error or None, credit in [0, 1])``."""

WRONG_FUNCTION_CREDIT = 0.1
"""A call to another function still beats no call at all, a little."""

EXACT_ASSIGNMENT_LIMIT = 10
"""Past this many calls on the smaller side, calls are paired greedily for partial credit."""


class Expected:
    """One ground-truth call joined with the doc it is checked against.

    A parameter's rule is compiled on first use (``rule``) and kept, so a one-off check pays
    only for the parameters it grades and a task's later checks pay nothing.
    """

    __slots__ = (
        "answers",
        "mandatory",
        "mandatory_keys",
        "name",
        "properties",
        "required",
        "required_keys",
        "rules",
    )

    def __init__(self, name: str, properties: dict, required: list, answers: dict[str, list]):
        self.name = name
        self.properties = properties
        self.required = required
        self.answers = answers
        self.rules: dict[str, Rule] = {}
        self.required_keys = frozenset(required)
        self.mandatory = [param for param, values in answers.items() if "" not in values]
        """Answer parameters that may not be left out, in the answer's order."""
        self.mandatory_keys = frozenset(self.mandatory)

    def rule(self, param: str) -> Rule | None:
        """The compiled rule of an answer parameter the doc documents, else None (BFCL's
        "unexpected parameter")."""
        rule = self.rules.get(param)
        if rule is None and param in self.answers and param in self.properties:
            rule = self.rules[param] = compile_rule(
                param, self.properties[param], self.answers[param]
            )
        return rule


class Expectations:
    """Ground-truth calls joined with their docs, built on first use and kept for every check.

    With ``first_doc`` (BFCL's simple category) the first answer is checked against the first
    doc whatever its name; otherwise each answer against the first doc of its name. A lookup
    that fails as BFCL's would is remembered too, and raised again on each use.
    """

    def __init__(self, functions: list, ground_truth: list, *, first_doc: bool):
        self.functions = functions
        self.ground_truth = ground_truth
        self.first_doc = first_doc
        self._built: list[Expected | CheckerError | None] = [None] * len(ground_truth)
        self._lenient: dict[int, Expected] = {}

    def __len__(self) -> int:
        return len(self.ground_truth)

    def get(self, index: int) -> Expected:
        """The joined call; ``CheckerError`` where BFCL's lookup would raise."""
        if index >= len(self.ground_truth):
            raise CheckerError("checker_error:no_ground_truth", "the ground truth has no calls")
        built = self._built[index]
        if built is None:
            built = self._built[index] = self._join(index)
        if type(built) is CheckerError:
            raise CheckerError(built.error_type, built.detail)
        return built  # type: ignore[return-value]

    def _join(self, index: int) -> Expected | CheckerError:
        name, answers = ground_truth_call(self.ground_truth[index])
        if self.first_doc and index == 0:
            doc = unwrap_function(self.functions[0]) if self.functions else None
        else:
            doc = find_function(self.functions, name)
        if doc is None:
            return CheckerError(
                "checker_error:unknown_function", f"no function doc for expected call {name!r}"
            )
        properties, required = doc_schema(doc)
        return Expected(doc["name"], properties, required, answers)

    def lenient(self, index: int) -> Expected:
        """As ``get``, but a missing doc becomes an empty one (for partial credit only)."""
        try:
            return self.get(index)
        except CheckerError:
            expected = self._lenient.get(index)
            if expected is None:
                name, answers = ground_truth_call(self.ground_truth[index])
                expected = self._lenient[index] = Expected(str(name), {}, [], answers)
            return expected


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
    issue: Issue | None = None
    units = len(arguments)
    if not arguments.keys() >= expected.required_keys:
        for param in expected.required:
            if param not in arguments:
                units += 1
                if issue is None:
                    issue = ("simple_function_checker:missing_required", param, None)
    earned = 0
    rules = expected.rules
    for param, value in arguments.items():
        rule = rules.get(param) or expected.rule(param)
        if rule is None:
            if issue is None:
                issue = ("simple_function_checker:unexpected_param", param, value)
            continue
        try:
            grade, error_type = rule(value)
        except CheckerError as exc:
            grade, error_type, value = 0, exc.error_type, exc
        earned += grade
        if grade != 2 and issue is None:
            issue = (error_type, param, value)
    if not arguments.keys() >= expected.mandatory_keys:
        for param in expected.mandatory:
            if param not in arguments:
                if param not in expected.required_keys:  # a required one is counted already
                    units += 1
                if issue is None:
                    issue = ("simple_function_checker:missing_optional", param, None)
    return issue, 0.5 + 0.25 * (earned / units if units else 2.0)


_CALL_LEVEL: dict[str, Callable[[Any, str], str]] = {
    "simple_function_checker:wrong_func_name": lambda called, name: (
        f"called {called!r} instead of {name!r}"
    ),
    "simple_function_checker:missing_required": lambda param, _: (
        f"missing required parameter {param!r}"
    ),
    "simple_function_checker:unexpected_param": lambda param, _: f"unexpected parameter {param!r}",
    "simple_function_checker:missing_optional": lambda param, _: (
        f"parameter {param!r} is left out but the answer needs it"
    ),
}
"""Call-level errors' accounts, from the issue's subject and the expected function's name."""


def describe(expected: Expected, issue: Issue) -> str:
    """A readable account of one call's first error."""
    error_type, subject, value = issue
    if isinstance(value, CheckerError):
        return value.detail
    account = _CALL_LEVEL.get(error_type)
    if account is not None:
        return account(subject, expected.name)
    prop = expected.properties.get(subject)
    return explain(subject, value, prop, expected.answers.get(subject, []), error_type)


class PairGrades:
    """Each expected call against each model call, graded at most once per check.

    BFCL's matching reads the pairs' first errors (``issue``) and stops early when the output
    is valid; an invalid output's credit (``share``) then grades only the pairs left.
    """

    __slots__ = ("_results", "calls", "expectations")

    def __init__(self, expectations: Expectations, calls: list[Call]):
        self.expectations = expectations
        self.calls = calls
        self._results: dict[tuple[int, int], PairResult] = {}

    def issue(self, index: int, position: int) -> Issue | None:
        """BFCL's first error of expected call ``index`` against call ``position``, or None.

        Raises ``CheckerError`` where BFCL's doc lookup raises."""
        result = self._results.get((index, position))
        if result is None:
            expected = self.expectations.get(index)
            result = self._results[index, position] = grade_call(expected, self.calls[position])
        return result[0]

    def share(self) -> float:
        """Best one-to-one assignment's credit over ``max(#expected, #calls)``."""
        expected_count, call_count = len(self.expectations), len(self.calls)
        if not expected_count or not call_count:
            return 0.0
        credit = []
        for index in range(expected_count):
            expected: Expected | None = None
            row = []
            for position, call in enumerate(self.calls):
                result = self._results.get((index, position))
                if result is None:
                    if expected is None:
                        expected = self.expectations.lenient(index)
                    result = grade_call(expected, call)
                row.append(result[1])
            credit.append(row)
        return best_assignment(credit) / max(expected_count, call_count)


def best_assignment(credit: list[list[float]]) -> float:
    """Maximum total credit of a one-to-one pairing of rows and columns (some left unpaired).

    When every row's best column is a different one, the sum of row maxima (an upper bound)
    is reached and returned at once; otherwise exact dynamic programming over subsets of the
    smaller side (BFCL tasks have at most 8 calls), or greedy (best remaining pair first)
    past ``EXACT_ASSIGNMENT_LIMIT``. Credits are never negative, so some best pairing pairs
    every row of the smaller side: the programme keeps only subsets that can still get there.
    """
    if len(credit) > len(credit[0]):
        credit = [list(column) for column in zip(*credit, strict=True)]
    if len(credit) == 1:
        return max(credit[0])
    if len(credit) == 2:  # two terms add up the same in either order
        first, second = credit
        columns = range(len(first))
        return max(first[i] + second[j] for i in columns for j in columns if i != j)
    maxima = [max(line) for line in credit]
    if len({line.index(top) for line, top in zip(credit, maxima, strict=True)}) == len(credit):
        return sum(maxima)
    if len(credit) > EXACT_ASSIGNMENT_LIMIT:
        return _greedy_assignment(credit)
    return _pair_every_row(credit)


def _pair_every_row(credit: list[list[float]]) -> float:
    """Best total over pairings of every row, summed column by column (as columns come).

    ``best`` maps the set of rows paired so far (a bit mask) to the best total; a column is
    left unpaired only while enough columns remain for the rows still unpaired.
    """
    rows = len(credit)
    spare_columns = len(credit[0]) - rows
    best = {0: 0.0}
    for index, column in enumerate(zip(*credit, strict=True)):
        following: dict[int, float] = {}
        for mask, total in best.items():
            if index - mask.bit_count() < spare_columns and total > following.get(mask, -1.0):
                following[mask] = total
            for row, value in enumerate(column):
                bit = 1 << row
                if not mask & bit and total + value > following.get(mask | bit, -1.0):
                    following[mask | bit] = total + value
        best = following
    return best[(1 << rows) - 1]


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
