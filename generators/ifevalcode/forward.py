"""Forward constraints: the engine picks constraints for a problem, then writes code for them.

Two engine requests per problem. **Pick**: the engine sees the problem, a solution that passes
its tests, and the menu of the checker library's constraints for the language (each rule with
each of its parameter choices, by id such as ``max_lines=20`` or ``recursion=forbidden``);
a JSON Schema makes it answer with exactly the drawn number of ids (about the paper's 2–15,
mean near 5), so it chooses parameters, never checker code. The first pick of each rule
counts; a problem left with fewer than the run's minimum distinct rules is quarantined.
**Write**: the engine gets the question with those instructions (``rows.py``) and the
passing solution, and writes a solution that should pass the tests and follow every
instruction. Its answer becomes the row's ``reference_response``; the keep stage then proves
it or quarantines the row with the reason (``reference_incorrect`` there means the engine's
code failed the tests).

Showing the passing solution makes the engine revise code that already works instead of
solving from nothing, which is where a model's forward answers fail most; a weak model that
copies it unchanged yields a row only when the copy meets every instruction.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Sequence

from datagen.generators.engine_stage import engine_stage
from datagen.generators.engines.base import Engine, Message, Request, ResponseFormat, Sampling
from datagen.generators.ifevalcode.backward import TOO_FEW, constraint_count
from datagen.generators.ifevalcode.keep import Checker
from datagen.generators.ifevalcode.rows import (
    constrained_question,
    constrained_row,
    constraint_checkers,
)
from datagen.generators.sampling import derive_seed
from datagen.schemas.records import Quarantined, Record, StageOutcome
from datagen.verifiers.code.extract import extract_code
from datagen.verifiers.constraints import Constraint, rules_for

LANGUAGE_NAMES = {
    "python": "Python",
    "java": "Java",
    "javascript": "JavaScript",
    "typescript": "TypeScript",
    "shell": "Bash",
    "cpp": "C++",
    "csharp": "C#",
}
FENCE_TAGS = {"shell": "bash"}
PICKED = "picked"
"""The field a picked problem carries to the write request: its constraints' menu ids."""
PICK_MAX_TOKENS_PER_ID = 16
TURN_STOPS = ("\nUser:", "\nAssistant:")
"""Where a base model, continuing the transcript, starts another turn of its own."""
WRITE_EXAMPLE = (
    "Write a Python function `total(xs)` that returns the sum of the list `xs`.\n\n"
    "Your answer must also follow these instructions:\n"
    "1. Do not use a for loop.\n2. Name every variable in snake_case.",
    "def total(xs):\n    result = 0\n    for x in xs:\n        result += x\n    return result\n",
    "def total(xs):\n    running_sum = 0\n    index = 0\n    while index < len(xs):\n"
    "        running_sum += xs[index]\n        index += 1\n    return running_sum\n",
)
"""The write request's worked exchange: (question, passing code, code that also follows)."""


def option_id(item: Constraint) -> str:
    """``rule`` or ``rule=value`` (every rule with choices takes one parameter)."""
    values = [str(value) for value in item.params.values()]
    return "=".join([item.rule.name, *values])


def menu(language: str) -> dict[str, Constraint]:
    """Every constraint the engine may pick for ``language``: each rule of the language with
    each of its parameter choices. Rules whose parameters are read off code (a required
    function name) have no choices and are left to the backward direction."""
    options = (
        Constraint(rule, dict(params))
        for rule in rules_for(language)
        for params in rule.choices(language)
    )
    return {option_id(item): item for item in options}


def fenced(code: str, language: str) -> str:
    return f"```{FENCE_TAGS.get(language, language)}\n{code.rstrip()}\n```"


def pick_count(problem: Record, *, seed: int, low: int, high: int, mean: float) -> int:
    """The drawn number of constraints, at most one per rule slot of the menu."""
    rng = random.Random(derive_seed(seed, problem["id"], 1))
    slots = len({item.rule.slot for item in menu(problem["programming_language"]).values()})
    return min(constraint_count(rng, low=low, high=high, mean=mean), slots)


def pick_request(problem: Record, *, count: int, seed: int, temperature: float) -> Request:
    language = problem["programming_language"]
    options = list(menu(language).items())
    random.Random(derive_seed(seed, problem["id"], 5)).shuffle(options)  # no favoured first ids
    lines = "\n".join(f"- {key}: {item.text}" for key, item in options)
    code = extract_code(problem["reference_response"])
    user = (
        f"Problem ({LANGUAGE_NAMES[language]}):\n{problem['english_question']}\n\n"
        f"A solution that passes its tests:\n{fenced(code, language)}\n\n"
        f"Choose exactly {count} instructions that a new solution must follow and that do "
        "not contradict each other or the problem, from this list (id: instruction):\n"
        f"{lines}\n\n"
        'Answer with JSON: {"instructions": [ids]}'
    )
    schema = {
        "type": "object",
        "properties": {
            "instructions": {
                "type": "array",
                "items": {"type": "string", "enum": [key for key, _ in options]},
                "minItems": count,
                "maxItems": count,
            }
        },
        "required": ["instructions"],
        "additionalProperties": False,
    }
    return Request(
        request_id=f"{problem['id']}-pick",
        messages=(
            Message(
                role="system",
                content="You design coding exercises that test "
                "whether a programmer follows instructions.",
            ),
            Message(role="user", content=user),
        ),
        sampling=Sampling(
            temperature=temperature,
            max_tokens=8 + PICK_MAX_TOKENS_PER_ID * count,
            seed=derive_seed(seed, problem["id"], 2),
        ),
        response_format=ResponseFormat(kind="json_schema", json_schema=schema),
    )


def parse_picks(
    text: str, options: dict[str, Constraint], *, low: int
) -> tuple[list[Constraint], str | None]:
    """The picked constraints, the first of each rule slot (``Rule.slot``: a rule, or rules
    that contradict each other) in the engine's order, and why they cannot make a row (None
    when they can)."""
    try:
        answer = json.loads(text)
    except json.JSONDecodeError as exc:
        return [], f"malformed_picks: not JSON ({exc.msg})"
    ids = answer.get("instructions") if isinstance(answer, dict) else None
    if not isinstance(ids, list):
        return [], "malformed_picks: no list of instructions"
    unknown = [key for key in ids if key not in options]
    if unknown:
        return [], f"malformed_picks: unknown ids {unknown[:3]}"
    chosen: dict[str, Constraint] = {}
    for key in ids:
        chosen.setdefault(options[key].rule.slot, options[key])
    picked = list(chosen.values())
    if len(picked) < low:
        return picked, f"{TOO_FEW}: {len(picked)} distinct rules picked, fewer than {low}"
    return picked, None


def picked_problem(problem: Record, text: str, *, low: int) -> Record | Quarantined:
    options = menu(problem["programming_language"])
    picked, reason = parse_picks(text, options, low=low)
    if reason is not None:
        return Quarantined(problem["id"], reason, problem | {"text": text})
    return problem | {PICKED: [option_id(item) for item in picked]}


def picked_constraints(problem: Record) -> list[Constraint]:
    options = menu(problem["programming_language"])
    return [options[key] for key in problem[PICKED]]


def write_prompt(question: str, code: str, language: str) -> str:
    name = LANGUAGE_NAMES[language]
    return (
        f"{question}\n\n"
        f"This {name} solution passes the tests but may break the instructions:\n"
        f"{fenced(code, language)}\n\n"
        f"Write a complete {name} solution that passes the same tests and follows every "
        "instruction. Answer with one fenced code block."
    )


def write_request(problem: Record, *, seed: int, temperature: float, max_tokens: int) -> Request:
    """The question with its instructions and the passing solution, after one worked
    exchange (which shows a base model the answer's shape); the answer ends at its turn."""
    language = problem["programming_language"]
    question = constrained_question(problem["english_question"], picked_constraints(problem))
    code = extract_code(problem["reference_response"])
    example_question, example_code, example_answer = WRITE_EXAMPLE
    return Request(
        request_id=f"{problem['id']}-write",
        messages=(
            Message(
                role="system",
                content=f"You are an expert {LANGUAGE_NAMES[language]} "
                "programmer who follows instructions exactly.",
            ),
            Message(role="user", content=write_prompt(example_question, example_code, "python")),
            Message(role="assistant", content=fenced(example_answer, "python")),
            Message(role="user", content=write_prompt(question, code, language)),
        ),
        sampling=Sampling(
            temperature=temperature,
            max_tokens=max_tokens,
            seed=derive_seed(seed, problem["id"], 3),
            stop=TURN_STOPS,
        ),
    )


def written_row(problem: Record, text: str, *, truncated: bool) -> Record | Quarantined:
    """The forward row with the engine's answer as its reference, or why there is none."""
    response = text.strip()
    if truncated:
        reason = "truncated_response: the token budget ran out"
    elif not extract_code(response).strip():
        reason = "empty_response"
    else:
        constraints = picked_constraints(problem)
        return constrained_row(problem, constraints, direction="forward", response=response)
    return Quarantined(f"{problem['id']}-forward", reason, problem | {"text": text})


def forward_stages(
    problems: Sequence[Record],
    *,
    engines: Callable[[str], Engine],
    engine: str,
    seed: int,
    low: int,
    high: int,
    mean: float,
    pick_temperature: float,
    write_temperature: float,
    write_max_tokens: int,
) -> tuple[list[StageOutcome], dict[str, list[Checker]]]:
    """The pick and write outcomes (one batch each), and each written row's checkers."""

    def pick(problem: Record) -> list[tuple[str, Request]]:
        count = pick_count(problem, seed=seed, low=low, high=high, mean=mean)
        request = pick_request(problem, count=count, seed=seed, temperature=pick_temperature)
        return [(engine, request)]

    picked = engine_stage(
        problems,
        stage="pick",
        engines=engines,
        requests=pick,
        parse=lambda problem, _, result: [
            picked_problem(problem, result.completions[0].text, low=low)
        ],
    )
    sampling = {"seed": seed, "temperature": write_temperature, "max_tokens": write_max_tokens}
    written = engine_stage(
        picked.records,
        stage="write",
        engines=engines,
        requests=lambda problem: [(engine, write_request(problem, **sampling))],
        parse=lambda problem, _, result: [
            written_row(
                problem,
                result.completions[0].text,
                truncated=result.completions[0].finish_reason == "length",
            )
        ],
    )
    by_row = {f"{problem['id']}-forward": problem for problem in picked.records}
    checkers = {
        row["id"]: constraint_checkers(
            picked_constraints(by_row[row["id"]]), row["programming_language"]
        )
        for row in written.records
    }
    return [picked, written], checkers
