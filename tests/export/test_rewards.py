"""The reward entry points as verl and TRL call them, on good, wrong and malformed completions."""

from __future__ import annotations

import importlib.util
import inspect
import os
import sys
from typing import Any

import numpy as np
import pytest

from datagen.verifiers import rewards

RIGHT = "<evaluation>Response 1 calls the right function.</evaluation>\n<choice>\n1\n</choice>"
WRONG = "<evaluation>Response 2 is better.</evaluation>\n<choice>\n2\n</choice>"
SOURCE = "toolpref-pairwise"


def load_like_verl(path: str, name: str = "compute_score") -> Any:
    """What verl 0.9's ``load_extern_object(module_path, object_name)`` does for a file path:
    a spec under a made-up module name, executed without registering it in ``sys.modules``."""
    spec = importlib.util.spec_from_file_location(
        f"custom_module_{hash(os.path.abspath(path))}", path
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert spec.name not in sys.modules
    return getattr(module, name)


@pytest.fixture(scope="module")
def verl_compute_score() -> Any:
    return load_like_verl(rewards.__file__)


@pytest.mark.parametrize(
    ("solution", "ground_truth", "expected"),
    [
        pytest.param(RIGHT, "1", 1.0, id="right_text_label"),
        pytest.param(RIGHT, 1, 1.0, id="right_int_label"),
        pytest.param(RIGHT, 1.0, 1.0, id="right_float_label"),
        pytest.param(RIGHT, np.int64(1), 1.0, id="right_numpy_label"),
        pytest.param(RIGHT, np.str_("1"), 1.0, id="right_numpy_text"),
        pytest.param(WRONG, "2", 1.0, id="right_choice_2"),
        pytest.param(WRONG, "1", 0.0, id="wrong_choice"),
        pytest.param(RIGHT, 2, 0.0, id="wrong_int_label"),
        pytest.param("I like the first one.", "1", 0.0, id="no_tag"),
        pytest.param("<choice>one</choice>", "1", 0.0, id="bad_tag"),
        pytest.param("", "1", 0.0, id="empty"),
        pytest.param(RIGHT, 1.5, 0.0, id="fractional_label"),
        pytest.param(RIGHT, True, 0.0, id="bool_label"),
        pytest.param(RIGHT, None, 0.0, id="no_label"),
        pytest.param(RIGHT, "3", 0.0, id="label_out_of_range"),
    ],
)
def test_compute_score_as_verl_loads_and_calls_it(
    verl_compute_score: Any, solution: str, ground_truth: Any, expected: float
) -> None:
    extra_info = {"index": 0, "split": "train", "num_turns": None}
    score = verl_compute_score(
        data_source=SOURCE, solution_str=solution, ground_truth=ground_truth, extra_info=extra_info
    )
    assert score == expected
    assert isinstance(score, float)
    assert rewards.compute_score(SOURCE, solution, ground_truth) == expected


LOOSE = "<evaluation>Response 1 is better.</evaluation> <choice>1</choice>"


@pytest.mark.parametrize(
    ("extra_info", "expected"),
    [
        pytest.param({"parser": "strict", "mode": "no_think"}, 0.0, id="strict"),
        pytest.param({"parser": "lenient"}, 1.0, id="lenient"),
        pytest.param({"index": 3}, 1.0, id="no_parser_is_lenient"),
        pytest.param(None, 1.0, id="no_extra_info"),
    ],
)
def test_a_critique_rows_parser_decides_how_it_is_scored(
    verl_compute_score: Any, extra_info: Any, expected: float
) -> None:
    score = verl_compute_score(
        data_source=SOURCE, solution_str=LOOSE, ground_truth="1", extra_info=extra_info
    )
    assert score == expected
    assert rewards.reward_func(
        prompts=["p"], completions=[LOOSE], data_source=[SOURCE], ground_truth=["1"],
        extra_info=[extra_info],
    ) == [expected]  # fmt: skip
    strict = verl_compute_score(
        data_source=SOURCE, solution_str=RIGHT, ground_truth="1", extra_info=extra_info
    )
    assert strict == 1.0  # the newline form passes either parser


def test_trl_reward_func_refuses_misaligned_extra_info() -> None:
    with pytest.raises(ValueError, match="1 completions but 2 extra_info"):
        rewards.reward_func(
            prompts=["p"], completions=[RIGHT], data_source=[SOURCE], ground_truth=["1"],
            extra_info=[{}, {}],
        )  # fmt: skip


def test_compute_score_takes_verl_extra_keyword_arguments(verl_compute_score: Any) -> None:
    """verl adds reward-loop handles and ``reward_kwargs`` from its config as keywords."""
    score = verl_compute_score(
        data_source=SOURCE, solution_str=RIGHT, ground_truth="1", extra_info=None,
        reward_router_address=None, reward_model_tokenizer=None, some_config_kwarg=3,
    )  # fmt: skip
    assert score == 1.0


def test_compute_score_signature_is_verls() -> None:
    parameters = inspect.signature(rewards.compute_score).parameters
    assert list(parameters)[:4] == ["data_source", "solution_str", "ground_truth", "extra_info"]
    assert parameters["extra_info"].default is None


@pytest.mark.parametrize("source", ["openai/gsm8k", "", None, ["toolpref-pairwise"]])
def test_unknown_data_source_is_an_error_naming_the_known_ones(
    verl_compute_score: Any, source: Any
) -> None:
    known = "a2search, example, ifevalcode, tear, toolpref-pairwise"
    with pytest.raises(ValueError, match=f"known data sources: {known}"):
        verl_compute_score(data_source=source, solution_str=RIGHT, ground_truth="1")


@pytest.mark.parametrize(
    ("completion", "expected"),
    [
        pytest.param(RIGHT, 1.0, id="text"),
        pytest.param([{"role": "assistant", "content": RIGHT}], 1.0, id="conversational"),
        pytest.param(
            [{"role": "assistant", "content": WRONG}, {"role": "tool", "content": "ok"},
             {"role": "assistant", "content": RIGHT}], 1.0, id="last_assistant_counts",
        ),
        pytest.param([{"role": "tool", "content": RIGHT}], 1.0, id="no_assistant_last_message"),
        pytest.param([{"role": "assistant", "content": WRONG}], 0.0, id="conversational_wrong"),
        pytest.param([{"role": "assistant", "content": None}], 0.0, id="no_content"),
        pytest.param([{"role": "assistant"}], 0.0, id="missing_content"),
        pytest.param([], 0.0, id="no_messages"),
        pytest.param(["<choice>1</choice>"], 0.0, id="list_of_strings"),
        pytest.param({"role": "assistant", "content": RIGHT}, 0.0, id="bare_message"),
        pytest.param(None, 0.0, id="none"),
    ],
)  # fmt: skip
def test_trl_reward_func_scores_text_and_messages(completion: Any, expected: float) -> None:
    logged: dict[str, list] = {}
    scores = rewards.reward_func(
        prompts=[[{"role": "user", "content": "which?"}]],
        completions=[completion],
        data_source=[SOURCE],
        ground_truth=["1"],
        completion_ids=[[1, 2]],
        trainer_state=None,
        log_extra=lambda column, values: logged.setdefault(column, values),
        log_metric=lambda name, value: None,
        extra_info=[{"index": 0}],
    )
    assert scores == [expected]
    assert (logged["reward_reason"] == ["correct"]) is (expected == 1.0)


def test_trl_reward_func_scores_each_row_by_its_own_label() -> None:
    scores = rewards.reward_func(
        prompts=["p"] * 4,
        completions=[RIGHT, RIGHT, WRONG, "no verdict"],
        data_source=[SOURCE] * 4,
        ground_truth=["1", 2, "2", "1"],
    )
    assert scores == [1.0, 0.0, 1.0, 0.0]


def test_trl_reward_func_refuses_misaligned_columns() -> None:
    with pytest.raises(ValueError, match="must align"):
        rewards.reward_func(prompts=["p"], completions=[RIGHT], data_source=[], ground_truth=[])


def test_trl_reward_func_is_importable_by_its_dotted_path() -> None:
    """``trl grpo --reward_funcs`` imports ``module.func`` with ``importlib.import_module``."""
    from datagen.flows.export import TRL_REWARD

    module, _, name = TRL_REWARD.rpartition(".")
    assert getattr(importlib.import_module(module), name) is rewards.reward_func
