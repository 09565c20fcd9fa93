"""A²Search's AnsF1 reward: a table of completions and ground truths, ugly cases included, the
reward dispatch with verl's NumPy values, and ``datagen verify answers`` through the real CLI."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from datagen.verifiers.ansf1 import reference_answers, score_answer_set
from datagen.verifiers.rewards import compute_score, reward_func

LYON_PARIS = [["Lyon", "Lyons"], ["Paris"]]

TABLE = [
    # (case, completion, ground truth, reward, ansf1, valid, reason code)
    ("one answer, hit", "<answer>Paris</answer>", [["Paris"]], 1.0, 1.0, True, "hit"),
    (
        "alias of one of two",
        "<answer>the Lyons</answer>",
        LYON_PARIS,
        1 - 0.4 / 3,
        2 / 3,
        True,
        "hit",
    ),
    (
        "both answers",
        "<think>hm</think><answer>Lyon; Paris</answer>",
        LYON_PARIS,
        1.0,
        1.0,
        True,
        "hit",
    ),
    ("one hit, one miss", "<answer>Lyon; Marseille</answer>", LYON_PARIS, 0.8, 0.5, True, "hit"),
    (
        "two aliases hit one answer once",
        "<answer>Lyon; Lyons</answer>",
        [["Lyon", "Lyons"]],
        1 - 0.4 / 3,
        2 / 3,
        True,
        "hit",
    ),
    (
        "duplicates after normalising",
        "<answer>Paris; paris.;  The PARIS </answer>",
        [["Paris"]],
        1.0,
        1.0,
        True,
        "hit",
    ),
    ("no hit", "<answer>Rome</answer>", LYON_PARIS, 0.1, 0.0, True, "no_hit"),
    ("no answer block", "Paris, surely.", LYON_PARIS, 0.0, 0.0, False, "invalid_format"),
    ("unclosed block", "<answer>Paris", LYON_PARIS, 0.0, 0.0, False, "invalid_format"),
    (
        "two blocks",
        "<answer>Lyon</answer> or <answer>Paris</answer>",
        LYON_PARIS,
        0.0,
        0.0,
        False,
        "invalid_format",
    ),
    ("empty block", "<answer> ; ; </answer>", LYON_PARIS, 0.0, 0.0, False, "invalid_format"),
    ("only articles", "<answer>the</answer>", LYON_PARIS, 0.0, 0.0, False, "invalid_format"),
    ("tag case", "<ANSWER>paris</ANSWER>", [["Paris"]], 1.0, 1.0, True, "hit"),
    ("number answer", "<answer>1969</answer>", [[1969]], 1.0, 1.0, True, "hit"),
    (
        "overlapping aliases need a matching",
        "<answer>Paris; City of Paris</answer>",
        [["Paris", "City of Paris"], ["Paris"]],
        1.0,
        1.0,
        True,
        "hit",
    ),
    (
        "ground truth as JSON text",
        "<answer>Lyons; Paris</answer>",
        json.dumps(LYON_PARIS),
        1.0,
        1.0,
        True,
        "hit",
    ),
    ("flat list is one answer", "<answer>Lyons</answer>", ["Lyon", "Lyons"], 1.0, 1.0, True, "hit"),
    (
        "Search-R1 target",
        "<answer>City of Paris</answer>",
        {"target": ["Paris", "City of Paris"]},
        1.0,
        1.0,
        True,
        "hit",
    ),
    (
        "text that is not JSON",
        "<answer>Lyon France</answer>",
        "Lyon, France",
        1.0,
        1.0,
        True,
        "hit",
    ),
    (
        "NumPy array of arrays",
        "<answer>Lyon</answer>",
        np.array([np.array(["Lyon", "Lyons"]), np.array(["Paris"])], dtype=object),
        1 - 0.4 / 3,
        2 / 3,
        True,
        "hit",
    ),
    (
        "NumPy flat array",
        "<answer>Lyons</answer>",
        np.array(["Lyon", "Lyons"]),
        1.0,
        1.0,
        True,
        "hit",
    ),
    ("empty ground truth", "<answer>Paris</answer>", [], 0.0, 0.0, False, "bad_ground_truth"),
    (
        "ground truth of blanks",
        "<answer>Paris</answer>",
        [["", "the"]],
        0.0,
        0.0,
        False,
        "bad_ground_truth",
    ),
    (
        "object without target",
        "<answer>Paris</answer>",
        {"answers": ["Paris"]},
        0.0,
        0.0,
        False,
        "bad_ground_truth",
    ),
]


@pytest.mark.parametrize(
    ("completion", "truth", "reward", "ansf1", "valid", "code"),
    [case[1:] for case in TABLE],
    ids=[case[0] for case in TABLE],
)
def test_the_reward_table(completion, truth, reward, ansf1, valid, code) -> None:
    scored = score_answer_set(completion, truth)
    assert scored.reward == pytest.approx(reward)
    assert scored.ansf1 == pytest.approx(ansf1)
    assert scored.valid is valid
    assert scored.reason.split(": ", 1)[0] == code


def test_precision_and_recall_are_reported() -> None:
    scored = score_answer_set("<answer>Lyon; Rome; Oslo</answer>", LYON_PARIS)
    assert (scored.precision, scored.recall) == (pytest.approx(1 / 3), 0.5)
    assert scored.reason == "hit: 1 of 2 answers, 3 predicted"


def test_alpha_sets_how_much_a_partial_set_loses() -> None:
    assert score_answer_set("<answer>Lyon</answer>", LYON_PARIS, alpha=1.0).reward == pytest.approx(
        2 / 3
    )


def test_reference_forms_read_to_the_same_answer_set() -> None:
    expected = [["lyon", "lyons"], ["paris"]]
    forms = [
        LYON_PARIS,
        json.dumps(LYON_PARIS),
        np.array([np.array(a) for a in LYON_PARIS], dtype=object),
    ]
    assert all(reference_answers(form) == expected for form in forms)


def test_the_trainers_reward_entry_points_dispatch_a2search() -> None:
    truth = np.array([np.array(["Lyon", "Lyons"]), np.array(["Paris"])], dtype=object)
    assert compute_score("a2search", "<answer>Lyons; Paris</answer>", truth) == 1.0
    rewards = reward_func(
        prompts=[[{"role": "user", "content": "q"}]] * 2,
        completions=[[{"role": "assistant", "content": "<answer>Rome</answer>"}], "no block"],
        data_source=["a2search", "a2search"],
        ground_truth=[LYON_PARIS, LYON_PARIS],
    )
    assert rewards == [0.1, 0.0]


def test_datagen_verify_answers_scores_every_line_and_answers_malformed_ones() -> None:
    lines = [
        {"id": "a", "completion": "<answer>Lyon; Paris</answer>", "answers": LYON_PARIS},
        {"id": "b", "completion": "<answer>Lyons</answer>", "answers": "Lyons"},
        "not json at all",
        {"id": "d", "completion": "<answer>x</answer>"},
        [1, 2],
        {"id": "f", "completion": 7, "answers": "x"},
    ]
    stdin = "\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines) + "\n"
    done = subprocess.run(
        [sys.executable, "-m", "datagen.flows.cli", "verify", "answers", "-"],
        input=stdin, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    verdicts = [json.loads(line) for line in done.stdout.splitlines()]
    assert [v["id"] for v in verdicts] == ["a", "b", "line 3", "d", "line 5", "f"]
    assert [v["reward"] for v in verdicts[:2]] == [1.0, 1.0]
    assert set(verdicts[0]) == {"id", "reward", "ansf1", "precision", "recall", "valid", "reason"}
    for verdict, detail in zip(
        verdicts[2:],
        ["invalid JSON", "missing keys: answers", "expected a JSON object", "text"],
        strict=True,
    ):
        assert verdict["valid"] is False and verdict["reward"] == 0.0
        assert verdict["reason"].startswith("malformed_input:") and detail in verdict["reason"]
