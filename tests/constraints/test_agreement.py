"""Every rule's table: for each program, the tree-sitter decision, the emitted checker (run
with ``exec`` in a fresh namespace on a response that wraps the program in a fenced block)
and the table's verdict all agree."""

from __future__ import annotations

import functools

import pytest

from datagen.verifiers.constraints.emit import check_instruction
from datagen.verifiers.constraints.registry import RULES, constraint, decide
from tests.constraints import (
    table_comments,
    table_constructs,
    table_formatting,
    table_imports,
    table_limits,
    table_naming,
)
from tests.constraints.cases import Case

CASES: list[Case] = [
    *table_naming.CASES,
    *table_constructs.CASES,
    *table_limits.CASES,
    *table_comments.CASES,
    *table_imports.CASES,
    *table_formatting.CASES,
]

FENCES = {"shell": "bash", "csharp": "csharp", "cpp": "cpp"}


@functools.cache
def _checker(rule: str, language: str, params: tuple[tuple[str, object], ...]):
    """The emitted ``check_instruction`` of one constraint, executed once."""
    namespace: dict[str, object] = {}
    exec(check_instruction([constraint(rule, **dict(params))], language=language), namespace)
    return namespace["check_instruction"]


def _emitted_verdict(case: Case) -> bool:
    checker = _checker(case.rule, case.language, tuple(case.params.items()))
    fence = FENCES.get(case.language, case.language)
    response = f"Here is my solution.\n\n```{fence}\n{case.code}```\n\nIt runs in O(n)."
    try:
        checker(response)
    except AssertionError:
        return False
    return True


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_decision_and_checker_agree_with_table(case: Case) -> None:
    [decided] = decide(case.code, case.language, [constraint(case.rule, **case.params)])
    emitted = _emitted_verdict(case)
    assert (decided, emitted) == (case.expected, case.expected)


@pytest.mark.parametrize(
    ("rule", "language"),
    [(rule.name, language) for rule in RULES for language in sorted(rule.languages)],
)
def test_every_rule_has_accepting_and_rejecting_programs(rule: str, language: str) -> None:
    verdicts = {case.expected for case in CASES if (case.rule, case.language) == (rule, language)}
    assert verdicts == {True, False}
