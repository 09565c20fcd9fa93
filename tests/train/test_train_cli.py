"""``datagen train`` through the command line: a TeaR GRPO run, the listings, the errors, and
the launch scripts of the trainers datagen does not run."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from datagen.catalog import Catalog
from datagen.flows.cli import app

from .conftest import QUICK_GRPO


def cli(store: Catalog, *args: str):
    return CliRunner().invoke(app, [*args, "--store", str(store.store.root)])


def test_train_grpo_on_tear_then_catalog_models_and_show_list_it(
    prefect_harness: None, offline: None, tear_store, tiny_model: Path, tmp_path: Path
) -> None:
    catalog, ref = tear_store
    options = [f"--option={k}={v}" for k, v in QUICK_GRPO.items()]
    done = cli(catalog, "train", ref, "--trainer", "trl-grpo", "--model", str(tiny_model),
               "--max-steps", "2", "--out", str(tmp_path / "run"), *options)  # fmt: skip
    assert done.exit_code == 0, done.output
    assert "trained trl-grpo on tear@1 (rl view) for 2 steps" in done.output
    assert (tmp_path / "run" / "checkpoint" / "model.safetensors").is_file()
    listed = cli(catalog, "catalog", "models", "tear")
    assert listed.exit_code == 0 and "trl-grpo" in listed.output and "tear@1" in listed.output
    shown = cli(catalog, "catalog", "show", ref)
    assert shown.exit_code == 0 and "models trained on it" in shown.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--trainer", "trl-ppo"], "unknown trainer 'trl-ppo'"),
        (["--trainer", "trl-dpo"], "has no preference view for trl-dpo"),
        (["--trainer", "trl-sft", "--model", "/no/such/model"], "model path '/no/such/model'"),
        (["--trainer", "trl-sft", "--option", "learnin_rate=1"], "did you mean learning_rate"),
    ],
)
def test_clear_errors_before_any_work(
    tear_store, tiny_model: Path, tmp_path: Path, args: list[str], message: str
) -> None:
    catalog, ref = tear_store
    model = [] if "--model" in args else ["--model", str(tiny_model)]
    done = cli(catalog, "train", ref, *args, *model, "--out", str(tmp_path / "run"))
    assert done.exit_code == 2 and message in " ".join(done.output.split()), done.output
    assert not (tmp_path / "run").exists()


@pytest.mark.parametrize(
    ("trainer", "script", "config"),
    [
        ("verl", "train_verl.sh", None),
        ("openrlhf", "train_openrlhf.sh", None),
        ("llamafactory", "train_llamafactory.sh", "llamafactory.yaml"),
    ],
)
def test_launch_scripts_are_written_and_parse(
    prefect_harness: None, toolpref_store, tmp_path: Path, trainer: str, script: str, config
) -> None:
    catalog, ref = toolpref_store
    out = tmp_path / "run"
    extra = [] if trainer == "openrlhf" else ["--max-steps", "5"]
    done = cli(catalog, "train", ref, "--trainer", trainer, "--model", "Qwen/Qwen3-0.6B",
               "--out", str(out), "--split", "train=0.75,val=0.25", *extra)  # fmt: skip
    assert done.exit_code == 0, done.output
    assert f"bash {out / script}" in " ".join(done.output.split())
    subprocess.run(["bash", "-n", str(out / script)], check=True)  # the shell parses it
    text = (out / script).read_text()
    assert str(out / "data") in text or config
    if trainer == "verl":
        assert "data.train_files=" + str(out / "data" / "train.parquet") in text
        assert "trainer.total_training_steps=5" in text and "trainer.n_gpus_per_node=1" in text
    if trainer == "openrlhf":
        assert "--data.dataset " + str(out / "data" / "train.parquet") in text
    if config:
        from transformers import HfArgumentParser, Seq2SeqTrainingArguments

        values = yaml.safe_load((out / config).read_text())
        names = yaml.safe_load((out / "data" / "dataset_info.json").read_text())
        assert values["dataset"] in names and values["stage"] == "rm"
        own = {"model_name_or_path", "stage", "finetuning_type", "dataset_dir", "dataset",
               "eval_dataset", "cutoff_len"}  # LLaMA-Factory 0.9.5's own arguments  # fmt: skip
        training = {k: v for k, v in values.items() if k not in own}
        (parsed,) = HfArgumentParser(Seq2SeqTrainingArguments).parse_dict(training)
        assert parsed.max_steps == 5
