"""answer_match: the TeaR reward, on clean, noisy and malformed completions."""

from __future__ import annotations

import numpy as np
import pytest

from datagen.verifiers.answer_match import answer_match, final_answer
from datagen.verifiers.rewards import compute_score, reward_func, score

CASES = [
    # (completion, expected repr, value, reason code)
    ("7", "7", 1.0, "correct"),
    (" 7 \n", "7", 1.0, "correct"),
    ("Let me think.\nAnswer: 7", "7", 1.0, "correct"),
    ("answer: 8\nwait, no.\nAnswer: `7`", "7", 1.0, "correct"),
    ("Answer: 7.0", "7", 1.0, "correct"),
    ("Answer: 0.33333", "0.3333333333333333", 1.0, "correct"),
    ("Answer: 0.33", "0.3333333333333333", 0.0, "wrong_answer"),
    ("Answer: 1001.5", "1000", 0.0, "wrong_answer"),
    ("Answer: 1000.5", "1000", 1.0, "correct"),
    ("True", "True", 1.0, "correct"),
    ("1", "True", 0.0, "wrong_answer"),
    ("True", "1", 0.0, "wrong_answer"),
    ("'cba'", "'cba'", 1.0, "correct"),
    ('"cba"', "'cba'", 1.0, "correct"),
    ("cba", "'cba'", 0.0, "unparseable_answer"),
    ("'cba '", "'cba'", 0.0, "wrong_answer"),
    ("[1, 2.0001, 3]", "[1, 2, 3]", 1.0, "correct"),
    ("(1, 2, 3)", "[1, 2, 3]", 0.0, "wrong_answer"),
    ("[1, 2]", "[1, 2, 3]", 0.0, "wrong_answer"),
    ("{'a': 1.0}", "{'a': 1}", 1.0, "correct"),
    ("{'b': 1}", "{'a': 1}", 0.0, "wrong_answer"),
    ("{3, 1, 2}", "{1, 2, 3}", 1.0, "correct"),
    ("None", "None", 1.0, "correct"),
    ("nan", "nan", 1.0, "correct"),
    ("inf", "nan", 0.0, "wrong_answer"),
    ("-inf", "-inf", 1.0, "correct"),
    ("(1+2j)", "(1+2j)", 1.0, "correct"),
    ("<Foo object>", "<Foo object>", 1.0, "correct"),
    ("<Foo>", "<Foo object>", 0.0, "wrong_answer"),
    ("", "7", 0.0, "empty_answer"),
    ("   \n\n", "7", 0.0, "empty_answer"),
    ("Answer:", "7", 0.0, "empty_answer"),
    ("[1, 2", "[1, 2]", 0.0, "unparseable_answer"),
    ("__import__('os')", "0", 0.0, "unparseable_answer"),
    ("9" * 5000, "1", 0.0, "unparseable_answer"),  # past Python's int digit limit
    (str(10**30 + 1), str(10**30), 1.0, "correct"),  # relative tolerance on big ints too
    (None, "7", 0.0, "not_text"),
    (7, "7", 0.0, "not_text"),
]


@pytest.mark.parametrize(("completion", "expected", "value", "code"), CASES)
def test_answer_match(completion, expected: str, value: float, code: str) -> None:
    verdict = answer_match(completion, expected)
    assert (verdict.value, verdict.code) == (value, code)
    assert verdict.passed == (value == 1.0)


@pytest.mark.parametrize(
    ("completion", "answer"),
    [
        ("x\nAnswer: 3\nmore text", "3"),
        ("first\n\nlast  ", "last"),
        ("```\n[1]\n```", "[1]"),
        ("ANSWER : `'a'`", "'a'"),
    ],
)
def test_final_answer(completion: str, answer: str) -> None:
    assert final_answer(completion) == answer


def test_registered_for_trainers_under_tear() -> None:
    assert score("tear", "Answer: 5", "5").passed
    assert compute_score("tear", "Answer: 5", 5) == 1.0  # a loader typed the truth as int
    assert compute_score("tear", "Answer: 4", "5") == 0.0
    completions = ["6", [{"role": "assistant", "content": "Answer: 7"}]]
    rewards = reward_func(
        ["p", "p"], completions, data_source=["tear"] * 2, ground_truth=["6", "7"]
    )
    assert rewards == [1.0, 1.0]


@pytest.mark.parametrize(
    ("answer", "truth", "passed"),
    [
        ("Answer: [1, 2, 3]", np.array([1, 2, 3]), True),  # verl hands list columns over so
        ("Answer: [1, 2, 4]", np.array([1, 2, 3]), False),
        ("Answer: [1, 2, 3]", [1, 2, 3], True),
        ("Answer: (1, 2)", [1, 2], False),  # a tuple is not a list, as with text truths
        ("Answer: 0.5", np.float32(0.5), True),
        ("Answer: 7", np.int64(7), True),
        ("Answer: {'a': 1}", {"a": np.int64(1)}, True),
        ("Answer: 'ok'", b"'ok'", True),  # bytes are the repr's text
        ("Answer: [1, 2, 3]", "[1, 2, 3]", True),
    ],
)
def test_ground_truth_arrives_as_given_and_the_verifier_decodes_it(answer, truth, passed) -> None:
    assert score("tear", answer, truth).passed is passed
