"""Prompts of both variants, pass-rate buckets, the difficulty band and bucket balance."""

from __future__ import annotations

import pytest

from datagen.generators.tear.pipeline import select_stage, tasks_stage
from datagen.generators.tear.tasks import (
    build_messages,
    completion_prompt,
    parse_variants,
    pass_rate_bucket,
    solve_prompt,
)
from datagen.generators.tear.views import critique_view
from datagen.schemas import first_error


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


@pytest.mark.parametrize(
    ("text", "variants"),
    [
        ("code,description", ("code", "description")),
        ("description, code", ("code", "description")),  # canonical order
        ("description", ("description",)),
        ("code,,code", ("code",)),
        (" code ", ("code",)),
    ],
)
def test_parse_variants(text: str, variants: tuple[str, ...]) -> None:
    assert parse_variants(text) == variants


@pytest.mark.parametrize("text", ["", " , ", "code,pictures", "Code", "code;description"])
def test_parse_variants_refuses_unknown_names(text: str) -> None:
    with pytest.raises(ValueError, match="comma-separated subset of code, description"):
        parse_variants(text)


def _code_task(function_id: str, index: int) -> dict:
    code = f"def {function_id}(x):\n    return x + {index}\n"
    return {
        "task_id": f"{function_id}:{index}:code", "variant": "code", "description": None,
        "function_id": function_id, "source": "test", "entry_point": function_id, "code": code,
        "call": f"{function_id}({index})", "expected": str(2 * index),
        "prompt": build_messages(code=code, call=f"{function_id}({index})"), "ast_nodes": 9,
        "max_depth": 0, "loops": 0, "branches": 0, "data_structures": "", "trace_steps": 1,
    }  # fmt: skip


CODE_TASKS = [_code_task("f", 0), _code_task("f", 1), _code_task("g", 0), _code_task("h", 2)]
DESCRIBED = {
    "f": "f(x) returns x plus a small number.",
    "h": "h(x) returns x plus 2, so h(2) returns 4.",  # gives h(2)'s answer away
}  # g has no usable description


@pytest.mark.parametrize(
    ("variants", "ids", "counts"),
    [
        (("code", "description"),
         ["f:0:code", "f:0:description", "f:1:code", "f:1:description", "g:0:code", "h:2:code"],
         (8, 6, 2)),
        (("code",), ["f:0:code", "f:1:code", "g:0:code", "h:2:code"], (4, 4, 0)),
        (("description",), ["f:0:description", "f:1:description"], (4, 2, 2)),
    ],
)  # fmt: skip
def test_tasks_stage_builds_each_variant(variants, ids: list[str], counts: tuple) -> None:
    outcome = tasks_stage(CODE_TASKS, DESCRIBED, variants=variants)
    assert [t["task_id"] for t in outcome.records] == ids
    assert (outcome.n_in, len(outcome.records), outcome.n_filtered) == counts
    for task in outcome.records:
        assert first_error("tear/task.v2", task) is None, task["task_id"]
        content = task["prompt"][0]["content"]
        assert f"`{task['call']}`" in content
        if task["variant"] == "code":
            assert task["code"].strip() in content and task["description"] is None
            assert solve_prompt(task) == completion_prompt(code=task["code"], call=task["call"])
        else:
            assert task["code"].strip() not in content and DESCRIBED["f"] in content
            assert task["expected"] == next(
                c["expected"] for c in CODE_TASKS if c["call"] == task["call"]
            )
            assert solve_prompt(task) == (
                f"# {DESCRIBED['f']}\n\n# The value that {task['call']} returns:\n"
                f"assert {task['call']} == "
            )
    assert CODE_TASKS[0]["variant"] == "code"  # the inputs are not modified


@pytest.mark.parametrize(
    ("change", "valid"),
    [
        ({}, True),
        ({"variant": "description", "description": "f(x) returns x."}, True),
        ({"variant": "description"}, False),  # a description task needs its description
        ({"description": "f(x) returns x."}, False),  # a code task has none
        ({"variant": "picture"}, False),
        ({"variant": "description", "description": ""}, False),
    ],
)
def test_task_v2_ties_the_description_to_the_variant(change: dict, valid: bool) -> None:
    task = _code_task("f", 0) | change
    assert (first_error("tear/task.v2", task) is None) == valid
    row = task | {"n_samples": 1, "n_passed": 0, "pass_rate": 0.0, "pass_bucket": "0"}
    assert (first_error("tear/rl.v2", row) is None) == valid


def test_critique_view_names_the_variant_and_reads_v1_rows() -> None:
    row = _code_task("f", 0) | {"pass_rate": 0.5, "pass_bucket": "[0.5,0.75)"}
    described = tasks_stage([row], DESCRIBED, variants=("description",)).records[0]
    old = {k: v for k, v in row.items() if k not in ("variant", "description")}  # tear/rl.v1
    views = critique_view([row, described, old])
    assert [v["extra_info"]["variant"] for v in views] == ["code", "description", "code"]
    assert {v["group_id"] for v in views} == {"f"}  # both variants stay in one split
    assert views[1]["prompt"] == described["prompt"] and views[1]["ground_truth"] == "0"
