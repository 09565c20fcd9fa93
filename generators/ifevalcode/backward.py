"""Backward constraints: from code that passes its tests, the constraints it already meets.

No model is needed: the checker library's tree-sitter decisions list every constraint the
reference satisfies (``verifiers.constraints.candidates``); a seeded draw picks how many
(between the run's min and max, about its mean, as the paper's 2–15 with a mean near 5) and
which, at most one per rule; the question gets them as numbered instructions, and the row's
``check_instruction`` is the library's standard-library checker of exactly those. The
reference, unchanged, is the row's answer, and the keep stage proves it passes both checks.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence

from datagen.generators.ifevalcode.keep import Checker
from datagen.generators.sampling import derive_seed
from datagen.schemas.records import Record, StageOutcome
from datagen.verifiers.code.extract import extract_code
from datagen.verifiers.constraints import Constraint, candidates, check_instruction

INSTRUCTIONS_LEAD = "Your answer must also follow these instructions:"
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
    """The constraints drawn for ``problem``'s reference, and how many rules it met."""
    rng = random.Random(derive_seed(seed, problem["id"], 0))
    language = problem["programming_language"]
    by_rule: dict[str, list[Constraint]] = {}
    for found in candidates(extract_code(problem["reference_response"]), language):
        by_rule.setdefault(found.rule.name, []).append(found)
    wanted = constraint_count(rng, low=low, high=high, mean=mean)
    names = rng.sample(sorted(by_rule), k=min(wanted, len(by_rule)))
    return [rng.choice(by_rule[name]) for name in names], len(by_rule)


def backward_row(problem: Record, constraints: Sequence[Constraint]) -> Record:
    language = problem["programming_language"]
    numbered = "\n".join(f"{n}. {c.text}" for n, c in enumerate(constraints, start=1))
    return {
        "id": f"{problem['id']}-backward",
        "programming_language": language,
        "english_question": f"{problem['english_question']}\n\n{INSTRUCTIONS_LEAD}\n{numbered}",
        "chinese_question": "",
        "check_correctness": problem["check_correctness"],
        "check_instruction": check_instruction(constraints, language=language),
        "constraints": [
            {
                "category": c.rule.category,
                "kind": c.rule.name,
                "text": c.text,
                "parameters": dict(c.params),
            }
            for c in constraints
        ],
        "direction": "backward",
        "reference_response": problem["reference_response"],
        "seed_id": problem["id"],
        "source": problem["source"],
        "license": problem["license"],
    }


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
        row = backward_row(problem, constraints)
        rows.append(row)
        language = problem["programming_language"]
        checkers[row["id"]] = [
            Checker(c.rule.name, check_instruction([c], language=language)) for c in constraints
        ]
    outcome = StageOutcome("backward", len(problems), rows, n_filtered=len(problems) - len(rows))
    return outcome.check(), checkers
