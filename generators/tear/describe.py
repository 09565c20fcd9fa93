"""Functions described in natural language by the engine, for TeaR's no-code task variant.

The engine continues a file in which each function is followed by a
``# Description: name(params) returns ...`` comment; the prompt ends with
``# Description: <entry point>(`` so every description names the function it describes (the
question then asks about a call of that name). Descriptions are not checked for truth, only
for shape: a malformed one is quarantined with its reason and its function gets no
description task.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from datagen.generators.engine_stage import engine_stage
from datagen.generators.engines.base import Engine, Request, Result, Sampling
from datagen.generators.sampling import derive_seed
from datagen.generators.tear import seeds
from datagen.schemas.records import Quarantined, Record, StageOutcome

DESCRIPTIONS = (
    "count_vowels(word) returns how many letters of word are vowels (a, e, i, o or u), "
    "ignoring case.",
    "largest_gap(numbers) returns the largest difference between a number of the list "
    "numbers and the number before it, or 0 when the list has fewer than two numbers.",
)
EXAMPLES = tuple(
    (example.code, text) for example, text in zip(seeds.EXAMPLES, DESCRIPTIONS, strict=True)
)
"""The few-shot (code, description) pairs: the functions the seeds prompt shows, described."""
MIN_WORDS = 5
"""Shorter descriptions (``f(x) returns x.``) say too little to answer from."""
COPIED_WORDS = 6
"""A run of this many words taken from a few-shot description marks a copy, not a description."""
DANGLING = frozenset(
    {"a", "an", "the", "of", "to", "by", "with", "and", "or", "that", "for", "in", "from", "is",
     "are", "as", "than", "if", "when", "each", "its", "their"}
)  # fmt: skip
"""Words a sentence cannot end on: the engine broke the line mid-sentence."""
_CODE = re.compile(r"\bdef\s|\blambda\b|```|\breturn\s|\bprint\(|[:;]\s*$")
"""Marks of code rather than prose: a definition, a return statement, a fence, a block opener."""


def describe_prompt(*, code: str, entry_point: str) -> str:
    """The few-shot file, ending where the engine writes the function's description."""
    shots = "".join(f"{code}\n\n# Description: {text}\n\n\n" for code, text in EXAMPLES)
    return f"{shots}{code.strip()}\n\n# Description: {entry_point}("


def describe_request(
    function: Record, *, seed: int, temperature: float, max_tokens: int
) -> Request:
    return Request(
        request_id=function["function_id"],
        prompt=describe_prompt(code=function["code"], entry_point=function["entry_point"]),
        sampling=Sampling(
            temperature=temperature,
            max_tokens=max_tokens,
            seed=derive_seed(seed, function["function_id"], 0),
            stop=("\n",),
        ),
    )


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def _runs(words: list[str], n: int) -> set[tuple[str, ...]]:
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


_EXAMPLE_RUNS = set().union(*(_runs(_words(text), COPIED_WORDS) for _, text in EXAMPLES))


def description_problem(description: str, *, truncated: bool) -> str | None:
    """Why ``description`` (``name(...`` onwards) cannot stand for the code, or None."""
    if truncated:
        return "truncated_description: the token budget ran out mid-sentence"
    words = _words(description)
    if len(words) < MIN_WORDS:
        return f"too_short: {len(words)} words < {MIN_WORDS}"
    if words[-1] in DANGLING:
        return f"unfinished_description: ends on {words[-1]!r}"
    if _CODE.search(description):
        return f"code_in_description: {description!r:.60}"
    if _runs(words, COPIED_WORDS) & _EXAMPLE_RUNS:
        return "copied_example: repeats a few-shot description"
    return None


def parse_description(
    text: object, *, entry_point: str, truncated: bool = False
) -> tuple[str, str | None]:
    """The description (``entry_point(`` + the engine's text, one line) and its problem."""
    if not isinstance(text, str):
        return "", f"not_text: got {type(text).__name__}"
    description = f"{entry_point}({' '.join(text.split())}"
    return description, description_problem(description, truncated=truncated)


def described_function(function: Record, result: Result) -> Record | Quarantined:
    """``{function_id, description, model}`` if the answer can stand for the code, else the
    function quarantined with the problem and the answer's text."""
    completion = result.completions[0]
    description, problem = parse_description(
        completion.text,
        entry_point=function["entry_point"],
        truncated=completion.finish_reason == "length",
    )
    record_id = function["function_id"]
    if problem is not None:
        return Quarantined(record_id, problem, function | {"text": completion.text})
    return {"function_id": record_id, "description": description, "model": result.model}


def describe_stage(
    functions: Sequence[Record],
    *,
    engines: Callable[[str], Engine],
    engine: str,
    seed: int,
    temperature: float,
    max_tokens: int,
) -> StageOutcome:
    """One engine request per function, in one batch; each answer checked for shape."""
    sampling = {"seed": seed, "temperature": temperature, "max_tokens": max_tokens}
    return engine_stage(
        functions,
        stage="describe",
        engines=engines,
        requests=lambda function: [(engine, describe_request(function, **sampling))],
        parse=lambda function, _, result: [described_function(function, result)],
    )
