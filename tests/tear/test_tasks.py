"""Prompts, pass-rate buckets, the difficulty band and bucket balance."""

from __future__ import annotations

from collections import Counter

import pytest

from datagen.generators.tear.pipeline import select_stage
from datagen.generators.tear.tasks import (
    balance_buckets,
    build_messages,
    completion_prompt,
    pass_rate_bucket,
)


@pytest.mark.parametrize(
    ("rate", "label"),
    [(0.0, "0"), (-0.1, "0"), (0.1, "(0,0.25)"), (0.25, "[0.25,0.5)"), (0.5, "[0.5,0.75)"),
     (0.75, "[0.75,1)"), (0.99, "[0.75,1)"), (1.0, "1"), (1.5, "1")],
)  # fmt: skip
def test_pass_rate_bucket(rate: float, label: str) -> None:
    assert pass_rate_bucket(rate) == label


def test_prompts_show_the_code_and_the_call() -> None:
    code = "def f(x):\n    return x * 2\n"
    (message,) = build_messages(code=code, call="f(3)")
    assert message["role"] == "user"
    assert "```python\ndef f(x):\n    return x * 2\n```" in message["content"]
    assert "`f(3)`" in message["content"] and "Answer: <value>" in message["content"]
    assert completion_prompt(code=code, call="f(3)").endswith("\nassert f(3) == ")


def _tasks(buckets: dict[str, int]) -> list[dict]:
    return [
        {"task_id": f"{name}-{i}", "pass_bucket": name}
        for name, n in buckets.items()
        for i in range(n)
    ]


@pytest.mark.parametrize(
    ("buckets", "share", "after"),
    [
        ({"0": 10, "1": 2}, 0.5, {"0": 2, "1": 2}),
        ({"0": 10, "(0,0.25)": 2, "1": 2}, 0.5, {"0": 4, "(0,0.25)": 2, "1": 2}),
        ({"0": 9, "1": 3}, 0.75, {"0": 9, "1": 3}),
        ({"0": 6, "1": 6}, 0.5, {"0": 6, "1": 6}),
        ({"0": 7}, 0.5, {"0": 7}),  # one bucket: nothing to balance against
        ({"0": 5, "1": 1}, 1.0, {"0": 5, "1": 1}),
        ({}, 0.5, {}),
        ({"0": 100, "1": 1, "[0.5,0.75)": 1}, 0.2, {"0": 1, "1": 1, "[0.5,0.75)": 1}),
    ],
)
def test_balance_caps_each_bucket(buckets: dict, share: float, after: dict) -> None:
    tasks = _tasks(buckets)
    kept, report = balance_buckets(tasks, max_share=share, seed=0)
    assert Counter(t["pass_bucket"] for t in kept) == Counter(after)
    assert report.after == dict(sorted(after.items()))
    assert report.before == dict(sorted(buckets.items()))
    assert [t for t in tasks if t in kept] == kept  # input order kept


def test_balance_choice_depends_on_seed_not_order() -> None:
    tasks = _tasks({"0": 20, "1": 4})
    kept, _ = balance_buckets(tasks, max_share=0.5, seed=1)
    again, _ = balance_buckets(list(reversed(tasks)), max_share=0.5, seed=1)
    other, _ = balance_buckets(tasks, max_share=0.5, seed=2)
    ids = {t["task_id"] for t in kept}
    assert ids == {t["task_id"] for t in again}
    assert ids != {t["task_id"] for t in other}


@pytest.mark.parametrize("share", [0.0, -1.0, 1.5])
def test_balance_refuses_a_bad_share(share: float) -> None:
    with pytest.raises(ValueError, match="max_share"):
        balance_buckets([], max_share=share, seed=0)


def test_select_stage_applies_the_difficulty_band_and_counts() -> None:
    tasks = [{"task_id": t} for t in ("never", "half", "always", "unsolved")]
    values = {"never": [0, 0], "half": [1, 0], "always": [1, 1]}  # "unsolved" has no attempts
    attempts = [{"task_id": t, "value": float(v)} for t, vs in values.items() for v in vs]
    picked = select_stage(tasks, attempts, min_pass_rate=0.01, max_pass_rate=0.99,
                          max_bucket_share=1.0, seed=0)  # fmt: skip
    assert [r["task_id"] for r in picked.rows] == ["half"]
    assert picked.rows[0] | {} == {"task_id": "half", "n_samples": 2, "n_passed": 1,
                                   "pass_rate": 0.5, "pass_bucket": "[0.5,0.75)"}  # fmt: skip
    difficulty = picked.outcomes[0]
    assert (difficulty.n_in, len(difficulty.records), difficulty.n_filtered) == (3, 1, 2)
    keep_unsolved = select_stage(tasks, attempts, min_pass_rate=0.0, max_pass_rate=0.99,
                                 max_bucket_share=1.0, seed=0)  # fmt: skip
    assert [r["task_id"] for r in keep_unsolved.rows] == ["never", "half"]
