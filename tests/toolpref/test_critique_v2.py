"""Critique rows v2: ToolRM's one-message prompt, think/no-think, swapped orders, templates."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from datagen.generators.toolpref.critique_prompt import (
    TemplateError,
    render_conversation,
    render_response,
)
from datagen.generators.toolpref.critique_rows import (
    CRITIQUE_SCHEMA,
    CritiqueConfig,
    CritiquePartWriter,
    critique_rows,
    shard_critique_rows,
    swap_labels,
)
from datagen.schemas import first_error, records_to_table
from datagen.verifiers.critique import critique_reward

AREA = {"name": "area", "description": "Area of a triangle.", "parameters": {"type": "dict"}}
TASK = {
    "task_id": "t1",
    "source": "bfcl",
    "category": "simple",
    "messages": [{"role": "user", "content": "area of base 10 height 5"}],
    "tools": [AREA],
    "ground_truth": [{"area": {"base": [10], "height": [5]}}],
}
GOOD = '[{"name": "area", "arguments": {"base": 10, "height": 5}}]'
BAD = "I cannot compute areas."
CALL = '<tool_call>\n{"name": "area", "arguments": {"base": 10, "height": 5}}\n</tool_call>'


def pair(index: int = 0, task_id: str = "t1") -> dict:
    return {
        "pair_id": f"{task_id}|c{index}>r{index}", "task_id": task_id, "source": "bfcl",
        "category": "simple", "chosen_id": f"c{index}", "rejected_id": f"r{index}",
        "chosen_text": GOOD, "rejected_text": BAD, "chosen_score": 1.0, "rejected_score": 0.0,
        "chosen_reason": "ok", "rejected_reason": "not_json", "margin": 1.0,
        "complexity": 3, "intensity": "0.9-1.0",
    }  # fmt: skip


def user_text(row: dict) -> str:
    (message,) = row["prompt"]
    assert message["role"] == "user"
    return message["content"]


def test_rows_are_one_user_message_in_toolrms_shape() -> None:
    rows = critique_rows(pair(), TASK)
    assert [r["label"] for r in rows] == [1, 2]
    call = CALL
    first, second = (user_text(r) for r in rows)
    assert first.index(call) < first.index(BAD) and second.index(BAD) < second.index(call)
    assert "[user]\narea of base 10 height 5" in first
    assert '<tools>\n{"type": "function", "function": {"name": "area"' in first
    assert first.endswith("<evaluation>...</evaluation>\n<choice>\n1 or 2\n</choice>")
    for row in rows:
        assert first_error(CRITIQUE_SCHEMA, row) is None
        assert (row["mode"], row["parser"]) == ("think", "strict")
        assert json.loads(row["ground_truth"]) == TASK["ground_truth"]
        assert json.loads(row["tools"]) == TASK["tools"]
        assert (row["complexity"], row["intensity"]) == (3, "0.9-1.0")
        assert critique_reward(row["answer"], row["label"], parser="strict").value == 1.0
        assert critique_reward(row["answer"], 3 - row["label"], parser="strict").value == 0.0
    assert rows[0]["response_1"] == rows[1]["response_2"] == GOOD  # kept as the engine wrote it


def test_no_think_adds_the_switch_and_keeps_the_answer() -> None:
    think = critique_rows(pair(), TASK, config=CritiqueConfig(mode="think"))
    no_think = critique_rows(pair(), TASK, config=CritiqueConfig(mode="no_think"))
    assert all(user_text(r).endswith(" /no_think") for r in no_think)
    assert not any("/no_think" in user_text(r) for r in think)
    assert "without reasoning" in user_text(no_think[0])
    assert [r["answer"] for r in think] == [r["answer"] for r in no_think]
    assert {r["mode"] for r in no_think} == {"no_think"}
    assert all(first_error(CRITIQUE_SCHEMA, r) is None for r in no_think)


def test_mixed_mode_draws_each_pair_by_seed_and_keeps_both_orders_alike() -> None:
    pairs = [pair(i) for i in range(200)]
    rows = shard_critique_rows(pairs, {"t1": TASK}, config=CritiqueConfig(mode="mixed", seed=1))
    by_pair: dict[str, set[str]] = {}
    for row in rows:
        by_pair.setdefault(row["pair_id"], set()).add(row["mode"])
        assert user_text(row).endswith("/no_think") is (row["mode"] == "no_think")
    assert all(len(modes) == 1 for modes in by_pair.values())
    counts = Counter(modes.pop() for modes in by_pair.values())
    assert 60 < counts["think"] < 140 and counts["think"] + counts["no_think"] == 200
    again = shard_critique_rows(pairs, {"t1": TASK}, config=CritiqueConfig(mode="mixed", seed=1))
    assert again == rows
    other = shard_critique_rows(pairs, {"t1": TASK}, config=CritiqueConfig(mode="mixed", seed=2))
    assert [r["mode"] for r in other] != [r["mode"] for r in rows]


@pytest.mark.parametrize("size", [0, 1, 2, 3, 7, 50, 51])
def test_swap_labels_give_each_pair_one_label_balanced_within_one(size: int) -> None:
    ids = [f"p{i}" for i in range(size)]
    for seed in range(5):
        labels = swap_labels(ids, seed=seed)
        assert sorted(labels) == sorted(ids)
        counts = Counter(labels.values())
        assert set(counts) <= {1, 2} and abs(counts[1] - counts[2]) <= 1


def test_swap_positions_depend_on_the_seed_and_odd_counts_favour_neither_label() -> None:
    ids = [f"p{i}" for i in range(20)]
    assert swap_labels(ids, seed=0) != swap_labels(ids, seed=1)
    single = Counter(swap_labels(["p"], seed=seed)["p"] for seed in range(200))
    assert 60 < single[1] < 140


def test_a_template_file_replaces_the_prompt(tmp_path: Path) -> None:
    template = tmp_path / "critic.txt"
    template.write_text(
        'Judge. Format calls as {"name": ...}.\n{conversation}\n--\n{tools}\n'
        "A: {response_1}\nB: {response_2}\n",
        encoding="utf-8",
    )
    config = CritiqueConfig(prompt_template=str(template), mode="no_think")
    sneaky = pair() | {"rejected_text": "mention {tools} and {response_1}"}
    row = critique_rows(sneaky, TASK, config=config)[0]
    text = user_text(row)
    assert text.startswith('Judge. Format calls as {"name": ...}.\n[user]\narea of base 10')
    assert "B: mention {tools} and {response_1}\n /no_think" in text  # filled once, not again
    assert first_error(CRITIQUE_SCHEMA, row) is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "{conversation} {tools} {response_1} {response_2} {responses}",
            r"unknown .*\{responses\}",
        ),
        ("{conversation} {tools} {response_1}", r"lacks \{response_2\}"),
        ("{tools} {response_1} {response_2}", r"lacks \{conversation\}"),
    ],
)
def test_a_bad_template_fails_when_the_config_is_made(
    tmp_path: Path, text: str, message: str
) -> None:
    template = tmp_path / "bad.txt"
    template.write_text(text, encoding="utf-8")
    with pytest.raises(TemplateError, match=message):
        CritiqueConfig(prompt_template=str(template))


def test_a_missing_template_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(TemplateError, match=r"cannot read prompt template .*nope\.txt"):
        CritiqueConfig(prompt_template=str(tmp_path / "nope.txt"))


@pytest.mark.parametrize(
    ("field", "value"), [("orders", "three"), ("mode", "thinking"), ("parser", "loose")]
)
def test_unknown_settings_are_refused(field: str, value: str) -> None:
    with pytest.raises(ValueError, match=f"critique {field} must be one of"):
        CritiqueConfig(**{field: value})


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        (GOOD, CALL),
        ('{"name": "f", "arguments": {}}',
         '<tool_call>\n{"name": "f", "arguments": {}}\n</tool_call>'),
        ('[{"name": "f", "arguments": {}}, {"name": "g", "arguments": {"x": 1}}]',
         '<tool_call>\n{"name": "f", "arguments": {}}\n</tool_call>\n'
         '<tool_call>\n{"name": "g", "arguments": {"x": 1}}\n</tool_call>'),
        ("[]", "(The response calls no function.)"),
        ("The weather is fine.", "The weather is fine."),
        ("[1, 2]", "[1, 2]"),
        ('{"calls": "oops"}', '{"calls": "oops"}'),
    ],
)  # fmt: skip
def test_responses_render_as_hermes_tool_calls(text: str, shown: str) -> None:
    assert render_response(text) == shown


def test_earlier_calls_in_the_conversation_render_as_tool_calls() -> None:
    messages = [
        {"role": "user", "content": "Weather in Oslo?"},
        {"role": "assistant", "content": "Checking.", "tool_calls": [
            {"id": "a", "type": "function",
             "function": {"name": "weather", "arguments": '{"city": "Oslo"}'}}]},
        {"role": "tool", "content": "-3 C", "tool_call_id": "a"},
    ]  # fmt: skip
    assert render_conversation(messages) == (
        "[user]\nWeather in Oslo?\n\n"
        '[assistant]\nChecking.\n<tool_call>\n{"name": "weather", "arguments": {"city": "Oslo"}}'
        "\n</tool_call>\n\n[tool]\n-3 C"
    )


def test_v2_rows_stream_through_the_part_writer(tmp_path: Path) -> None:
    pairs = [pair(i) for i in range(5)]
    config = CritiqueConfig(orders="swap", mode="mixed", seed=3)
    rows = shard_critique_rows(pairs, {"t1": TASK}, config=config)
    writer = CritiquePartWriter(tmp_path, pairs_per_part=2)
    writer.add(
        records_to_table(CRITIQUE_SCHEMA, rows), {p["pair_id"]: i for i, p in enumerate(pairs)}
    )
    stored, labels = writer.finish()
    assert list(stored) == rows and stored[1:3] == rows[1:3]
    assert labels == {
        "1": Counter(r["label"] for r in rows)[1],
        "2": Counter(r["label"] for r in rows)[2],
    }


def test_the_recipe_spells_out_the_critique_choices_and_refuses_a_bad_template(
    tmp_path: Path,
) -> None:
    from datagen.generators.toolpref import critique_rows as rows
    from datagen.generators.toolpref import recipe

    assert (recipe.ORDERS, recipe.MODES, recipe.PARSERS) == (rows.ORDERS, rows.MODES, rows.PARSERS)
    bad = tmp_path / "bad.txt"
    bad.write_text("{conversation} {tools} {response_1} {response_2} {rubric}")
    with pytest.raises(ValueError, match=r"unknown placeholders \{rubric\}"):
        recipe.ToolPrefConfig(prompt_template=str(bad))
    with pytest.raises(ValueError, match="choice_parser must be strict or lenient"):
        recipe.ToolPrefConfig(choice_parser="loose")
