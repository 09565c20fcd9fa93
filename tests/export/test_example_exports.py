"""The worked example's rows in the views by kind: rl for verl, sft for TRL (one SFTTrainer step)
and LLaMA-Factory; the reward dispatch scores them with the integer answer as given."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import datasets
import pyarrow.parquet as pq

from datagen.catalog import Catalog
from datagen.flows.export import export_for_trainer
from datagen.verifiers.rewards import compute_score
from tests.export.handmade import read_jsonl
from tests.export.test_trl_exports import common_args, tiny_llama


def _export(store: tuple[Catalog, str], trainer: str, view: str, out: Path) -> Any:
    catalog, ref = store
    return export_for_trainer(
        catalog, ref, trainer=trainer, view=view, out_dir=out, split="train=0.75,val=0.25"
    )


def test_the_rl_view_keeps_the_integer_answer_and_the_reward_scores_it(
    example_store, tmp_path: Path
) -> None:
    done = _export(example_store, "verl", "rl", tmp_path / "verl")
    rows = pq.read_table(done.files["train"]).to_pylist()
    assert rows and all(isinstance(r["reward_model"]["ground_truth"], int) for r in rows)
    row = rows[0]
    truth = row["reward_model"]["ground_truth"]
    assert compute_score(row["data_source"], f"Answer: {truth}", truth) == 1.0
    assert compute_score(row["data_source"], f"Answer: {truth + 1}", truth) == 0.0


def test_the_sft_view_trains_one_trl_step(
    example_store, tmp_path: Path, tokenizer: Any, hf_cache: str, offline: None
) -> None:
    from trl import SFTConfig, SFTTrainer

    done = _export(example_store, "trl", "sft", tmp_path / "trl")
    data = datasets.load_dataset(str(done.out_dir), cache_dir=hf_cache)
    first = data["train"][0]["messages"]
    assert [m["role"] for m in first] == ["user", "assistant"]
    assert first[-1]["content"].startswith("Answer: ")
    trainer = SFTTrainer(
        model=tiny_llama("LlamaForCausalLM", tokenizer),
        args=SFTConfig(**common_args(tmp_path / "out"), max_length=None),
        processing_class=tokenizer,
        train_dataset=data["train"],
    )
    trainer.train()
    assert trainer.state.global_step == 1


def test_the_sft_view_for_llamafactory_alternates_and_ends_with_the_answer(
    example_store, tmp_path: Path
) -> None:
    done = _export(example_store, "llamafactory", "sft", tmp_path / "lf")
    for row in read_jsonl(done.files["train"]):
        assert [t["from"] for t in row["conversations"]] == ["human", "gpt"]
    info = json.loads((done.out_dir / "dataset_info.json").read_text())
    assert {entry["columns"]["messages"] for entry in info.values()} == {"conversations"}
    assert not any(entry.get("ranking") for entry in info.values())
    assert "stage: sft" in (done.out_dir / "README.md").read_text()
