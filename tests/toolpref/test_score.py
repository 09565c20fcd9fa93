"""Scoring candidates: malformed, huge and native-call outputs are scored, never a crash."""

from __future__ import annotations

import json

import pytest

from datagen.generators.toolpref.score import score_candidate
from datagen.schemas import first_error

TASK = {
    "task_id": "t",
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
    scored = score_candidate(candidate(text), TASK)
    assert scored["valid"] is valid
    assert (scored["score"] == 1.0) is valid and 0.0 <= scored["score"] <= 1.0
    assert scored["error_type"].startswith(error_prefix)
    assert scored["reason"]
    assert first_error("toolpref/candidate.v1", scored) is None
    assert "native_calls" not in scored


def test_partial_credit_orders_mistakes() -> None:
    one_wrong = score_candidate(
        candidate('[{"name": "area", "arguments": {"base": 10, "height": 6}}]'), TASK
    )
    both_wrong = score_candidate(
        candidate('[{"name": "area", "arguments": {"base": 1, "height": 6}}]'), TASK
    )
    wrong_name = score_candidate(candidate('[{"name": "paint", "arguments": {}}]'), TASK)
    assert 1.0 > one_wrong["score"] > both_wrong["score"] > wrong_name["score"]


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
def test_a_task_without_ground_truth_calls_is_valid_when_nothing_is_called(
    text, native_calls, valid
):
    scored = score_candidate(candidate(text, native_calls), NO_CALL_TASK)
    assert (scored["valid"], scored["score"]) == (valid, 1.0 if valid else 0.0)
    assert scored["error_type"] == ("ok" if valid else "no_call:unexpected_call")
    assert first_error("toolpref/candidate.v1", scored) is None


def test_no_call_tasks_have_their_own_complexity_and_schema_rule():
    from datagen.generators.toolpref.pairs import complexity_bucket

    assert complexity_bucket([]) == "no_call"
    task = NO_CALL_TASK | {"source": "chats", "messages": [{"role": "user", "content": "hi"}]}
    assert first_error("toolpref/task.v1", task) is None
    assert first_error("toolpref/task.v1", task | {"category": "simple"}) is not None
