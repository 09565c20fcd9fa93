"""Two steps of each TRL trainer through the real ``train`` flow, on real published versions.

Each run exports the version in the trainer's view, trains the tiny model on the CPU, saves the
checkpoint and records it in the catalog; the catalog then lists it with its metrics.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from datagen.catalog import Catalog

from .conftest import QUICK, QUICK_GRPO

TRL_RUNS = [  # trainer, view it trains on, options
    ("trl-sft", "sft", QUICK),
    ("trl-grpo", "rl", QUICK_GRPO),
    ("trl-dpo", "preference", QUICK),
    ("trl-reward", "preference", QUICK),
]


def run_train(catalog: Catalog, ref: str, trainer: str, model: Path, out: Path, options: dict):
    from datagen.flows.train import train

    return train(
        ref, trainer=trainer, model=str(model), out_dir=out, max_steps=2, options=options,
        store=str(catalog.store.root),
    )  # fmt: skip


def assert_checkpoint(folder: Path) -> None:
    assert (folder / "config.json").is_file()
    weights = folder / "model.safetensors"
    assert weights.is_file() and weights.stat().st_size > 100_000


@pytest.mark.parametrize(("trainer", "view", "options"), TRL_RUNS, ids=[r[0] for r in TRL_RUNS])
def test_two_steps_of_each_trl_trainer_record_a_checkpoint(
    prefect_harness: None,
    offline: None,
    toolpref_store: tuple[Catalog, str],
    tiny_model: Path,
    tmp_path: Path,
    trainer: str,
    view: str,
    options: dict,
) -> None:
    catalog, ref = toolpref_store
    done = run_train(catalog, ref, trainer, tiny_model, tmp_path / "run", options)

    assert (done["trainer"], done["view"], done["steps"]) == (trainer, view, 2)
    checkpoint = Path(done["checkpoint"])
    assert checkpoint == tmp_path / "run" / "checkpoint"
    assert_checkpoint(checkpoint)
    assert (tmp_path / "run" / "data" / "train.parquet").is_file()
    (record,) = [m for m in catalog.models("toolpref-pairwise") if m.model_id == done["model_id"]]
    assert (record.ref, record.trainer, record.view) == (ref, trainer, view)
    assert record.path == str(checkpoint) and record.base_model == str(tiny_model)
    assert record.flow_run_id, "the Prefect flow run is recorded"
    assert record.metrics["global_step"] == 2
    assert isinstance(record.metrics["train_loss"], float)
    assert record.options["max_steps"] == 2
    assert record.options["per_device_train_batch_size"] == 2  # typed as the config reads it
    if trainer == "trl-grpo":
        assert "reward" in record.metrics  # datagen's reward_func scored the completions


def test_grpo_on_a_tear_version_records_a_checkpoint(
    prefect_harness: None,
    offline: None,
    tear_store: tuple[Catalog, str],
    tiny_model: Path,
    tmp_path: Path,
) -> None:
    catalog, ref = tear_store
    done = run_train(catalog, ref, "trl-grpo", tiny_model, tmp_path / "run", QUICK_GRPO)

    assert_checkpoint(Path(done["checkpoint"]))
    (record,) = [m for m in catalog.models("tear") if m.model_id == done["model_id"]]
    assert (record.ref, record.trainer, record.view) == (ref, "trl-grpo", "rl")
    assert record.metrics["global_step"] == 2 and "reward" in record.metrics
    assert record.as_json() in catalog.show(ref)["models"]


def test_a_failed_run_is_rerun_into_the_same_folder(
    prefect_harness: None,
    offline: None,
    toolpref_store: tuple[Catalog, str],
    tiny_model: Path,
    tmp_path: Path,
) -> None:
    from datagen.generators.training.trainers import UNFINISHED_MARK, TrainingError

    catalog, ref = toolpref_store
    broken = tmp_path / "broken-model"
    broken.mkdir()
    (broken / "config.json").write_text("{}")  # passes the plan's check, fails to load
    out = tmp_path / "run"
    with pytest.raises(Exception, match=r"(?i)config|model"):
        run_train(catalog, ref, "trl-sft", broken, out, QUICK)
    assert (out / "data" / "train.parquet").is_file() and (out / UNFINISHED_MARK).is_file()
    recorded = len(catalog.models("toolpref-pairwise"))

    done = run_train(catalog, ref, "trl-sft", tiny_model, out, QUICK)

    assert_checkpoint(Path(done["checkpoint"]))
    assert not (out / UNFINISHED_MARK).exists()
    assert len(catalog.models("toolpref-pairwise")) == recorded + 1
    with pytest.raises(TrainingError, match="not an empty folder"):
        run_train(catalog, ref, "trl-sft", tiny_model, out, QUICK)  # a finished run is kept
