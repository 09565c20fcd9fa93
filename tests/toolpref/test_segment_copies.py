"""Tasks cut from one conversation never share a mutable object (the first reuses the row's)."""

from __future__ import annotations

import pytest

from datagen.generators.toolpref.formats import segment_conversation

TOOLS = [{"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}]


def _call(n: int) -> dict:
    return {"role": "assistant", "tool_calls": [{"function": {"name": "f", "arguments": {"n": n}}}]}


MESSAGES = [
    {"role": "user", "content": "first"},
    _call(1),
    {"role": "tool", "content": "1"},
    {"role": "user", "content": "again"},
    _call(2),
    _call(3),
]


@pytest.mark.parametrize(
    "spoil",
    [
        lambda task: task["messages"][0].update(content="changed"),
        lambda task: task["messages"].append({"role": "user", "content": "extra"}),
        lambda task: task["tools"][0].update(name="g"),
        lambda task: task["tools"][0]["parameters"].update(type="dict"),
        lambda task: task["ground_truth"][0]["f"]["n"].append(9),
    ],
)
def test_spoiling_one_task_leaves_the_others_alone(spoil) -> None:
    tasks = segment_conversation(MESSAGES, TOOLS, record_id="chats/1")
    fresh = segment_conversation(MESSAGES, TOOLS, record_id="chats/1")
    assert [len(t["messages"]) for t in tasks] == [1, 4, 5]
    for index in range(len(tasks)):
        copies = segment_conversation(MESSAGES, TOOLS, record_id="chats/1")
        spoil(copies[index])
        assert copies[index] != fresh[index], "the spoiling must change the task it hits"
        others = [t for i, t in enumerate(copies) if i != index]
        assert others == [t for i, t in enumerate(fresh) if i != index]
