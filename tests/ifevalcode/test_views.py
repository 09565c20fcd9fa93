"""IFEvalCode's trainer views: the rl prompt in each question language, a ground truth the
reward reads, and the reference as the sft answer."""

from __future__ import annotations

import json

import pytest

from datagen.generators.ifevalcode.views import question, rl_view, sft_view
from datagen.verifiers import rewards
from tests.sandbox.helpers import NEEDS_ROOT

ROW = {
    "id": "seed-python-001-backward",
    "programming_language": "python",
    "english_question": "Write add(a, b). Do not use for loops.",
    "chinese_question": "编写 add(a, b)。不要使用 for 循环。",
    "check_correctness": "def check_correctness():\n    assert add(2, 3) == 5",
    "check_instruction": (
        "import re\ndef check_instruction(response):\n"
        "    assert not re.search(r'\\bfor\\b', response), 'Do not use for loops.'\n"
    ),
    "constraints": [
        {
            "category": "constructs",
            "kind": "no_for_loop",
            "text": "Do not use for loops.",
            "parameters": {},
        }
    ],
    "direction": "backward",
    "reference_response": "```python\ndef add(a, b):\n    return a + b\n```",
    "seed_id": "seed-python-001",
    "source": "datagen seeds",
    "license": "Apache-2.0",
}


def test_the_question_in_each_language() -> None:
    assert question(ROW) == ROW["english_question"]
    assert question(ROW, "zh") == ROW["chinese_question"]
    assert question(ROW, "both") == f"{ROW['english_question']}\n\n{ROW['chinese_question']}"
    untranslated = {**ROW, "chinese_question": ""}
    assert question(untranslated, "zh") == question(untranslated, "both") == ROW["english_question"]
    with pytest.raises(ValueError, match="question language"):
        question(ROW, "fr")


def test_rl_and_sft_rows() -> None:
    (rl,) = rl_view([ROW], question_language="zh")
    assert rl["data_source"] == "ifevalcode" and rl["group_id"] == "seed-python-001"
    assert rl["prompt"] == [{"role": "user", "content": ROW["chinese_question"]}]
    truth = json.loads(rl["ground_truth"])
    assert truth == {
        k: ROW[k] for k in ("programming_language", "check_correctness", "check_instruction")
    }
    assert rl["extra_info"]["constraints"] == ["no_for_loop"]
    (sft,) = sft_view([ROW])
    assert sft["messages"][-1] == {"role": "assistant", "content": ROW["reference_response"]}


@NEEDS_ROOT
def test_the_reward_pays_the_reference_and_not_a_loop() -> None:
    (rl,) = rl_view([ROW])
    truth = rl["ground_truth"]
    assert rewards.compute_score("ifevalcode", ROW["reference_response"], truth)["score"] == 1.0
    looped = "```python\ndef add(a, b):\n    for _ in range(1):\n        return a + b\n```"
    assert rewards.compute_score("ifevalcode", looped, truth) == {
        "score": 0.0,
        "correct": 1.0,
        "instruction": 0.0,
    }
