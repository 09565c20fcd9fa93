"""``FakeScriptedEngine`` (``fake:SCRIPT``): texts depend on the request alone, formats are kept."""

from __future__ import annotations

import json
import random

import jsonschema
import pytest

from datagen.generators.engines import (
    EngineError,
    Request,
    ResponseFormat,
    Sampling,
    open_engine,
)
from datagen.generators.engines.fake import FakeScriptedEngine, schema_instance
from datagen.generators.toolpref.prompts import calls_schema

TOOLS = [
    {
        "name": "get_weather",
        "parameters": {
            "type": "object",
            "properties": {
                "city": {"type": "string"},
                "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
                "days": {"type": "integer"},
            },
            "required": ["city"],
        },
    },
    {
        "name": "area",
        "parameters": {
            "type": "object",
            "properties": {"base": {"type": "number"}, "height": {"type": "number"}},
            "required": ["base", "height"],
        },
    },
]
ASK = ({"role": "user", "content": "Weather in Paris for 3 days, or the area of 10 by 5?"},)


def _call_request(i: int, *, seed: int) -> Request:
    return Request(
        request_id=f"r{i}",
        messages=ASK,
        sampling=Sampling(seed=seed, max_tokens=200),
        response_format=ResponseFormat.from_json_schema(calls_schema(TOOLS, max_calls=3)),
    )


def test_texts_depend_on_the_request_not_on_its_place_in_the_batch() -> None:
    engine = open_engine("fake:toolpref")
    requests = [_call_request(i, seed=i) for i in range(6)]
    together = {r.request_id: r.completions for r in engine.generate(requests)}
    reversed_ = {r.request_id: r.completions for r in engine.generate(requests[::-1])}
    alone = engine.generate([requests[3]])[0].completions
    assert together == reversed_ and alone == together["r3"]
    assert len({c[0].text for c in together.values()}) > 1, "seeds must vary the texts"


def test_json_schema_answers_are_valid_instances_with_the_users_values() -> None:
    schema = calls_schema(TOOLS, max_calls=3)
    engine = FakeScriptedEngine("toolpref")
    texts = [
        r.completions[0].text
        for r in engine.generate([_call_request(0, seed=s) for s in range(40)])
    ]
    calls = [json.loads(t) for t in texts]
    for value in calls:
        jsonschema.validate(value, schema)
    cities = {
        c["arguments"].get("city") for value in calls for c in value if c["name"] == "get_weather"
    }
    assert "Paris" in cities and len(cities) > 1, "some right values, some made up"


@pytest.mark.parametrize(
    "schema",
    [
        {"type": "object", "properties": {"a": {"const": 1}}, "required": ["a"]},
        {"type": "array", "items": {"type": "boolean"}, "minItems": 2, "maxItems": 4},
        {"anyOf": [{"type": "integer"}, {"type": "null"}]},
        {"type": ["string", "number"]},
        {"type": "string", "maxLength": 3},
    ],
)
def test_schema_instances_are_valid(schema: dict) -> None:
    rng = random.Random(7)
    for _ in range(20):
        jsonschema.validate(schema_instance(schema, rng, ["Paris", 42]), schema)


def test_choices_stops_and_the_token_budget_are_kept() -> None:
    engine = FakeScriptedEngine("tear")
    choice = Request(
        request_id="c",
        prompt="Yes or no?",
        sampling=Sampling(n=5, seed=1),
        response_format=ResponseFormat.from_choices(["yes", "no"]),
    )
    write = Request(
        request_id="w",
        prompt="# double a number\ndef",
        sampling=Sampling(seed=2, stop=("\nprint",)),
    )
    short = Request(
        request_id="s", prompt="# double a number\ndef", sampling=Sampling(max_tokens=2)
    )
    (chosen, written, cut) = engine.generate([choice, write, short])
    assert {c.text for c in chosen.completions} <= {"yes", "no"} and len(chosen.completions) == 5
    assert (
        written.completions[0].text.startswith(" double_number(")
        and "print" not in written.completions[0].text
    )
    assert cut.completions[0].finish_reason == "length" and len(cut.completions[0].text) == 8


def test_tear_answers_are_literals_of_the_prompt_or_small_numbers() -> None:
    code = "def add(a, b):\n    return a + b + 0.5\n"
    prompt = f"{code}\n\n# The value that add(1, 2) returns:\nassert add(1, 2) == "
    request = Request(request_id="t", prompt=prompt, sampling=Sampling(n=40, seed=3, stop=("\n",)))
    (result,) = FakeScriptedEngine("tear").generate([request])
    answers = {c.text for c in result.completions}
    assert answers <= {"0.5", *map(str, range(10))} and "0.5" in answers


def test_unknown_scripts_and_options_are_refused() -> None:
    known = "a2search, agent, critic, example, ifevalcode, tear, toolpref"
    with pytest.raises(EngineError, match=f"unknown script 'nope'; scripts: {known}"):
        open_engine("fake:nope")
    with pytest.raises(EngineError, match="takes no options"):
        open_engine("fake:tear?speed=9")
