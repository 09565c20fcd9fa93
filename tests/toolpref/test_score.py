"""Scoring candidates: malformed, huge and native-call outputs are scored, never a crash."""

from __future__ import annotations

import json

import pytest

from datagen.generators.toolpref.recipe import RULES as RECIPE_RULES
from datagen.generators.toolpref.score import RULES, concrete_calls, score_candidate
from datagen.schemas import first_error

TASK = {
    "task_id": "t",
    "source": "bfcl",
    "category": "simple",
    "tools": [
        {
            "name": "area",
            "parameters": {
                "type": "dict",
                "properties": {"base": {"type": "integer"}, "height": {"type": "integer"}},
                "required": ["base", "height"],
            },
        }
    ],
    "ground_truth": [{"area": {"base": [10], "height": [5]}}],
}


def candidate(text: str, native_calls=None) -> dict:
    return {
        "candidate_id": "t#0", "task_id": "t", "sample_index": 0, "engine": "embedded",
        "model": "m", "temperature": 0.7, "prompt_variant": "direct", "tool_order": "given",
        "seed": 1, "text": text, "native_calls": native_calls, "finish_reason": "stop",
        "completion_tokens": 3, "prompt_tokens": 9,
    }  # fmt: skip


@pytest.mark.parametrize(
    ("text", "valid", "error_prefix"),
    [
        ('[{"name": "area", "arguments": {"base": 10, "height": 5}}]', True, ""),
        ('[{"name": "area", "arguments": {"base": 10}}]', False, "simple_function_checker"),
        ('[{"name": "paint", "arguments": {}}]', False, "simple_function_checker:wrong_func_name"),
        ("not json", False, "malformed:not_json"),
        ('[{"name": "area", "argu', False, "malformed:not_json"),
        ("[1, 2, 3]", False, "malformed"),
        ('"a string"', False, "malformed:wrong_shape"),
        ("[" + "1," * 200_000 + "1]", False, "malformed"),  # huge output
        ('{"name": "area", "arguments": {"base": 10, "height": 5}}', True, ""),
    ],
)
def test_every_output_gets_a_verdict_and_a_schema_valid_record(
    text: str, valid: bool, error_prefix: str
) -> None:
    scored = score_candidate(candidate(text), TASK, rule="bfcl")
    assert scored["valid"] is valid
    assert (scored["score"] == 1.0) is valid and 0.0 <= scored["score"] <= 1.0
    assert scored["error_type"].startswith(error_prefix)
    assert scored["reason"]
    assert first_error("toolpref/candidate.v1", scored) is None
    assert "native_calls" not in scored


def test_bfcl_partial_credit_orders_mistakes() -> None:
    def bfcl(text: str) -> float:
        return score_candidate(candidate(text), TASK, rule="bfcl")["score"]

    one_wrong = bfcl('[{"name": "area", "arguments": {"base": 10, "height": 6}}]')
    both_wrong = bfcl('[{"name": "area", "arguments": {"base": 1, "height": 6}}]')
    wrong_name = bfcl('[{"name": "paint", "arguments": {}}]')
    assert 1.0 > one_wrong > both_wrong > wrong_name


@pytest.mark.parametrize(
    ("text", "score", "error_type"),
    [
        ('[{"name": "area", "arguments": {"base": 10, "height": 5}}]', 1.0, "ok"),
        ('[{"name": "area", "arguments": {"height": 5, "base": 10.0}}]', 1.0, "ok"),
        ('[{"name": "area", "arguments": {"base": 10, "height": 6}}]', 0.5, "wrong_arguments"),
        ('[{"name": "area", "arguments": {"base": 10}}]', 0.5, "wrong_arguments"),
        ('[{"name": "paint", "arguments": {}}]', 0.0, "wrong_function"),
        ("[]", 0.0, "call_count"),
        ("not json", 0.0, "malformed:not_json"),
        ('"a string"', 0.0, "malformed:wrong_shape"),
    ],
)
def test_the_toolrm_rule_is_the_default(text: str, score: float, error_type: str) -> None:
    scored = score_candidate(candidate(text), TASK)
    assert (scored["score"], scored["error_type"], scored["valid"]) == (
        score,
        error_type,
        score == 1.0,
    )
    assert first_error("toolpref/candidate.v1", scored) is None


def test_the_recipe_spells_the_rules_as_the_scorer_does() -> None:
    assert RECIPE_RULES == RULES
    with pytest.raises(ValueError, match="rule must be one of"):
        score_candidate(candidate("[]"), TASK, rule="ast")


@pytest.mark.parametrize(
    ("ground_truth", "nested", "calls"),
    [
        ([{"f": {"a": [1, 2], "b": ["x"]}}], False,
         [{"name": "f", "arguments": {"a": 1, "b": "x"}}]),
        ([{"f": {"a": [1], "unit": ["", "C"]}}], False, [{"name": "f", "arguments": {"a": 1}}]),
        ([{"f": {"unit": ["celsius", ""]}}], False, [{"name": "f", "arguments": {}}]),
        ([{"f": {}}, {"g": {"a": [True]}}], False,
         [{"name": "f", "arguments": {}}, {"name": "g", "arguments": {"a": True}}]),
        ([{"f": {"a": [[1, 2], [2, 1]]}}], False, [{"name": "f", "arguments": {"a": [1, 2]}}]),
        # a file source's dict value is concrete; BFCL's holds allowed-value lists of its own
        ([{"f": {"d": [{"k": ["v"]}]}}], False, [{"name": "f", "arguments": {"d": {"k": ["v"]}}}]),
        ([{"f": {"d": [{"k": ["v", "w"], "o": [""]}]}}], True,
         [{"name": "f", "arguments": {"d": {"k": "v"}}}]),
        ([{"f": {"ds": [[{"k": [1]}, {"k": [2, 3]}]]}}], True,
         [{"name": "f", "arguments": {"ds": [{"k": 1}, {"k": 2}]}}]),
        ([{"f": {"xs": [[1, 2]]}}], True, [{"name": "f", "arguments": {"xs": [1, 2]}}]),
    ],
)  # fmt: skip
def test_possible_answers_become_one_concrete_call_list(ground_truth, nested, calls) -> None:
    assert concrete_calls(ground_truth, nested=nested) == calls


@pytest.mark.parametrize("allowed", [[], "x", None])
def test_an_unreadable_possible_answer_raises(allowed) -> None:
    with pytest.raises(ValueError, match="allowed values"):
        concrete_calls([{"f": {"a": allowed}}])


def test_a_bfcl_task_is_scored_against_its_first_allowed_values() -> None:
    task = TASK | {
        "ground_truth": [{"area": {"base": [10, 10.0], "height": [5], "unit": ["", "m"]}}]
    }
    exact = score_candidate(
        candidate('[{"name": "area", "arguments": {"base": 10, "height": 5}}]'), task
    )
    with_unit = score_candidate(
        candidate('[{"name": "area", "arguments": {"base": 10, "height": 5, "unit": "m"}}]'), task
    )
    assert exact["valid"] and not with_unit["valid"]
    assert with_unit["score"] == pytest.approx(2 / 3)


def test_native_tool_calls_are_preferred_over_the_text() -> None:
    native = [{"name": "area", "arguments": {"base": 10, "height": 5}}]
    scored = score_candidate(candidate("I will call the tool.", native_calls=native), TASK)
    assert scored["valid"] and scored["calls"] == native
    assert json.loads(scored["response"]) == native


NO_CALL_TASK = TASK | {"category": "no_call", "ground_truth": []}


@pytest.mark.parametrize(
    ("text", "native_calls", "valid"),
    [
        ("It is 4 degrees in Oslo.", None, True),  # words, not a call list
        ("[]", None, True),
        ('[{"name": "area", "arguments": {"base": 1, "height": 2}}]', None, False),
        ("", [{"name": "area", "arguments": {"base": 1, "height": 2}}], False),
    ],
)
@pytest.mark.parametrize("rule", RULES)
def test_a_task_without_ground_truth_calls_is_valid_when_nothing_is_called(
    text, native_calls, valid, rule
):
    scored = score_candidate(candidate(text, native_calls), NO_CALL_TASK, rule=rule)
    assert (scored["valid"], scored["score"]) == (valid, 1.0 if valid else 0.0)
    assert scored["error_type"] == ("ok" if valid else "no_call_expected")
    assert first_error("toolpref/candidate.v1", scored) is None


def test_no_call_tasks_have_complexity_zero_and_their_own_schema_rule():
    from datagen.generators.toolpref.pairs import task_complexity

    assert task_complexity([]) == 0
    task = NO_CALL_TASK | {"source": "chats", "messages": [{"role": "user", "content": "hi"}]}
    assert first_error("toolpref/task.v1", task) is None
    assert first_error("toolpref/task.v1", task | {"category": "simple"}) is not None
