"""IFEvalCode's reward as verl and TRL call it: correct × instruction from real sandbox runs."""

from __future__ import annotations

import json
from typing import Any

import pytest

from datagen.verifiers import code_reward, rewards
from tests.export.test_rewards import RIGHT, load_like_verl
from tests.sandbox.helpers import NEEDS_ROOT

pytestmark = NEEDS_ROOT

TRUTH = {
    "programming_language": "python",
    "check_correctness": "def check_correctness():\n    assert add(2, 3) == 5",
    "check_instruction": (
        "def check_instruction(response):\n"
        "    assert '```python' in response, 'answer in a python block'\n"
    ),
}
CORRECT_AND_FENCED = "```python\ndef add(a, b):\n    return a + b\n```"
CORRECT_UNFENCED = "def add(a, b):\n    return a + b"
WRONG_AND_FENCED = "```python\ndef add(a, b):\n    return a * b\n```"


@pytest.mark.parametrize(
    ("response", "truth", "score", "correct", "instruction"),
    [
        pytest.param(CORRECT_AND_FENCED, json.dumps(TRUTH), 1.0, 1.0, 1.0, id="both"),
        pytest.param(CORRECT_AND_FENCED, TRUTH, 1.0, 1.0, 1.0, id="truth_as_dict"),
        pytest.param(CORRECT_UNFENCED, TRUTH, 0.0, 1.0, 0.0, id="correct_only"),
        pytest.param(WRONG_AND_FENCED, TRUTH, 0.0, 0.0, 1.0, id="instruction_only"),
    ],
)
def test_compute_score_as_verl_loads_it_returns_the_score_and_its_parts(
    response: str, truth: Any, score: float, correct: float, instruction: float
) -> None:
    compute_score = load_like_verl(rewards.__file__)
    result = compute_score("ifevalcode", response, truth, extra_info={"index": 0}, num_turns=1)
    assert result == {"score": score, "correct": correct, "instruction": instruction}


def test_combine_picks_one_part(monkeypatch: pytest.MonkeyPatch) -> None:
    """verl passes ``custom_reward_function.reward_kwargs`` as keyword arguments."""
    for combine, expected in (("correct", 1.0), ("instruction", 0.0), ("product", 0.0)):
        result = rewards.compute_score("ifevalcode", CORRECT_UNFENCED, TRUTH, combine=combine)
        assert result["score"] == expected, combine
    with pytest.raises(ValueError, match="combine must be one of"):
        rewards.compute_score("ifevalcode", CORRECT_UNFENCED, TRUTH, combine="max")


@pytest.mark.parametrize(
    ("completion", "truth", "reason"),
    [
        pytest.param(CORRECT_AND_FENCED, "{not json", "malformed_ground_truth", id="bad_json"),
        pytest.param(CORRECT_AND_FENCED, [1, 2], "malformed_ground_truth", id="not_object"),
        pytest.param(
            CORRECT_AND_FENCED,
            {"programming_language": "python"},
            "malformed_ground_truth",
            id="missing_checks",
        ),
        pytest.param(None, TRUTH, "malformed", id="no_completion"),
        pytest.param(
            CORRECT_AND_FENCED,
            {**TRUTH, "programming_language": "cobol"},
            "unknown_language",
            id="unknown_language",
        ),
        pytest.param(WRONG_AND_FENCED, TRUTH, "incorrect", id="wrong"),
        pytest.param(CORRECT_UNFENCED, TRUTH, "instruction_not_followed", id="unfenced"),
    ],
)
def test_bad_input_scores_zero_with_a_reason(completion: Any, truth: Any, reason: str) -> None:
    verdict = rewards.score("ifevalcode", completion, truth)
    assert (verdict.value, verdict.passed, verdict.code) == (0.0, False, reason)


def test_trl_reward_func_scores_a_mixed_batch_in_order_and_logs_the_parts() -> None:
    logged: dict[str, list] = {}
    scores = rewards.reward_func(
        prompts=["p"] * 5,
        completions=[
            [{"role": "assistant", "content": CORRECT_AND_FENCED}],
            RIGHT,
            CORRECT_UNFENCED,
            WRONG_AND_FENCED,
            CORRECT_AND_FENCED,
        ],
        data_source=["ifevalcode", "toolpref-pairwise", "ifevalcode", "ifevalcode", "ifevalcode"],
        ground_truth=[TRUTH, "1", json.dumps(TRUTH), TRUTH, TRUTH],
        log_extra=lambda column, values: logged.setdefault(column, values),
    )
    assert scores == [1.0, 1.0, 0.0, 0.0, 1.0]
    reasons = ["ok", "correct", "instruction_not_followed", "incorrect", "ok"]
    assert logged["reward_reason"] == reasons  # toolpref's critique says "correct"
    assert logged["correct"] == [1.0, None, 1.0, 0.0, 1.0]
    assert logged["instruction"] == [1.0, None, 0.0, 1.0, 1.0]


def test_one_warm_sandbox_serves_every_call() -> None:
    """verl calls ``compute_score`` once per response: a sandbox per call would cost more than
    the check, so every call goes through the one this process started first."""
    first = code_reward.warm_sandbox()
    zygote = first._process.pid
    assert rewards.compute_score("ifevalcode", CORRECT_AND_FENCED, TRUTH)["score"] == 1.0
    assert code_reward.warm_sandbox() is first and first._process.pid == zygote
    assert first._process.poll() is None, "the warm sandbox is still running"
