"""Request bodies and response parsing of the openai engine (pure functions, no server)."""

from __future__ import annotations

import pytest

from datagen.generators.engines import EngineError, Request, ResponseFormat, Sampling, ToolCall
from datagen.generators.engines.openai_wire import (
    MalformedResponse,
    build_call,
    constraint_fields,
    gbnf_for,
    gbnf_literal,
    parse_response,
    parse_tool_calls,
    split_tokens,
)

SCHEMA = {"type": "object", "properties": {"a": {"type": "integer"}}, "required": ["a"]}
NAMED_SCHEMA = {"name": "response", "schema": SCHEMA, "strict": True}
SAMPLING = Sampling(temperature=0.7, top_p=0.9, max_tokens=12, n=2, seed=5, stop=("\n", "END"))


@pytest.mark.parametrize("dialect", ["vllm", "llamacpp"])
def test_prompt_request_maps_to_completions(dialect):
    path, body = build_call(
        Request(request_id="r", prompt="Q:", sampling=SAMPLING), model="m", dialect=dialect
    )
    assert path == "/completions"
    assert body == {
        "model": "m", "prompt": "Q:", "temperature": 0.7, "top_p": 0.9, "max_tokens": 12,
        "n": 2, "seed": 5, "stop": ["\n", "END"],
    }  # fmt: skip


def test_messages_and_tools_map_to_chat_completions():
    messages = ({"role": "system", "content": "be brief"}, {"role": "user", "content": "hi"})
    tools = ({"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}},)
    request = Request(request_id="r", messages=messages, tools=tools)
    path, body = build_call(request, model="m", dialect="vllm")
    assert path == "/chat/completions"
    assert body["messages"] == list(messages) and body["tools"] == list(tools)
    assert "stop" not in body and "prompt" not in body


@pytest.mark.parametrize(
    ("fmt", "dialect", "expected"),
    [
        (ResponseFormat.from_json_schema(SCHEMA), "vllm",
         {"response_format": {"type": "json_schema", "json_schema": NAMED_SCHEMA}}),
        (ResponseFormat.from_choices(["yes", "no"]), "vllm",
         {"structured_outputs": {"choice": ["yes", "no"]}}),
        (ResponseFormat.from_regex(r"\d+"), "vllm", {"structured_outputs": {"regex": r"\d+"}}),
        (ResponseFormat.from_choices(["yes", 'say "no"']), "llamacpp",
         {"grammar": 'root ::= "yes" | "say \\"no\\""'}),
    ],
)  # fmt: skip
def test_constraints_per_dialect(fmt, dialect, expected):
    assert constraint_fields(fmt, dialect=dialect) == expected


@pytest.mark.parametrize(
    ("fmt", "must_contain"),
    [
        (ResponseFormat.from_json_schema(SCHEMA), 'root ::= "{" space a-kv "}" space'),
        (ResponseFormat.from_regex(r"^[ab]{2}$"), "root ::= "),
        (ResponseFormat.from_regex(r"x|y"), '"x" | "y"'),
    ],
)
def test_llamacpp_grammars_come_from_llama_cpp_converter(fmt, must_contain):
    grammar = gbnf_for(fmt)
    assert must_contain in grammar
    assert '"\\""' not in grammar  # a regex is the whole text, not a quoted JSON string


@pytest.mark.parametrize(
    ("request_", "dialect", "message"),
    [
        (Request(request_id="t", prompt="p", tools=({"type": "function"},)), "vllm", "tools need"),
        (Request(request_id="x", prompt="p", response_format=ResponseFormat.from_regex("a(")),
         "llamacpp", "invalid regex"),
        (Request(request_id="y", prompt="p", response_format=ResponseFormat.from_regex("(?=a)b")),
         "llamacpp", "no GBNF form"),
        (Request(request_id="z", prompt="p"), "sglang", "unknown dialect"),
    ],
)  # fmt: skip
def test_unservable_requests_fail_before_sending(request_, dialect, message):
    with pytest.raises(EngineError, match=message):
        build_call(request_, model="m", dialect=dialect)


@pytest.mark.parametrize(
    ("text", "literal"),
    [
        ("plain", '"plain"'),
        ('a"b', '"a\\"b"'),
        ("back\\slash", '"back\\\\slash"'),
        ("two\nlines\ttab\r", '"two\\nlines\\ttab\\r"'),
        ("bell\x07del\x7f", '"bell\\x07del\\x7F"'),
        ("naïve ☃", '"naïve ☃"'),
        ("", '""'),
    ],
)
def test_gbnf_literal_escapes(text, literal):
    assert gbnf_literal(text) == literal


@pytest.mark.parametrize(
    ("raw", "calls", "unparsed"),
    [
        ([{"function": {"name": "f", "arguments": '{"x": 1}'}}], [("f", {"x": 1})], 0),
        ([{"function": {"name": "f", "arguments": {"x": 1}}}], [("f", {"x": 1})], 0),
        ([{"function": {"name": "f", "arguments": ""}}], [("f", {})], 0),
        ([{"function": {"name": "f"}}], [("f", {})], 0),
        ([{"function": {"name": "f", "arguments": "{x: 1"}}], [], 1),
        ([{"function": {"name": "f", "arguments": "[1, 2]"}}], [], 1),
        ([{"function": {"name": "", "arguments": "{}"}}], [], 1),
        ([{"function": "f"}, "junk", None], [], 3),
        ([{"function": {"name": "ok", "arguments": "{}"}}, {"function": {"name": 3}}],
         [("ok", {})], 1),
        (None, [], 0),
        ("not a list", [], 0),
    ],
)  # fmt: skip
def test_tool_calls_parse_or_are_kept_raw(raw, calls, unparsed):
    parsed, leftovers = parse_tool_calls(raw)
    assert parsed == tuple(ToolCall(name=n, arguments=a) for n, a in calls)
    assert len(leftovers) == unparsed


@pytest.mark.parametrize(
    ("total", "texts", "counts"),
    [
        (8, ["abcd"], [8]),
        (9, ["aaaa", "aa"], [6, 3]),
        (10, ["aaa", "aaa", "aaa"], [4, 3, 3]),
        (5, ["", ""], [3, 2]),
        (0, ["abc", "d"], [0, 0]),
        (7, [], []),
    ],
)
def test_split_tokens_is_proportional_and_sums_to_total(total, texts, counts):
    assert split_tokens(total, texts) == counts


def test_parse_response_orders_choices_and_fills_counts():
    payload = {
        "model": "served",
        "choices": [
            {"index": 1, "text": "bb", "finish_reason": "length"},
            {"index": 0, "text": "aaaa", "finish_reason": None},
        ],
        "usage": {"prompt_tokens": 7, "completion_tokens": 6},
    }
    completions, prompt_tokens, model = parse_response(payload, chat=False)
    assert [(c.text, c.finish_reason, c.completion_tokens) for c in completions] == [
        ("aaaa", "unknown", 4),
        ("bb", "length", 2),
    ]
    assert (prompt_tokens, model) == (7, "served")


def test_parse_chat_response_keeps_unparsed_calls_in_the_text():
    bad_call = {"function": {"name": "f", "arguments": "{nope"}}
    message = {"content": "Calling.", "tool_calls": [bad_call]}
    payload = {"choices": [{"index": 0, "message": message}], "usage": "n/a", "model": 3}
    [completion], prompt_tokens, model = parse_response(payload, chat=True)
    assert completion.text == 'Calling.\n{"function": {"name": "f", "arguments": "{nope"}}'
    assert (completion.tool_calls, prompt_tokens, model) == ((), 0, None)


@pytest.mark.parametrize(
    ("payload", "chat"),
    [
        (None, False),
        ({"choices": {"0": {}}}, False),
        ({"choices": ["text"]}, False),
        ({"choices": [{"index": 0, "text": "x"}]}, True),
        ({"choices": [{"index": 0, "message": "x"}]}, True),
    ],
)
def test_malformed_responses_are_named(payload, chat):
    with pytest.raises(MalformedResponse):
        parse_response(payload, chat=chat)
