"""An IFEvalCode row from a problem, its constraints and an answer, for either direction.

The question is the problem's, followed by the constraints as numbered instructions in the
checker library's own words: the instruction a row states is then exactly what its
``check_instruction`` checks (a model's paraphrase could promise one thing and be checked
on another). Each constraint also gets a checker of its own, for the mutant check.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from datagen.generators.ifevalcode.keep import Checker
from datagen.schemas.records import Record
from datagen.verifiers.constraints import Constraint, check_instruction

INSTRUCTIONS_LEAD = "Your answer must also follow these instructions:"
Direction = Literal["forward", "backward"]


def constrained_question(question: str, constraints: Sequence[Constraint]) -> str:
    numbered = "\n".join(f"{n}. {c.text}" for n, c in enumerate(constraints, start=1))
    return f"{question}\n\n{INSTRUCTIONS_LEAD}\n{numbered}"


def constrained_row(
    problem: Record, constraints: Sequence[Constraint], *, direction: Direction, response: str
) -> Record:
    """The row of ``problem`` with ``constraints``; ``response`` is its reference answer
    (the seed's own for backward, the engine's for forward), proved by the keep stage."""
    language = problem["programming_language"]
    return {
        "id": f"{problem['id']}-{direction}",
        "programming_language": language,
        "english_question": constrained_question(problem["english_question"], constraints),
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
        "direction": direction,
        "reference_response": response,
        "seed_id": problem["id"],
        "source": problem["source"],
        "license": problem["license"],
    }


def constraint_checkers(constraints: Sequence[Constraint], language: str) -> list[Checker]:
    """One checker per constraint, each rejecting what breaks that constraint alone."""
    return [Checker(c.rule.name, check_instruction([c], language=language)) for c in constraints]
