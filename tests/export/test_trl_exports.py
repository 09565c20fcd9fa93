"""TRL exports through TRL itself: its data utilities, and one step of each trainer.

The models are tiny random Llamas built from a config and the tokenizer is built locally, so
nothing is downloaded; the point is that TRL 1.16 reads, templates, tokenizes and rewards the
exported rows, not what the models learn.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import datasets
import pytest
from trl.data_utils import apply_chat_template, is_conversational, maybe_apply_chat_template

from datagen.catalog import Catalog
from datagen.flows.export import export_for_trainer
from datagen.verifiers.rewards import reward_func

GENERATION_PROMPT = "<|im_start|>assistant\n"


@pytest.fixture(scope="module")
def trl_data(
    toolpref_store: tuple[Catalog, str], tmp_path_factory, hf_cache: str
) -> dict[str, datasets.DatasetDict]:
    """Both TRL exports, loaded the way ``trl <command> --dataset_name DIR`` loads them."""
    catalog, ref = toolpref_store
    root = tmp_path_factory.mktemp("trl")
    loaded = {}
    for view in ("critique", "preference"):
        done = export_for_trainer(
            catalog, ref, trainer="trl", view=view, out_dir=root / view, split="train=0.75,val=0.25"
        )
        loaded[view] = datasets.load_dataset(str(done.out_dir), cache_dir=hf_cache)
    return loaded


@pytest.mark.parametrize("view", ["critique", "preference"])
def test_splits_load_under_their_exported_names(trl_data: dict, view: str) -> None:
    assert set(trl_data[view]) == {"train", "val"}
    assert all(trl_data[view][split].num_rows > 0 for split in ("train", "val"))


def test_preference_rows_are_conversational_and_template(trl_data: dict, tokenizer: Any) -> None:
    for row in trl_data["preference"]["train"]:
        assert is_conversational(row)
        text = apply_chat_template({k: row[k] for k in ("prompt", "chosen", "rejected")}, tokenizer)
        assert text["prompt"].startswith("<|im_start|>system\n")
        assert text["prompt"].endswith(GENERATION_PROMPT)
        assert text["chosen"] == row["chosen"][0]["content"] + "<|im_end|>\n"
        assert text["rejected"] == row["rejected"][0]["content"] + "<|im_end|>\n"
        assert maybe_apply_chat_template(row, tokenizer) == text


def test_critique_rows_are_conversational_prompts(trl_data: dict, tokenizer: Any) -> None:
    for row in trl_data["critique"]["val"]:
        assert is_conversational(row)
        prompt = maybe_apply_chat_template(row, tokenizer)["prompt"]
        assert prompt.endswith(GENERATION_PROMPT) and "# Response 2\n" in prompt
        assert row["data_source"] == "toolpref-pairwise" and row["ground_truth"] in ("1", "2")


def grpo_columns(rows: list[dict]) -> dict[str, list]:
    """The keyword arguments GRPOTrainer 1.16 builds from a batch's dataset columns."""
    keys = [key for key in rows[0] if key not in ("prompt", "completion", "completion_ids")]
    return {key: [row[key] for row in rows] for key in keys}


@pytest.mark.parametrize(
    ("make_completion", "expected"),
    [
        (lambda t: [{"role": "assistant", "content": f"<choice>\n{t}\n</choice>"}], 1.0),
        (lambda t: f"<evaluation>ok</evaluation>\n<choice>\n{t}\n</choice>", 1.0),
        (lambda t: [{"role": "assistant", "content": f"<choice>{3 - int(t)}</choice>"}], 0.0),
        (lambda t: [{"role": "assistant", "content": "Response 1, obviously."}], 0.0),
        (lambda t: [{"role": "assistant", "content": "<choice>either</choice>"}], 0.0),
    ],
)
def test_reward_func_scores_exported_rows(
    trl_data: dict, make_completion: Any, expected: float
) -> None:
    rows = list(trl_data["critique"]["train"])
    completions = [make_completion(row["ground_truth"]) for row in rows]
    scores = reward_func(
        prompts=[row["prompt"] for row in rows], completions=completions, **grpo_columns(rows)
    )
    assert scores == [expected] * len(rows)


def tiny_llama(kind: str, tokenizer: Any) -> Any:
    import transformers

    config = transformers.LlamaConfig(
        vocab_size=len(tokenizer), hidden_size=16, intermediate_size=32, num_hidden_layers=1,
        num_attention_heads=2, num_key_value_heads=2, head_dim=8, max_position_embeddings=4096,
        pad_token_id=tokenizer.pad_token_id, eos_token_id=tokenizer.eos_token_id, num_labels=1,
    )  # fmt: skip
    return getattr(transformers, kind)(config)


def common_args(tmp_path: Path) -> dict[str, Any]:
    return {"output_dir": str(tmp_path), "max_steps": 1, "per_device_train_batch_size": 2,
            "report_to": "none", "use_cpu": True, "save_strategy": "no"}  # fmt: skip


def test_reward_trainer_trains_on_the_preference_export(
    offline: None, trl_data: dict, tokenizer: Any, tmp_path: Path
) -> None:
    from trl import RewardConfig, RewardTrainer

    data = trl_data["preference"]
    trainer = RewardTrainer(
        model=tiny_llama("LlamaForSequenceClassification", tokenizer),
        args=RewardConfig(**common_args(tmp_path), max_length=None),
        processing_class=tokenizer, train_dataset=data["train"], eval_dataset=data["val"],
    )  # fmt: skip
    trainer.train()
    assert trainer.state.global_step == 1
    assert "eval_loss" in trainer.evaluate()


def test_dpo_trainer_trains_on_the_preference_export(
    offline: None, trl_data: dict, tokenizer: Any, tmp_path: Path
) -> None:
    from trl import DPOConfig, DPOTrainer

    trainer = DPOTrainer(
        model=tiny_llama("LlamaForCausalLM", tokenizer),
        ref_model=tiny_llama("LlamaForCausalLM", tokenizer),
        args=DPOConfig(**common_args(tmp_path), max_length=None),
        processing_class=tokenizer, train_dataset=trl_data["preference"]["train"],
    )  # fmt: skip
    trainer.train()
    assert trainer.state.global_step == 1


def test_grpo_trainer_calls_the_reward_with_the_exported_columns(
    offline: None, trl_data: dict, tokenizer: Any, tmp_path: Path
) -> None:
    from trl import GRPOConfig, GRPOTrainer

    seen: list[dict[str, Any]] = []

    def recorded(prompts: list, completions: list, **columns: Any) -> list[float]:
        seen.append({"completions": completions, **columns})
        return reward_func(prompts, completions, **columns)

    trainer = GRPOTrainer(
        model=tiny_llama("LlamaForCausalLM", tokenizer), reward_funcs=recorded,
        args=GRPOConfig(**common_args(tmp_path), num_generations=2, max_completion_length=4),
        processing_class=tokenizer, train_dataset=trl_data["critique"]["train"],
    )  # fmt: skip
    trainer.train()
    assert trainer.state.global_step == 1
    batch = seen[0]
    assert set(batch["data_source"]) == {"toolpref-pairwise"}
    assert set(batch["ground_truth"]) <= {"1", "2"}
    assert all(isinstance(c, list) and c[0]["role"] == "assistant" for c in batch["completions"])
