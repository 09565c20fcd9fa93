"""datagen's tool-call checker against BFCL's own ``ast_checker`` (see ``conftest.py``).

Outputs are built from BFCL's eight Python categories: a correct answer per task and seeded
mutations of it (``bfcl_mutations.py``), about 30,000 cases; both checkers score each one.
Hand-written cases for single rules are in ``test_toolcall_quirks.py``.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass

import pytest

from datagen.verifiers.toolcall import ToolCallChecker, ToolCallVerdict, check_tool_calls
from tests.verifiers.bfcl_mutations import cases, to_bfcl, to_calls


@dataclass(frozen=True)
class Outcome:
    category: str
    kind: str
    bfcl_valid: bool
    bfcl_error: str
    ours: ToolCallVerdict
    output: list
    functions: list
    truth: list


@pytest.fixture(scope="module")
def outcomes(bfcl_check, bfcl_rows) -> list[Outcome]:
    results = []
    for category, rows in bfcl_rows.items():
        rng = random.Random(f"parity-{category}")
        for question, answer in rows:
            functions, truth = question["function"], answer["ground_truth"]
            for kind, output in cases(functions, truth, rng):
                valid, error = bfcl_check(functions, to_bfcl(output), truth, category)
                ours = check_tool_calls(
                    functions=functions,
                    ground_truth=truth,
                    calls=to_calls(output),
                    category=category,
                )
                results.append(
                    Outcome(category, kind, valid, error, ours, output, functions, truth)
                )
    return results


def test_valid_agrees_with_bfcl_on_every_case(outcomes: list[Outcome]) -> None:
    disagreements = [o for o in outcomes if o.ours.valid != o.bfcl_valid]
    assert not disagreements, "\n".join(
        f"{o.category}/{o.kind}: bfcl={o.bfcl_valid} ({o.bfcl_error}) ours={o.ours} {o.output}"
        for o in disagreements[:5]
    )


def test_cases_are_many_and_both_verdicts_common(outcomes: list[Outcome]) -> None:
    verdicts = Counter(o.bfcl_valid for o in outcomes)
    assert len(outcomes) > 20_000
    assert verdicts[True] > 5_000
    assert verdicts[False] > 10_000
    by_kind = Counter((o.kind, o.bfcl_valid) for o in outcomes)
    for kind in ("wrong_type", "wrong_value", "missing_required", "extra_param", "wrong_name"):
        assert by_kind[(kind, False)] > 1_000, kind
    for kind in ("string_variant", "dropped_optional", "reorder", "nested"):
        assert by_kind[(kind, True)] > 50 and by_kind[(kind, False)] > 0, kind
    assert by_kind[("correct", True)] > 0.99 * (
        by_kind[("correct", True)] + by_kind[("correct", False)]
    )


def test_error_types_are_bfcls(outcomes: list[Outcome]) -> None:
    compared = [o for o in outcomes if not o.bfcl_valid and not o.bfcl_error.startswith("raised")]
    different = [o for o in compared if o.ours.error_type != o.bfcl_error]
    assert len(compared) > 10_000
    assert not different, "\n".join(
        f"{o.category}/{o.kind}: bfcl {o.bfcl_error} ours {o.ours.error_type}"
        for o in different[:5]
    )


def test_score_is_one_exactly_when_valid(outcomes: list[Outcome]) -> None:
    for o in outcomes:
        if o.ours.valid:
            assert (o.ours.score, o.ours.error_type) == (1.0, "ok"), o
        else:
            assert 0.0 < o.ours.score <= 0.9 and o.ours.reason, o


def test_invalid_scores_are_graded(outcomes: list[Outcome]) -> None:
    """Partial credit spreads: near misses score above wrong types, above wrong functions."""
    scores = {round(o.ours.score, 3) for o in outcomes if not o.ours.valid}
    assert len(scores) > 50
    mean = {
        kind: sum(o.ours.score for o in group) / len(group)
        for kind in ("string_variant", "wrong_value", "wrong_type", "wrong_name")
        if (group := [o for o in outcomes if o.kind == kind and not o.ours.valid])
    }
    assert mean["string_variant"] > mean["wrong_type"] > mean["wrong_name"]
    assert mean["wrong_value"] > mean["wrong_type"]


def test_a_shared_checker_gives_each_case_its_own_verdict(outcomes: list[Outcome]) -> None:
    """A task's checker joins docs and compiles rules on first use and keeps them: shared by
    the task's cases, in reverse order so that other cases build that state, it gives each
    case what a checker of its own gives (score and reason included)."""
    tasks: dict[int, list[Outcome]] = {}
    for outcome in outcomes:
        tasks.setdefault(id(outcome.truth), []).append(outcome)
    assert len(tasks) > 2_000
    different = []
    for task in tasks.values():
        first = task[0]
        checker = ToolCallChecker(
            functions=first.functions, ground_truth=first.truth, category=first.category
        )
        different += [o for o in reversed(task) if checker.check(to_calls(o.output)) != o.ours]
    assert not different, "\n".join(f"{o.category}/{o.kind}: {o.ours}" for o in different[:5])
