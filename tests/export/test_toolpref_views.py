"""ToolPref rows → critique and preference view rows, and the view registry."""

from __future__ import annotations

import json

import pytest

from datagen.generators.toolpref.views import (
    ABILITY,
    DATA_SOURCE,
    critique_view,
    plain_message,
    preference_view,
)
from datagen.generators.views import UnknownViewError, view_function
from datagen.verifiers.rewards import REWARDS
from tests.export.handmade import critique_records


@pytest.fixture(scope="module")
def rows() -> list[dict]:
    return critique_records()


def test_critique_view_keeps_every_row_with_its_label_as_text(rows: list[dict]) -> None:
    view = critique_view(rows)
    assert [v["id"] for v in view] == [r["row_id"] for r in rows]
    for row, item in zip(rows, view, strict=True):
        assert item["group_id"] == row["task_id"]
        assert item["prompt"] == row["prompt"]
        assert item["ground_truth"] == str(row["label"]) and item["ground_truth"] in ("1", "2")
        assert (item["data_source"], item["ability"]) == (DATA_SOURCE, ABILITY)
        assert item["extra_info"]["pair_id"] == row["pair_id"]
        assert item["extra_info"]["score_1"] == row["score_1"]


def test_the_critique_data_source_has_a_reward() -> None:
    assert DATA_SOURCE in REWARDS


def test_preference_view_has_one_row_per_pair_better_reply_first(rows: list[dict]) -> None:
    view = preference_view(rows)
    assert sorted(v["id"] for v in view) == sorted({r["pair_id"] for r in rows})
    by_pair = {r["pair_id"]: r for r in rows if r["label"] == 1}
    for item in view:
        row = by_pair[item["id"]]
        assert item["chosen"] == [{"role": "assistant", "content": row["response_1"]}]
        assert item["rejected"] == [{"role": "assistant", "content": row["response_2"]}]
        assert (
            item["margin"] == pytest.approx(row["score_1"] - row["score_2"]) and item["margin"] > 0
        )
        assert item["group_id"] == row["task_id"]


def test_preference_prompt_lists_the_functions_in_a_system_message(rows: list[dict]) -> None:
    item = next(v for v in preference_view(rows) if v["group_id"] == "area-system")
    system, *chat = item["prompt"]
    assert system["role"] == "system"
    assert "Answer in metric units." in system["content"]  # the task's own system prompt kept
    assert '"name": "triangle_area"' in system["content"]
    assert '"name": "get_weather"' in system["content"]
    assert chat == [{"role": "user", "content": "Area with base 10 and height 5?"}]


def test_a_pair_seen_only_in_its_second_order_is_swapped_back(rows: list[dict]) -> None:
    only_second = [r for r in rows if r["label"] == 2]
    assert {v["id"]: v for v in preference_view(only_second)} == {
        v["id"]: v for v in preference_view(rows)
    }


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ({"role": "user", "content": "hi"}, {"role": "user", "content": "hi"}),
        ({"role": "tool", "content": None, "tool_call_id": "a"}, {"role": "tool", "content": ""}),
        (
            {"role": "assistant", "content": "",
             "tool_calls": [{"function": {"name": "f", "arguments": '{"b": 2, "a": 1}'}}]},
            {"role": "assistant", "content": '[{"arguments": {"a": 1, "b": 2}, "name": "f"}]'},
        ),
        (
            {"role": "assistant", "content": "Let me check.",
             "tool_calls": [{"function": {"name": "f", "arguments": {"x": [1]}}},
                            {"function": {"name": "g", "arguments": "{broken"}}]},
            {"role": "assistant", "content": "Let me check.\n" + json.dumps(
                [{"arguments": {"x": [1]}, "name": "f"}, {"arguments": "{broken", "name": "g"}],
                sort_keys=True)},
        ),
        ({"role": "assistant", "tool_calls": [{}]},
         {"role": "assistant", "content": '[{"arguments": null, "name": null}]'}),
    ],
)  # fmt: skip
def test_plain_message_writes_calls_like_the_responses(message: dict, expected: dict) -> None:
    assert plain_message(message) == expected


@pytest.mark.parametrize(
    ("dataset", "view", "message"),
    [
        ("omni-detective", "rl", "dataset 'omni-detective' has no 'rl' view; its views: sft"),
        ("no-such-dataset", "sft", "dataset 'no-such-dataset' has no trainer views"),
        ("a2search-trajectories", "rl", "no 'rl' view; its views: sft"),
        ("tear", "preference", "dataset 'tear' has no 'preference' view; its views: rl, sft"),
        ("toolpref-pairwise", "pretrain", "no 'pretrain' view; its views: preference, rl, sft"),
    ],
)
def test_view_registry_names_what_exists(dataset: str, view: str, message: str) -> None:
    assert view_function("toolpref-pairwise", "rl") is critique_view
    with pytest.raises(UnknownViewError, match=message):
        view_function(dataset, view)
