"""Prompt building, the call schema (the embedded engine's grammar) and call parsing."""

from __future__ import annotations

import jsonschema
import pytest

from datagen.generators.toolpref.prompts import (
    NATIVE_PROMPTS,
    SYSTEM_PROMPTS,
    build_messages,
    calls_schema,
    order_tools,
    parse_calls,
    render_calls,
)

TOOLS = [
    {
        "name": "area",
        "parameters": {
            "type": "dict",
            "properties": {
                "base": {"type": "integer"},
                "unit": {"type": "string", "enum": ["cm", "m"]},
                "sides": {"type": "array", "items": {"type": "float"}},
                "meta": {"type": "dict", "properties": {"k": {"type": "boolean"}}},
                "anything": {"type": "any"},
            },
            "required": ["base"],
        },
    },
    {"name": "noop", "parameters": {"type": "object", "properties": {}}},
]


@pytest.mark.parametrize(
    ("instance", "valid"),
    [
        ([{"name": "area", "arguments": {"base": 3}}], True),
        (
            [
                {
                    "name": "area",
                    "arguments": {
                        "base": 3,
                        "unit": "m",
                        "sides": [1.5],
                        "meta": {"k": True},
                        "anything": [1],
                    },
                }
            ],
            True,
        ),
        ([{"name": "noop", "arguments": {}}, {"name": "area", "arguments": {"base": 1}}], True),
        ([{"name": "area", "arguments": {}}], False),  # required missing
        ([{"name": "area", "arguments": {"base": "3"}}], False),  # wrong type
        ([{"name": "area", "arguments": {"base": 3, "unit": "km"}}], False),  # not in enum
        ([{"name": "area", "arguments": {"base": 3, "color": "red"}}], False),  # unknown parameter
        ([{"name": "paint", "arguments": {}}], False),  # hallucinated function
        ([], False),
        ([{"name": "noop", "arguments": {}}] * 6, False),  # too many calls
    ],
)
def test_calls_schema_accepts_exactly_well_formed_calls(instance: list, valid: bool) -> None:
    assert jsonschema.Draft202012Validator(calls_schema(TOOLS)).is_valid(instance) is valid


@pytest.mark.parametrize(
    ("text", "calls", "error"),
    [
        ('[{"name": "f", "arguments": {}}]', [{"name": "f", "arguments": {}}], None),
        ('{"name": "f", "arguments": {"a": 1}}', [{"name": "f", "arguments": {"a": 1}}], None),
        ('{"calls": [{"name": "f", "arguments": {}}]}', [{"name": "f", "arguments": {}}], None),
        ("[1, 2]", [1, 2], None),  # shape problems inside the list are the verifier's to score
        ("", None, "not_json"),
        ('[{"name": "f", "argu', None, "not_json"),
        ('"just a string"', None, "wrong_shape"),
        ("42", None, "wrong_shape"),
    ],
)
def test_parse_calls(text: str, calls, error) -> None:
    parsed = parse_calls(text)
    assert parsed.calls == calls
    assert (parsed.error or "").startswith(error or "")
    assert (parsed.error is None) == (error is None)


def test_order_tools_is_seeded_and_keeps_every_tool() -> None:
    tools = [{"name": str(i)} for i in range(8)]
    assert order_tools(tools, order="given", seed=1) == tools
    shuffled = order_tools(tools, order="shuffled", seed=1)
    assert shuffled == order_tools(tools, order="shuffled", seed=1) != tools
    assert sorted(t["name"] for t in shuffled) == [t["name"] for t in tools]
    with pytest.raises(ValueError, match="unknown tool order"):
        order_tools(tools, order="sideways", seed=1)


def test_build_messages_merges_the_task_system_prompt_and_lists_tools() -> None:
    messages = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "hi"}]
    built = build_messages(messages=messages, tools=TOOLS, variant="direct")
    assert built[0]["role"] == "system" and built[0]["content"].startswith("Be brief.")
    assert '"area"' in built[0]["content"]
    assert built[1:] == ({"role": "user", "content": "hi"},)
    with pytest.raises(ValueError, match="unknown prompt variant"):
        build_messages(messages=messages, tools=TOOLS, variant="nope")


def test_native_prompts_leave_the_tools_to_the_request_for_every_variant() -> None:
    assert set(NATIVE_PROMPTS) == set(SYSTEM_PROMPTS)
    messages = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "hi"}]
    for variant in SYSTEM_PROMPTS:
        system = build_messages(messages=messages, tools=TOOLS, variant=variant, native=True)[0]
        assert system["content"].startswith("Be brief.") and '"area"' not in system["content"]
        assert "JSON" not in system["content"] and "no function fits" in system["content"]


def test_render_calls_is_canonical_and_keeps_raw_text_when_unparsed() -> None:
    assert render_calls([{"name": "f", "arguments": {"b": 1, "a": 2}}], "raw") == render_calls(
        [{"arguments": {"a": 2, "b": 1}, "name": "f"}], "other raw"
    )
    assert render_calls(None, "not json") == "not json"


def test_calls_schema_caps_the_number_of_calls() -> None:
    validator = jsonschema.Draft202012Validator(calls_schema(TOOLS, max_calls=2))
    call = {"name": "noop", "arguments": {}}
    assert validator.is_valid([call, call])
    assert not validator.is_valid([call, call, call])


def test_calls_schema_lets_a_no_call_task_answer_with_no_call() -> None:
    assert not jsonschema.Draft202012Validator(calls_schema(TOOLS)).is_valid([])
    assert jsonschema.Draft202012Validator(calls_schema(TOOLS, min_calls=0)).is_valid([])
