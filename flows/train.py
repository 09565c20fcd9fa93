"""Train on a catalog version: export it in the trainer's view, train, record the checkpoint.

resolve the version → plan (trainer, view, model, folders, options; refused before any work)
→ mark ``OUT`` unfinished (a rerun after a failure empties and reuses it)
→ export (``flows/export.py``'s ``export_for_trainer`` into ``OUT/data``) → either

- TRL (``trl-sft``, ``trl-grpo``, ``trl-dpo``, ``trl-reward``): train on one device, save the
  model into ``OUT/checkpoint``, record it in the catalog's ``models`` table with its options
  and final metrics (``catalog show`` and ``catalog models`` list it); or
- verl, OpenRLHF, LLaMA-Factory: write the launch script (and config) into ``OUT`` and return
  the command; nothing is trained or recorded.

The logic is in ``datagen.generators.training``; this file only orchestrates it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run

from datagen.catalog import Catalog, ModelRecord, Store
from datagen.catalog.splits import DEFAULT_SPLIT
from datagen.catalog.trainer_export import TrainerExport
from datagen.catalog.trainer_formats import llamafactory_name
from datagen.flows.export import export_for_trainer
from datagen.generators.training.launch_scripts import ExportedSplits, LaunchFiles, launch_files
from datagen.generators.training.trainers import (
    TrainingPlan,
    default_out_dir,
    finish_run_dir,
    plan_training,
    start_run_dir,
)
from datagen.generators.training.trl_runs import TrlResult, run_trl


@task(cache_policy=NO_CACHE)
def export_version(store_root: Path, ref: str, plan: TrainingPlan, split: str) -> TrainerExport:
    """The version's rows in the trainer's view, split, written into the run's ``data/``."""
    return export_for_trainer(
        Catalog(Store(store_root)),
        ref,
        trainer=plan.trainer.export_format,
        out_dir=plan.data_dir,
        view=plan.view,
        split=split,
    )


@task(cache_policy=NO_CACHE)
def train_with_trl(plan: TrainingPlan, exported: TrainerExport) -> TrlResult:
    """Train the model on the export with TRL and save it into the run's ``checkpoint/``."""
    return run_trl(
        plan.trainer.name,
        model=plan.model,
        files=exported.files,
        checkpoint_dir=plan.checkpoint_dir,
        max_steps=plan.max_steps,
        options=plan.options,
    )


@task(cache_policy=NO_CACHE)
def write_launch_files(plan: TrainingPlan, exported: TrainerExport, dataset: str) -> LaunchFiles:
    """Write the trainer's launch script and config beside the export (executable script)."""
    splits = ExportedSplits(
        files=exported.files,
        counts=exported.counts,
        names={split: llamafactory_name(dataset, split) for split in exported.files},
    )
    launch = launch_files(plan, splits)
    for name, text in launch.files.items():
        (plan.out_dir / name).write_text(text)
    os.chmod(plan.out_dir / launch.script, 0o755)
    return launch


@task(cache_policy=NO_CACHE, retries=2, retry_delay_seconds=5)
def record_checkpoint(store_root: Path, record: ModelRecord) -> ModelRecord:
    """Register the checkpoint in the catalog (retried: another process may hold its lock)."""
    return Catalog(Store(store_root)).record_model(record)


@flow(name="train", log_prints=True)
def train(
    ref: str,
    *,
    trainer: str,
    model: str,
    out_dir: Path | str | None = None,
    max_steps: int | None = None,
    options: dict[str, str] | None = None,
    view: str | None = None,
    split: str = DEFAULT_SPLIT,
    store: str | None = None,
) -> dict[str, Any]:
    """Train ``trainer`` on ``ref`` (NAME@N, NAME@TAG) from ``model``, or write its launch
    script; a summary of what was made (the checkpoint and its model id, or the command)."""
    where = Store.resolve(store)
    info = Catalog(where).resolve(ref)
    plan = plan_training(
        trainer=trainer,
        dataset=info.dataset,
        model=model,
        out_dir=Path(out_dir) if out_dir else default_out_dir(info.dataset, info.version, trainer),
        view=view,
        max_steps=max_steps,
        options=options,
    )
    start_run_dir(plan.out_dir)  # a failed run's folder is emptied and reused
    exported = export_version(where.root, info.ref, plan, split)
    summary = {
        "ref": info.ref,
        "trainer": plan.trainer.name,
        "view": plan.view,
        "out_dir": str(plan.out_dir),
        "data_dir": str(plan.data_dir),
        "counts": exported.counts,
    }
    if not plan.trainer.runs_here:
        launch = write_launch_files(plan, exported, info.dataset)
        files = [str(plan.out_dir / name) for name in launch.files]
        finish_run_dir(plan.out_dir)
        return summary | {"files": files, "command": launch.command}
    result = train_with_trl(plan, exported)
    record = record_checkpoint(
        where.root,
        ModelRecord(
            path=str(result.checkpoint),
            dataset=info.dataset,
            version=info.version,
            trainer=plan.trainer.name,
            view=plan.view,
            base_model=plan.model,
            options={"max_steps": plan.max_steps, "split": split, **result.options},
            metrics=result.metrics,
            flow_run_id=str(flow_run.id) if flow_run.id else None,
        ),
    )
    finish_run_dir(plan.out_dir)
    return summary | {
        "checkpoint": str(result.checkpoint),
        "model_id": record.model_id,
        "steps": result.global_step,
        "metrics": result.metrics,
    }
