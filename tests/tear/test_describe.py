"""Descriptions for the no-code variant: the prompt, and good, noisy and malformed answers."""

from __future__ import annotations

import pytest

from datagen.generators.engines.base import Completion, Result
from datagen.generators.tear.describe import (
    EXAMPLES,
    describe_prompt,
    describe_request,
    describe_stage,
    parse_description,
)
from tests.fakes import FakeResultsEngine

CODE = "def total(xs):\n    return sum(xs)\n"


def test_the_prompt_ends_where_the_description_of_the_entry_point_starts() -> None:
    prompt = describe_prompt(code=CODE, entry_point="total")
    assert prompt.endswith("def total(xs):\n    return sum(xs)\n\n# Description: total(")
    for code, text in EXAMPLES:
        assert f"{code}\n\n# Description: {text}\n" in prompt
        assert text.startswith(code.split("def ", 1)[1].split(")")[0])  # name(params ...
    function = {"function_id": "f-1", "code": CODE, "entry_point": "total"}
    request = describe_request(function, seed=0, temperature=0.3, max_tokens=40)
    assert request.prompt == prompt and request.sampling.stop == ("\n",)
    other = describe_request(function | {"function_id": "f-2"}, seed=0, temperature=0.3,
                             max_tokens=40)  # fmt: skip
    assert request.sampling.seed != other.sampling.seed


DESCRIPTIONS = [
    # (engine text after "total(", truncated, description, problem code)
    ("xs) returns the sum of the numbers in the list xs.", False,
     "total(xs) returns the sum of the numbers in the list xs.", None),
    ("xs)   returns\tthe sum of xs , all of it.  ", False,
     "total(xs) returns the sum of xs , all of it.", None),
    ("xs) returns True if the sum is 0: that is all", False,
     "total(xs) returns True if the sum is 0: that is all", None),
    ("xs) returns the sum of the numbers in the list xs and", True, None, "truncated_description"),
    ("xs) returns the sum of the numbers in xs", False,
     "total(xs) returns the sum of the numbers in xs", None),  # no full stop: still whole
    ("xs) returns a list of strings that are separated by a group of", False, None,
     "unfinished_description"),
    ("xs) returns the sum of the numbers, as the", False, None, "unfinished_description"),
    ("xs) returns x.", False, None, "too_short"),
    ("", False, None, "too_short"),
    ("xs):", False, None, "too_short"),
    ("xs): return sum(xs) for the whole list given", False, None, "code_in_description"),
    ("xs) is like def total(xs) with a sum inside it", False, None, "code_in_description"),
    ("xs) returns the sum with ```python sum(xs)``` as code", False, None, "code_in_description"),
    ("xs) returns lambda x: x plus the sum of things", False, None, "code_in_description"),
    ("xs) returns the sum of the list, as follows:", False, None, "code_in_description"),
    ("xs) returns the sum, or 0 when the list has fewer than two numbers.", False, None,
     "copied_example"),
    ("xs) returns how many letters of word are vowels (a, e, i, o or u)", False, None,
     "copied_example"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "truncated", "description", "problem"), DESCRIPTIONS)
def test_parse_description(text: str, truncated: bool, description, problem) -> None:
    found, reason = parse_description(text, entry_point="total", truncated=truncated)
    assert (reason.split(":")[0] if reason else None) == problem
    if description is not None:
        assert found == description


@pytest.mark.parametrize("text", [None, 7, b"xs) returns the sum of all numbers"])
def test_a_non_text_answer_is_a_reason_not_a_crash(text) -> None:
    found, reason = parse_description(text, entry_point="total")
    assert found == "" and (reason or "").startswith("not_text")


def _result(text: str | None, *, finish: str = "stop", error: str | None = None) -> Result:
    completions = () if text is None else (Completion(text=text, finish_reason=finish,
                                                      completion_tokens=9),)  # fmt: skip
    return Result(request_id="r", completions=completions, prompt_tokens=5, model="m", error=error)


def test_the_describe_stage_keeps_good_descriptions_and_quarantines_the_rest() -> None:
    functions = [
        {"function_id": f"f-{i}", "code": CODE, "entry_point": "total", "source": "s",
         "inputs": ["(1,)"]}
        for i in range(4)
    ]  # fmt: skip
    results = [
        _result("xs) returns the sum of the numbers in xs."),
        _result(None, error="engine down"),
        _result("xs) returns the sum of the numbers in xs and then", finish="length"),
        _result("xs) returns x."),
    ]
    engine = FakeResultsEngine(
        {f["function_id"]: r for f, r in zip(functions, results, strict=True)}
    )
    outcome = describe_stage(
        functions, engines=lambda _: engine, engine="e", seed=0, temperature=0.3, max_tokens=80
    )
    assert outcome.records == [
        {"function_id": "f-0", "description": "total(xs) returns the sum of the numbers in xs.",
         "model": "m"},
    ]  # fmt: skip
    assert [(q.record_id, q.reason.split(":")[0]) for q in outcome.quarantined] == [
        ("f-1", "engine_error"), ("f-2", "truncated_description"), ("f-3", "too_short"),
    ]  # fmt: skip
    assert outcome.quarantined[2].record["text"] == "xs) returns x."
    assert outcome.n_in == 4
