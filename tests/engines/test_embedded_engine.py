"""The embedded engine on the real packaged model: constraints, seeds, batching, limits."""

from __future__ import annotations

import json

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
from datagen.generators.engines.embedded import EmbeddedEngine, render_transcript


def texts(result) -> list[str]:
    """The texts of a result's completions, in order."""
    return [c.text for c in result.completions]


SCHEMA = {
    "type": "object",
    "properties": {"city": {"type": "string", "maxLength": 12}, "days": {"type": "integer"}},
    "required": ["city", "days"],
    "additionalProperties": False,
}
ASK = ({"role": "user", "content": "Weather in Paris for the next 3 days, as JSON."},)


def _json_request(i: int, seed: int) -> Request:
    return Request(
        request_id=f"r{i}",
        messages=ASK,
        sampling=Sampling(temperature=1.0, max_tokens=40, seed=seed),
        response_format=ResponseFormat.from_json_schema(SCHEMA),
    )


def test_json_schema_constrains_every_sample(embedded_engine) -> None:
    results = embedded_engine.generate([_json_request(i, seed=i) for i in range(4)])
    assert [r.request_id for r in results] == ["r0", "r1", "r2", "r3"]
    for result in results:
        (completion,) = result.completions
        assert result.error is None and result.prompt_tokens > 10
        assert completion.completion_tokens > 0
        if completion.finish_reason == "stop":
            jsonschema.validate(json.loads(completion.text), SCHEMA)
        else:  # cut by max_tokens: a prefix of valid JSON
            assert completion.finish_reason == "length" and completion.text.startswith("{")


def test_texts_depend_on_seed_not_on_batch_order_or_history(embedded_engine) -> None:
    requests = [_json_request(i, seed=100 + i) for i in range(4)]
    forward = {r.request_id: texts(r) for r in embedded_engine.generate(requests)}
    embedded_engine.generate([_json_request(9, seed=7)])  # something else runs in between
    backward = {r.request_id: texts(r) for r in embedded_engine.generate(list(reversed(requests)))}
    alone = texts(embedded_engine.generate([requests[2]])[0])
    assert forward == backward
    assert alone == forward["r2"]
    assert len({t[0] for t in forward.values()}) > 1, "different seeds should give different texts"


def test_n_samples_and_choice_format(embedded_engine) -> None:
    request = Request(
        request_id="c",
        prompt="Is the sky blue? Answer yes or no.\nAnswer:",
        sampling=Sampling(temperature=1.0, max_tokens=4, n=3, seed=5),
        response_format=ResponseFormat.from_choices([" yes", " no"]),
    )
    (result,) = embedded_engine.generate([request])
    assert len(result.completions) == 3
    assert all(text in {" yes", " no"} for text in texts(result))


LONG_PROMPT = (
    "Facts about rivers. "
    + " ".join(f"River {i} flows into the sea number {i % 7}." for i in range(20))
    + "\nWhich river is the longest?\nAnswer:"
)


def _samples_request(seed: int) -> Request:
    return Request(
        request_id=f"s{seed}",
        prompt=LONG_PROMPT,
        sampling=Sampling(temperature=1.0, max_tokens=6, n=3, seed=seed),
    )


def test_a_request_evaluates_its_prompt_once_for_all_its_samples(
    embedded_engine, monkeypatch
) -> None:
    llama = embedded_engine._llama
    evaluated: list[int] = []
    real_eval = llama.eval

    def counting_eval(tokens):  # a spy on the real model: counts, then evaluates
        evaluated.append(len(tokens))
        return real_eval(tokens)

    monkeypatch.setattr(llama, "eval", counting_eval)
    (result,) = embedded_engine.generate([_samples_request(seed=11)])
    generated = sum(c.completion_tokens for c in result.completions)
    assert result.prompt_tokens > 150
    # the prompt once, its last token again for each later sample, then each sampled token
    assert sum(evaluated) <= result.prompt_tokens + 2 + generated
    assert max(evaluated) >= result.prompt_tokens - 1


def test_shared_prompt_samples_depend_on_seed_not_on_history(embedded_engine) -> None:
    first = texts(embedded_engine.generate([_samples_request(seed=21)])[0])
    embedded_engine.generate([_json_request(8, seed=3), _samples_request(seed=22)])
    again = texts(embedded_engine.generate([_samples_request(seed=21)])[0])
    assert len(first) == 3 and first == again


def test_a_prompt_longer_than_the_context_is_an_error_result_not_a_crash(embedded_engine) -> None:
    huge = Request(request_id="big", prompt="word " * 5000, sampling=Sampling(max_tokens=8))
    small = Request(request_id="ok", prompt="Hello", sampling=Sampling(max_tokens=2, seed=1))
    big_result, ok_result = embedded_engine.generate([huge, small])
    assert big_result.completions == () and "exceeds the context" in (big_result.error or "")
    assert big_result.error_kind == "context_length"
    assert ok_result.error is None and len(ok_result.completions) == 1


def test_regex_is_refused_with_a_clear_error(embedded_engine) -> None:
    request = Request(
        request_id="r", prompt="x", response_format=ResponseFormat.from_regex("[0-9]+")
    )
    with pytest.raises(EngineError, match="regex"):
        embedded_engine.generate([request])


def test_open_engine_reuses_the_loaded_model(embedded_engine) -> None:
    assert open_engine("embedded") is embedded_engine
    assert embedded_engine.name == "embedded"


def test_unknown_options_and_missing_model_files_are_clear_errors(tmp_path) -> None:
    with pytest.raises(EngineError, match="unknown options"):
        EmbeddedEngine.from_spec(parse_engine_spec("embedded?colour=red"))
    with pytest.raises(EngineError, match="does not exist"):
        EmbeddedEngine(model_path=tmp_path / "missing.gguf")


def test_transcript_rendering_for_a_base_model() -> None:
    text = render_transcript(
        [
            {"role": "system", "content": "Tools: f"},
            {"role": "user", "content": "call f"},
            {"role": "assistant", "content": "", "tool_calls": [{"function": {"name": "f"}}]},
            {"role": "tool", "content": "42"},
        ]
    )
    assert text.startswith("Tools: f\n\nUser: call f")
    assert '"name": "f"' in text and "Tool result: 42" in text
    assert text.endswith("Assistant:")


@pytest.mark.parametrize(
    ("spec", "kind", "target", "options"),
    [
        ("embedded", "embedded", "", {}),
        (
            "openai:http://127.0.0.1:8000/v1?model=m",
            "openai",
            "http://127.0.0.1:8000/v1",
            {"model": "m"},
        ),
        (
            "vllm:/models/x?tp=2&dtype=bfloat16",
            "vllm",
            "/models/x",
            {"tp": "2", "dtype": "bfloat16"},
        ),
    ],
)
def test_engine_specs_parse(spec: str, kind: str, target: str, options: dict) -> None:
    parsed = parse_engine_spec(spec)
    assert (parsed.kind, parsed.target, parsed.options) == (kind, target, options)


@pytest.mark.parametrize("spec", ["gpt4", "openai:x?model", ""])
def test_bad_specs_are_refused(spec: str) -> None:
    with pytest.raises(ValueError):
        parse_engine_spec(spec)
