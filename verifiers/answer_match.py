"""The TeaR reward: does the final answer equal the function's true output?

The expected output is the ``repr`` the sandbox recorded. Both sides are read as Python
literals (``ast.literal_eval``) where possible and compared as values: numbers within a
relative tolerance of 1e-3 (so ``0.3333`` matches ``1/3``), containers element by element
with their types (a list is not a tuple, ``True`` is not ``1``). An expected output that is not a
literal (the ``repr`` of an object) is compared as stripped text.

The final answer is the text after the last ``Answer:`` marker, else the completion's last
non-empty line (code fences skipped), backticks stripped: a model may reason, then answer.
"""

from __future__ import annotations

import ast
import math
import re
from typing import Any

from datagen.verifiers.ground_truth import plain
from datagen.verifiers.verdict import Verdict

REL_TOL = 1e-3
_MARKER = re.compile(r"answer\s*:", re.IGNORECASE)
_NOT_LITERAL = object()


def final_answer(completion: str) -> str:
    """The answer part of a completion: after the last ``Answer:``, else its last line."""
    markers = list(_MARKER.finditer(completion))
    if markers:
        text = completion[markers[-1].end() :].strip()
        text = text.splitlines()[0] if text else ""
    else:
        lines = [line for line in completion.splitlines() if line.strip().strip("`").strip()]
        text = lines[-1] if lines else ""
    return text.strip().strip("`").strip()


def answer_match(completion: Any, expected: Any) -> Verdict:
    """1.0 when the completion's final answer equals ``expected``, else 0.0.

    ``expected`` is the ``repr`` the sandbox recorded, or the value itself as a trainer may
    hand it over (a number, a list, a NumPy array): both are compared as values.

    Reasons: ``correct``, ``wrong_answer``, ``empty_answer``, ``unparseable_answer`` (the
    expected output is a literal, the answer is not), ``not_text`` (the completion is not a
    string).
    """
    if not isinstance(completion, str):
        return Verdict(0.0, False, f"not_text: the completion is a {type(completion).__name__}")
    answer = final_answer(completion)
    if not answer:
        return Verdict(0.0, False, "empty_answer: no final answer in the completion")
    expected = plain(expected)
    shown = expected.strip() if isinstance(expected, str) else repr(expected)
    want = _literal(shown) if isinstance(expected, str) else expected
    if want is _NOT_LITERAL:
        if answer == shown:
            return Verdict(1.0, True, "correct")
        return Verdict(0.0, False, f"wrong_answer: {answer!r:.60} != {shown!r:.60}")
    got = _literal(answer)
    if got is _NOT_LITERAL:
        return Verdict(0.0, False, f"unparseable_answer: {answer!r:.60} is not a Python literal")
    if values_equal(got, want):
        return Verdict(1.0, True, "correct")
    return Verdict(0.0, False, f"wrong_answer: {answer!r:.60} != {shown!r:.60}")


def values_equal(got: Any, want: Any) -> bool:
    """Equality of literal values, numbers within ``REL_TOL``, containers by type and items."""
    if isinstance(want, bool) or isinstance(got, bool):
        return type(got) is type(want) and got == want
    if isinstance(want, int | float) and isinstance(got, int | float):
        if math.isnan(want) or math.isnan(got):
            return math.isnan(want) and math.isnan(got)
        return math.isclose(got, want, rel_tol=REL_TOL, abs_tol=0.0) or got == want
    if isinstance(want, complex) or isinstance(got, complex):
        return type(got) is type(want) and cmath_close(got, want)
    if type(got) is not type(want):
        return False
    if isinstance(want, list | tuple):
        return len(got) == len(want) and all(map(values_equal, got, want))
    if isinstance(want, dict):
        return got.keys() == want.keys() and all(values_equal(got[k], want[k]) for k in want)
    return got == want  # str, bytes, None, set, frozenset: exact


def cmath_close(got: complex, want: complex) -> bool:
    return abs(got - want) <= REL_TOL * max(abs(got), abs(want)) or got == want


def _literal(text: str) -> Any:
    """``text`` as a Python literal, with ``nan``/``inf`` (which ``repr`` writes bare) allowed."""
    special = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}
    if text in special:
        return special[text]
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return _NOT_LITERAL
