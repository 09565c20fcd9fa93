"""The vllm engine on the real vLLM (CPU build) with the tiny random-weight model.

The model's text is noise, so the tests check mechanics: one result per request in order,
n samples, seeds, token counts, finish reasons, constraints that hold on any model, tool
rendering and vLLM's own tool-call parser.
"""

from __future__ import annotations

import copy
import json
import re

import jsonschema
import pytest

from datagen.generators.engines import (
    EngineError,
    Request,
    ResponseFormat,
    Sampling,
    ToolCall,
    parse_engine_spec,
)
from datagen.generators.engines.vllm import VLLMEngine


def texts(result) -> list[str]:
    """The texts of a result's completions, in order."""
    return [c.text for c in result.completions]


pytestmark = pytest.mark.vllm

WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Current weather for a city.",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}, "days": {"type": "integer"}},
            "required": ["city"],
        },
    },
}
ASK = ({"role": "user", "content": "What is the weather in Paris?"},)
CITY_SCHEMA = {
    "type": "object",
    "properties": {
        "city": {"type": "string", "enum": ["Paris", "Rome", "Oslo"]},
        "days": {"type": "integer", "minimum": 1, "maximum": 9},
    },
    "required": ["city", "days"],
    "additionalProperties": False,
}


def _sampling(**overrides) -> Sampling:
    return Sampling(**{"temperature": 1.0, "max_tokens": 12, "seed": 7, **overrides})


def test_a_whole_mixed_shard_comes_back_in_order_with_counts(vllm_engine) -> None:
    requests = [
        Request(
            request_id=f"r{i}",
            sampling=_sampling(n=1 + i % 3, max_tokens=4 + i, seed=i),
            **({"prompt": f"Story number {i}:"} if i % 2 else {"messages": ASK}),
        )
        for i in range(10)
    ]
    results = vllm_engine.generate(requests)
    assert [r.request_id for r in results] == [r.request_id for r in requests]
    for request, result in zip(requests, results, strict=True):
        assert result.error is None and result.model == vllm_engine.model
        assert len(result.completions) == request.sampling.n
        assert result.prompt_tokens > 3
        for completion in result.completions:
            assert 0 < completion.completion_tokens <= request.sampling.max_tokens
            assert completion.finish_reason in ("length", "stop")
            if completion.finish_reason == "length":
                assert completion.completion_tokens == request.sampling.max_tokens
    # The chat template wraps the question in turn markers and a generation prompt.
    assert results[0].prompt_tokens > len(ASK[0]["content"]) // 4 + 4


def test_an_empty_shard_is_no_call(vllm_engine) -> None:
    assert vllm_engine.generate([]) == []


def test_seeds_reproduce_and_sample_i_is_seeded_seed_plus_i(vllm_engine) -> None:
    four = Request(request_id="four", messages=ASK, sampling=_sampling(n=4, seed=40))
    first, again = vllm_engine.generate([four]), vllm_engine.generate([four])
    assert texts(first[0]) == texts(again[0])
    assert len(set(texts(first[0]))) == 4, "four samples of random weights all differ"
    # vLLM seeds the i-th of n samples with seed + i, as the embedded engine does.
    singles = [
        Request(request_id=f"s{i}", messages=ASK, sampling=_sampling(seed=40 + i)) for i in range(4)
    ]
    assert [texts(r)[0] for r in vllm_engine.generate(singles)] == texts(first[0])
    other = Request(request_id="other", messages=ASK, sampling=_sampling(n=4, seed=41))
    assert texts(vllm_engine.generate([other])[0]) != texts(first[0])


def test_a_text_does_not_depend_on_the_rest_of_the_batch(vllm_engine) -> None:
    alone = Request(request_id="x", messages=ASK, sampling=_sampling(n=2, seed=5))
    crowd = [
        Request(request_id=f"c{i}", prompt=f"{i} " * (20 + i), sampling=_sampling(seed=i))
        for i in range(6)
    ]
    in_crowd = vllm_engine.generate([*crowd[:3], alone, *crowd[3:]])[3]
    assert texts(in_crowd) == texts(vllm_engine.generate([alone])[0])


def test_stop_strings_end_the_text(vllm_engine) -> None:
    stops = ("e", "a", "o", " ")
    request = Request(request_id="s", prompt="Hello", sampling=_sampling(max_tokens=64, stop=stops))
    [result] = vllm_engine.generate([request])
    [completion] = result.completions
    assert completion.finish_reason == "stop"
    assert not any(stop in completion.text for stop in stops)


@pytest.mark.parametrize(
    ("response_format", "holds"),
    [
        (
            ResponseFormat.from_json_schema(CITY_SCHEMA),
            lambda text: jsonschema.validate(json.loads(text), CITY_SCHEMA) is None,
        ),
        (
            ResponseFormat.from_choices(["yes", "no", "maybe not"]),
            lambda text: text in ("yes", "no", "maybe not"),
        ),
        (
            ResponseFormat.from_regex(r"[A-Z][a-z]{2,6}-\d{3}"),
            lambda text: re.fullmatch(r"[A-Z][a-z]{2,6}-\d{3}", text) is not None,
        ),
    ],
    ids=["json_schema", "choice", "regex"],
)
def test_structured_outputs_constrain_every_sample(vllm_engine, response_format, holds) -> None:
    requests = [
        Request(
            request_id=f"{kind}-{seed}",
            response_format=response_format,
            # Room to finish: the random model pads JSON with the whitespace JSON allows.
            sampling=_sampling(n=3, max_tokens=400, seed=seed),
            **({"messages": ASK} if kind == "chat" else {"prompt": "Answer:"}),
        )
        for kind in ("chat", "prompt")
        for seed in (1, 2)
    ]
    results = vllm_engine.generate(requests)
    samples = [text for result in results for text in texts(result)]
    assert len(samples) == 12
    for result in results:
        for completion in result.completions:
            assert completion.finish_reason == "stop", completion
            assert holds(completion.text), completion.text
    if response_format.kind != "choice":
        assert len(set(samples)) > 1, "constrained samples still vary with the seed"


def test_the_chat_template_renders_the_tools(vllm_engine) -> None:
    without, with_tools = vllm_engine.generate(
        [
            Request(request_id="plain", messages=ASK, sampling=_sampling()),
            Request(request_id="tools", messages=ASK, tools=(WEATHER,), sampling=_sampling()),
        ]
    )
    tool_text = json.dumps(WEATHER)
    # Byte-level BPE with few merges: the tool JSON costs at least a token per 4 characters.
    assert with_tools.prompt_tokens - without.prompt_tokens > len(tool_text) // 4


def _call_block(name: str, arguments: str) -> str:
    return (
        re.escape(f'<tool_call>\n{{"name": "{name}", "arguments": ')
        + arguments
        + (re.escape("}\n</tool_call>"))
    )


CITY = r'\{"city": "(Paris|Rome)"\}'
DAYS = r'\{"city": "Oslo", "days": [1-9]\}'


@pytest.mark.parametrize(
    ("pattern", "names", "text"),
    [
        (_call_block("get_weather", CITY), ["get_weather"], ""),
        (
            _call_block("get_weather", CITY) + r"\n" + _call_block("get_weather", DAYS),
            ["get_weather", "get_weather"],
            "",
        ),
        (r"Checking\. " + _call_block("get_weather", CITY), ["get_weather"], "Checking. "),
        # A call whose arguments are not an object is not dropped: its JSON goes to the text.
        (_call_block("get_weather", r'"(Paris|Rome)"'), [], '"function"'),
        (r"No calls here, (yes|no)\.", [], "No calls here"),
    ],
    ids=["one_call", "two_calls", "content_then_call", "arguments_not_an_object", "no_call"],
)
def test_hermes_calls_become_tool_calls(vllm_engine, pattern, names, text) -> None:
    """The random model writes what a regex allows; vLLM's hermes parser reads it back."""
    request = Request(
        request_id="call",
        messages=ASK,
        tools=(WEATHER,),
        response_format=ResponseFormat.from_regex(pattern),
        sampling=_sampling(max_tokens=96, n=2),
    )
    [result] = vllm_engine.generate([request])
    for completion in result.completions:
        assert [call.name for call in completion.tool_calls] == names
        assert text in completion.text
        assert "<tool_call>" not in completion.text
        assert completion.finish_reason == ("tool_calls" if names else "stop")
        for call in completion.tool_calls:
            assert isinstance(call, ToolCall)
            assert call.arguments["city"] in {"Paris", "Rome", "Oslo"}


def test_history_with_string_arguments_renders_and_stays_untouched(vllm_engine) -> None:
    history = (
        *ASK,
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "c0",
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'},
                }
            ],
        },
        {"role": "tool", "tool_call_id": "c0", "content": "rain"},
        {"role": "user", "content": "And tomorrow?"},
    )
    request = Request(request_id="h", messages=history, tools=(WEATHER,), sampling=_sampling())
    before = copy.deepcopy(request)
    [result] = vllm_engine.generate([request])
    assert result.error is None and result.prompt_tokens > 0
    assert request == before, "vLLM decodes arguments in place: on a copy only"


def test_refused_requests_get_an_error_and_the_rest_goes_on(vllm_engine) -> None:
    requests = [
        Request(request_id="ok", prompt="Hi", sampling=_sampling()),
        Request(request_id="long", prompt="word " * 5000, sampling=_sampling()),
        Request(
            request_id="bad-regex",
            prompt="Hi",
            response_format=ResponseFormat.from_regex("(["),
            sampling=_sampling(),
        ),
        Request(request_id="bad-top-p", prompt="Hi", sampling=_sampling(top_p=0.0)),
        Request(request_id="ok2", messages=ASK, sampling=_sampling()),
    ]
    results = vllm_engine.generate(requests)
    assert [r.request_id for r in results] == [r.request_id for r in requests]
    errors = {r.request_id: r.error for r in results}
    assert errors["ok"] is None and errors["ok2"] is None
    assert "maximum context length" in errors["long"]
    assert "regex" in errors["bad-regex"]
    assert "top_p" in errors["bad-top-p"]
    assert all(not r.completions for r in results if r.error)


def test_tools_on_a_raw_prompt_are_refused_before_anything_runs(vllm_engine) -> None:
    requests = [
        Request(request_id="fine", prompt="Hi"),
        Request(request_id="t", prompt="Hi", tools=(WEATHER,)),
    ]
    with pytest.raises(EngineError, match="tools need messages"):
        vllm_engine.generate(requests)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("vllm:/m?tpp=2", "unknown option"),
        ("vllm:/m?tp=two", "option tp='two'"),
        ("vllm:/m?prefix_caching=maybe", "option prefix_caching"),
        ("vllm:/m?multiprocessing=2", "option multiprocessing"),
        ("vllm:/m?tool_parser=no-such-parser", "unknown tool_parser 'no-such-parser'"),
        ("vllm:?tp=1", "needs a model"),
        ("vllm:/no/such/model/folder", "cannot load"),
    ],
)
def test_bad_specs_fail_with_a_clear_error(spec: str, message: str) -> None:
    with pytest.raises(EngineError, match=re.escape(message)):
        VLLMEngine.from_spec(parse_engine_spec(spec))
