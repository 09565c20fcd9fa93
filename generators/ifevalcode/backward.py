"""Backward constraints: from code that passes its tests, the constraints it already meets.

No model is needed: the checker library's tree-sitter decisions list every constraint the
reference satisfies (``verifiers.constraints.candidates``); a seeded draw picks how many
(between the run's min and max, about its mean, as the paper's 2–15 with a mean near 5) and
which, at most one per rule slot (``Rule.slot``); the row is built by ``rows.py``. The
reference, unchanged, is the row's answer, and the keep stage proves it passes both checks.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence

from datagen.generators.ifevalcode.keep import Checker
from datagen.generators.ifevalcode.rows import constrained_row, constraint_checkers
from datagen.generators.sampling import derive_seed
from datagen.schemas.records import Record, StageOutcome
from datagen.verifiers.code.extract import extract_code
from datagen.verifiers.constraints import Constraint, candidates

TOO_FEW = "too_few_constraints"


def constraint_count(rng: random.Random, *, low: int, high: int, mean: float) -> int:
    """``low`` plus a Poisson draw of mean ``mean - low``, capped at ``high``: a count that
    is mostly near the mean with a tail towards ``high``, like the paper's."""
    limit, count, product = math.exp(-(mean - low)), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return min(high, low + count)


def derive(
    problem: Record, *, seed: int, low: int, high: int, mean: float
) -> tuple[list[Constraint], int]:
    """The constraints drawn for ``problem``'s reference, and how many rule slots it met
    (a slot is a rule, or a group of rules that read as contradicting each other)."""
    rng = random.Random(derive_seed(seed, problem["id"], 0))
    language = problem["programming_language"]
    by_slot: dict[str, list[Constraint]] = {}
    for found in candidates(extract_code(problem["reference_response"]), language):
        by_slot.setdefault(found.rule.slot, []).append(found)
    wanted = constraint_count(rng, low=low, high=high, mean=mean)
    slots = rng.sample(sorted(by_slot), k=min(wanted, len(by_slot)))
    return [rng.choice(by_slot[slot]) for slot in slots], len(by_slot)


def backward_stage(
    problems: Sequence[Record], *, seed: int, low: int, high: int, mean: float
) -> tuple[StageOutcome, dict[str, list[Checker]]]:
    """One backward row per problem whose reference meets at least ``low`` rules (the rest
    are filtered as ``too_few_constraints``), and each row's checkers, one per constraint,
    for the mutant check."""
    rows: list[Record] = []
    checkers: dict[str, list[Checker]] = {}
    for problem in problems:
        constraints, available = derive(problem, seed=seed, low=low, high=high, mean=mean)
        if available < low:
            continue
        response = problem["reference_response"]
        row = constrained_row(problem, constraints, direction="backward", response=response)
        rows.append(row)
        checkers[row["id"]] = constraint_checkers(constraints, problem["programming_language"])
    filtered = len(problems) - len(rows)
    reasons = {f"backward: {TOO_FEW}": filtered} if filtered else {}
    outcome = StageOutcome("backward", len(problems), rows, filtered, reasons=reasons)
    return outcome.check(), checkers
