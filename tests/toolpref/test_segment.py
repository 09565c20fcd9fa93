"""Segmentation: every assistant turn a task (or a counted drop), the row's faults rejected."""

from __future__ import annotations

import pytest

from datagen.generators.toolpref.formats import MalformedRow
from datagen.generators.toolpref.segment import as_json_schema, segment

WEATHER = {
    "name": "get_weather",
    "parameters": {
        "type": "object",
        "properties": {"city": {"type": "string"}, "days": {"type": "integer"}},
        "required": ["city"],
    },
}


def user(text: str = "Weather in Oslo?") -> dict:
    return {"role": "user", "content": text}


def call(**arguments: object) -> dict:
    function = {"name": "get_weather", "arguments": arguments}
    return {"role": "assistant", "content": "", "tool_calls": [{"function": function}]}


def result(text: str = '{"temperature": 4}') -> dict:
    return {"role": "tool", "content": text}


def answer(text: str = "It is 4 degrees.") -> dict:
    return {"role": "assistant", "content": text}


def cut(messages: list[dict], every_turn: bool = True):
    return segment(messages, [WEATHER], record_id="chats/1", every_turn=every_turn)


def test_every_assistant_turn_is_a_task_and_a_turn_without_a_call_has_no_ground_truth():
    tasks = cut([user(), call(city="Oslo"), result(), answer()]).tasks
    assert [(t["task_id"], t["category"], t["ground_truth"]) for t in tasks] == [
        ("chats/1-1", "simple", [{"get_weather": {"city": ["Oslo"]}}]),
        ("chats/1-2", "no_call", []),
    ]
    assert [m["role"] for m in tasks[1]["messages"]] == ["user", "assistant", "tool"]
    assert tasks[0]["source"] == "chats"


def test_without_every_turn_only_calling_turns_are_tasks_and_keep_their_ids():
    tasks = cut([user(), answer(), user("Oslo?"), call(city="Oslo")], every_turn=False).tasks
    assert [t["task_id"] for t in tasks] == ["chats/1-1"]


DROPS = [
    ([user(), call(city=7)], "schema_mismatch: get_weather: city: 7 is not of type 'string'"),
    ([user(), call(days=2)], "schema_mismatch: get_weather: arguments: 'city' is a required"),
    ([user(), call(city="Oslo", wind=True)], None),  # extra arguments: the schema allows them
    (
        [user(), call(city="Oslo"), result(), user("again"), call(city="Oslo")],
        "repeated_call: get_weather",
    ),
    ([user(), call(city="Oslo"), result('{"error": "no such city"}')], "failed_call"),
    ([user(), call(city="Oslo"), result("Error: timeout")], "failed_call"),
    ([{"role": "system", "content": "Be brief."}, answer("Hi."), user()], "no_user_message"),
    ([user(), answer("")], "empty_turn"),
]


@pytest.mark.parametrize(("messages", "reason"), DROPS)
def test_a_bad_turn_is_dropped_with_its_reason(messages, reason):
    out = cut(messages)
    drops = [d.reason for d in out.drops]
    if reason is None:
        assert drops == [] and len(out.tasks) == 1
    else:
        assert len(drops) == 1 and drops[0].startswith(reason), drops


def test_a_dropped_turn_keeps_the_other_tasks_of_its_row():
    out = cut([user(), call(city=7), result(), user("Bergen?"), call(city="Bergen")])
    assert [t["task_id"] for t in out.tasks] == ["chats/1-2"]
    assert [d.record_id for d in out.drops] == ["chats/1-1"]


REJECTS = [
    ([user(), result()], "role_order"),
    ([result(), user(), call(city="Oslo")], "role_order"),
    ([{"role": "system", "content": "x"}], "no_assistant_turn"),
    ([answer("Hi."), call(city="Oslo")], "no_user_message"),
    ([user(), {"role": "robot", "content": "beep"}], "invalid_message"),
]


@pytest.mark.parametrize(("messages", "reason"), REJECTS)
def test_a_bad_row_is_rejected_with_its_reason(messages, reason):
    with pytest.raises(MalformedRow) as raised:
        cut(messages)
    assert raised.value.reason == reason


def test_a_schema_that_is_not_json_schema_rejects_the_row():
    tool = {"name": "get_weather", "parameters": {"type": "object", "required": "city"}}
    with pytest.raises(MalformedRow, match="invalid_tool"):
        segment([user(), call(city="Oslo")], [tool], record_id="chats/1")


def test_bfcl_type_names_are_read_as_json_schema():
    bfcl = {
        "type": "dict",
        "properties": {
            "ratio": {"type": "float"},
            "pair": {"type": "tuple", "items": {"type": "integer"}},
            "anything": {"type": "any"},
        },
    }
    assert as_json_schema(bfcl) == {
        "type": "object",
        "properties": {
            "ratio": {"type": "number"},
            "pair": {"type": "array", "items": {"type": "integer"}},
            "anything": {},
        },
    }
