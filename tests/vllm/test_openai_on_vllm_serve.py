"""The openai engine against a real ``vllm serve`` (see conftest.py), and parity with vllm.

Server and in-process engine load the same model with the same engine arguments, so the
same seeded requests must give the same texts, tool calls and token counts: over HTTP in
another process (with its engine core in a third) or in this one.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import jsonschema
import pytest

from datagen.generators.engines import Request, ResponseFormat, Sampling, parse_engine_spec
from datagen.generators.engines.openai import OpenAIEngine

from .conftest import SERVED_NAME
from .test_vllm_engine import ASK, CITY, CITY_SCHEMA, WEATHER, _call_block, texts

pytestmark = pytest.mark.vllm

REGEX = r"[A-Z][a-z]{2,6}-\d{3}"
REQUESTS = [
    Request(
        request_id="prompt-n3",
        prompt="Once upon a time",
        sampling=Sampling(temperature=1.0, max_tokens=12, n=3, seed=3),
    ),
    Request(
        request_id="chat",
        messages=ASK,
        sampling=Sampling(temperature=0.8, top_p=0.9, max_tokens=16, seed=4),
    ),
    Request(
        request_id="json",
        messages=ASK,
        response_format=ResponseFormat.from_json_schema(CITY_SCHEMA),
        sampling=Sampling(max_tokens=400, n=2, seed=5),
    ),
    Request(
        request_id="choice",
        prompt="Yes or no?",
        response_format=ResponseFormat.from_choices(["yes", "no"]),
        sampling=Sampling(max_tokens=8, seed=6),
    ),
    Request(
        request_id="regex",
        messages=ASK,
        response_format=ResponseFormat.from_regex(REGEX),
        sampling=Sampling(max_tokens=32, seed=7),
    ),
    Request(
        request_id="tool-call",
        messages=ASK,
        tools=(WEATHER,),
        response_format=ResponseFormat.from_regex(_call_block("get_weather", CITY)),
        sampling=Sampling(max_tokens=96, seed=8),
    ),
]


@pytest.fixture(scope="module")
def served(vllm_server: str) -> Iterator[OpenAIEngine]:
    spec = f"openai:{vllm_server}?model={SERVED_NAME}&max_retries=1&timeout=120"
    engine = OpenAIEngine.from_spec(parse_engine_spec(spec))
    yield engine
    engine.close()


def test_the_server_honours_n_constraints_and_tool_calls(served: OpenAIEngine) -> None:
    results = {r.request_id: r for r in served.generate(REQUESTS)}
    assert all(r.error is None and r.model == SERVED_NAME for r in results.values())
    assert len(results["prompt-n3"].completions) == 3
    assert len(set(texts(results["prompt-n3"]))) == 3
    for text in texts(results["json"]):
        jsonschema.validate(json.loads(text), CITY_SCHEMA)
    assert texts(results["choice"])[0] in ("yes", "no")
    assert re.fullmatch(REGEX, texts(results["regex"])[0])
    [called] = results["tool-call"].completions
    assert called.finish_reason == "tool_calls" and called.text == ""
    assert [c.name for c in called.tool_calls] == ["get_weather"]
    assert called.tool_calls[0].arguments["city"] in ("Paris", "Rome")


def test_served_and_in_process_texts_are_the_same(served: OpenAIEngine, vllm_engine) -> None:
    over_http = served.generate(REQUESTS)
    in_process = vllm_engine.generate(REQUESTS)
    for remote, local in zip(over_http, in_process, strict=True):
        assert texts(remote) == texts(local), remote.request_id
        assert remote.prompt_tokens == local.prompt_tokens, remote.request_id
        assert [c.finish_reason for c in remote.completions] == [
            c.finish_reason for c in local.completions
        ]
        assert [c.tool_calls for c in remote.completions] == [
            c.tool_calls for c in local.completions
        ]
        # The HTTP API reports one token total per request; the engine splits it by length.
        assert sum(c.completion_tokens for c in remote.completions) == sum(
            c.completion_tokens for c in local.completions
        )
