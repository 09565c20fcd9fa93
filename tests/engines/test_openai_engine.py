"""The openai engine against real llama-cpp-python servers (see conftest.py).

llama-cpp-python's server ignores ``n`` (one choice per call) and honours the per-request
``seed``, so these tests also cover the engine's extra seeded calls for missing samples.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator

import httpx
import jsonschema
import pytest

from datagen.generators.engines import (
    EngineError,
    Request,
    ResponseFormat,
    Sampling,
    open_engine,
    parse_engine_spec,
)
from datagen.generators.engines.openai import OpenAIEngine


def texts(result) -> list[str]:
    """The texts of a result's completions, in order."""
    return [c.text for c in result.completions]


PROMPT = "Question: What is 2 plus 2?\nAnswer:"
STORY = "Once upon a time, in a small village,"
PERSON_SCHEMA = {
    "type": "object",
    "properties": {
        "city": {"type": "string", "enum": ["Paris", "Rome", "Oslo"]},
        "capital": {"type": "boolean"},
    },
    "required": ["city", "capital"],
    "additionalProperties": False,
}


@pytest.fixture(scope="module")
def engine(llama_server) -> Iterator[OpenAIEngine]:
    spec = f"openai:{llama_server.url}?model=gemma-3-270m&dialect=llamacpp&max_retries=1"
    built = OpenAIEngine.from_spec(parse_engine_spec(spec))
    yield built
    built.close()


def _sampling(**overrides) -> Sampling:
    return Sampling(**{"temperature": 0.9, "max_tokens": 8, "seed": 11, **overrides})


def test_completion_fills_text_tokens_finish_reason_and_model(engine):
    [result] = engine.generate([Request(request_id="p", prompt=PROMPT, sampling=_sampling())])
    assert result.error is None
    [completion] = result.completions
    assert completion.text.strip()
    assert completion.finish_reason in ("length", "stop")
    assert 0 < completion.completion_tokens <= 8
    if completion.finish_reason == "length":
        assert completion.completion_tokens == 8
    assert result.prompt_tokens > 5  # about 14 tokens with BOS
    assert result.model == "gemma-3-270m"  # this server echoes the requested name


def test_chat_uses_the_chat_endpoint(engine):
    messages = ({"role": "user", "content": "Name a colour."},)
    [result] = engine.generate([Request(request_id="c", messages=messages, sampling=_sampling())])
    assert result.error is None
    assert len(result.completions) == 1
    # The gemma chat format wraps the message in turn markers: more tokens than its 4 words.
    assert result.prompt_tokens > 6
    assert result.completions[0].completion_tokens > 0


def test_stop_sequence_ends_the_text(engine):
    sampling = _sampling(temperature=0.0, max_tokens=16, stop=("\n",))
    [result] = engine.generate([Request(request_id="s", prompt=PROMPT, sampling=sampling)])
    [completion] = result.completions
    assert "\n" not in completion.text
    assert completion.finish_reason == "stop"


def test_n_samples_come_from_extra_seeded_calls(engine):
    request = Request(request_id="n", prompt=STORY, sampling=_sampling(n=3, max_tokens=6))
    [result] = engine.generate([request])
    assert result.error is None
    assert len(result.completions) == 3
    assert len(set(texts(result))) > 1  # seeds 11, 12, 13


def test_same_seed_reproduces_whatever_ran_before(engine):
    def story(seed: int, request_id: str = "r") -> Request:
        return Request(request_id=request_id, prompt=STORY, sampling=_sampling(seed=seed))

    first = texts(engine.generate([story(5)])[0])
    engine.generate([Request(request_id="other", prompt="The cat", sampling=_sampling())])
    same_batch = engine.generate([story(5, "a"), story(6, "b"), story(5, "c")])
    assert texts(same_batch[0]) == first
    assert texts(same_batch[2]) == first
    assert texts(same_batch[1]) != first


@pytest.mark.parametrize("chat", [False, True], ids=["completion", "chat"])
def test_json_schema_constrains_the_text(engine, chat):
    fmt = ResponseFormat.from_json_schema(PERSON_SCHEMA)
    sampling = _sampling(max_tokens=40)
    if chat:
        messages = ({"role": "user", "content": "Pick a city as JSON."},)
        request = Request(request_id="j", messages=messages, sampling=sampling, response_format=fmt)
    else:
        request = Request(
            request_id="j", prompt="A city as JSON:", sampling=sampling, response_format=fmt
        )
    [result] = engine.generate([request])
    [completion] = result.completions
    assert completion.finish_reason == "stop", completion.text
    jsonschema.validate(json.loads(completion.text), PERSON_SCHEMA)


def test_choice_and_regex_constrain_the_text(engine):
    choices = ("yes", "no", "maybe so")
    pattern = r"[0-9]{1,2} apples"
    requests = [
        Request(
            request_id=f"choice-{seed}",
            prompt="Is the sky blue? Answer:",
            sampling=_sampling(seed=seed),
            response_format=ResponseFormat.from_choices(choices),
        )
        for seed in range(3)
    ] + [
        Request(
            request_id="regex",
            prompt="How many apples? ",
            sampling=_sampling(max_tokens=12),
            response_format=ResponseFormat.from_regex(pattern),
        )
    ]
    results = engine.generate(requests)
    assert all(texts(r)[0] in choices for r in results[:3]), [texts(r) for r in results]
    assert re.fullmatch(pattern, texts(results[3])[0]), texts(results[3])


def test_vllm_dialect_json_schema_is_refused_by_llama_cpp_python(llama_server):
    """Why the ``llamacpp`` dialect exists: this server rejects ``type: json_schema``
    (with HTTP 500, so it is retried like any 5xx and ends in ``Result.error``)."""
    engine = OpenAIEngine(urls=[llama_server.url], model="m", max_retries=0)
    fmt = ResponseFormat.from_json_schema(PERSON_SCHEMA)
    messages = ({"role": "user", "content": "JSON"},)
    try:
        [result] = engine.generate(
            [Request(request_id="v", messages=messages, sampling=_sampling(), response_format=fmt)]
        )
    finally:
        engine.close()
    assert result.completions == ()
    assert "HTTP 500" in (result.error or "")
    assert "json_object" in (result.error or "")


class CountingTransport(httpx.AsyncHTTPTransport):
    """The real network transport, counting calls per server port."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: Counter[int] = Counter()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.calls[request.url.port or 0] += 1
        return await super().handle_async_request(request)


def test_several_urls_share_the_load(llama_servers):
    transport = CountingTransport()
    engine = OpenAIEngine(
        urls=[server.url for server in llama_servers], model="m", concurrency=2, transport=transport
    )
    requests = [
        Request(request_id=str(i), prompt=PROMPT, sampling=_sampling(seed=i, max_tokens=4))
        for i in range(6)
    ]
    try:
        results = engine.generate(requests)
    finally:
        engine.close()
    assert [result.request_id for result in results] == [str(i) for i in range(6)]
    assert all(len(result.completions) == 1 for result in results)
    ports = {httpx.URL(server.url).port for server in llama_servers}
    assert set(transport.calls) == ports, transport.calls  # least-in-flight: both get work
    assert sum(transport.calls.values()) == 6


def test_model_defaults_to_the_only_served_model(llama_server):
    engine = open_engine(f"openai:{llama_server.url}?dialect=llamacpp")
    try:
        assert engine.model == llama_server.alias
        assert engine.name == f"openai:{llama_server.url}?dialect=llamacpp"
    finally:
        engine.close()


def test_refused_request_raises_with_the_server_message(llama_server):
    wrong_base = llama_server.url.removesuffix("/v1") + "/v2"
    engine = OpenAIEngine(urls=[wrong_base], model="m", max_retries=3)
    try:
        with pytest.raises(
            EngineError, match=r"/v2/completions refused the request: HTTP 404: Not Found"
        ):
            engine.generate([Request(request_id="x", prompt=PROMPT, sampling=_sampling())])
    finally:
        engine.close()
