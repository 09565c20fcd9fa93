"""Launch scripts and configs for the trainers datagen does not run: verl, OpenRLHF, LLaMA-Factory.

Each is written into the run's folder beside the export (``data/``) and started on one device
where the trainer is installed; datagen prints the command and runs nothing. Flags, keys and
defaults follow the versions the exports are shaped for (``catalog.trainer_formats``): verl
0.9 (Hydra overrides of ``ppo_trainer``), OpenRLHF 0.11 (``openrlhf.cli.train_rm``'s dotted
flags under the DeepSpeed launcher), LLaMA-Factory 0.9.5 (a YAML of its arguments for
``llamafactory-cli train``).

``--option key=value`` goes to the trainer as its own kind of setting: a Hydra override for
verl (``actor_rollout_ref.rollout.n=16``), a flag for OpenRLHF (``--train.batch_size 64``;
``true`` gives a bare switch such as ``--model.margin_loss_enable``, ``false`` leaves it out),
a YAML key for LLaMA-Factory (``stage=dpo``, ``finetuning_type=full``). An option replaces the
script's own value of the same key.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml

from datagen.generators.training.trainers import TrainingError, TrainingPlan
from datagen.verifiers import rewards

EVAL_SPLITS = ("val", "test")
ONE_DEVICE = 'export CUDA_VISIBLE_DEVICES="${CUDA_VISIBLE_DEVICES:-0}"  # one device'
LLAMAFACTORY_STAGES = {"preference": "rm", "sft": "sft"}


@dataclass(frozen=True, kw_only=True)
class ExportedSplits:
    """What the launch files name of the export: each split's file, rows, and (LLaMA-Factory)
    its ``dataset_info.json`` entry."""

    files: Mapping[str, Path]
    counts: Mapping[str, int]
    names: Mapping[str, str]

    @property
    def eval_split(self) -> str | None:
        return next((s for s in EVAL_SPLITS if self.counts.get(s)), None)


@dataclass(frozen=True, kw_only=True)
class LaunchFiles:
    """The files to write into the run's folder (name → text) and the command that starts
    training; ``script`` is the one of ``files`` to run."""

    files: dict[str, str]
    script: str
    command: str


def launch_files(plan: TrainingPlan, splits: ExportedSplits) -> LaunchFiles:
    """The launch script (and config) of ``plan``'s trainer for the exported ``splits``."""
    writers = {"verl": _verl, "openrlhf": _openrlhf, "llamafactory": _llamafactory}
    if plan.trainer.name not in writers:
        raise TrainingError(f"{plan.trainer.name} is run by datagen itself, not by a script")
    files, script = writers[plan.trainer.name](plan, splits)
    return LaunchFiles(files=files, script=script, command=f"bash {plan.out_dir / script}")


def _header(plan: TrainingPlan, what: str) -> list[str]:
    return [
        "#!/usr/bin/env bash",
        f"# {what} on {plan.dataset} ({plan.view} view), written by `datagen train --trainer "
        f"{plan.trainer.name}`.",
        "# Run it where the trainer is installed; extra arguments are passed on.",
        "set -euo pipefail",
        ONE_DEVICE,
    ]


def _command(head: str, arguments: list[str]) -> str:
    return " \\\n    ".join([head, *arguments, '"$@"']) + "\n"


def _verl(plan: TrainingPlan, splits: ExportedSplits) -> tuple[dict[str, str], str]:
    val = splits.eval_split
    overrides = {
        "algorithm.adv_estimator": "grpo",
        "data.train_files": str(splits.files["train"]),
        **({"data.val_files": str(splits.files[val])} if val else {}),
        "data.prompt_key": "prompt",
        "data.reward_fn_key": "data_source",
        "data.max_prompt_length": "4096",
        "data.max_response_length": "1024",
        "actor_rollout_ref.model.path": plan.model,
        "actor_rollout_ref.rollout.name": "vllm",
        "actor_rollout_ref.rollout.n": "8",
        "actor_rollout_ref.rollout.tensor_model_parallel_size": "1",
        "reward.custom_reward_function.path": str(Path(rewards.__file__).resolve()),
        "reward.custom_reward_function.name": "compute_score",
        "trainer.n_gpus_per_node": "1",
        "trainer.nnodes": "1",
        "trainer.logger": '["console"]',
        "trainer.default_local_dir": str(plan.checkpoint_dir),
        **({"trainer.total_training_steps": str(plan.max_steps)} if plan.max_steps else {}),
        **plan.options,
    }
    arguments = [shlex.quote(f"{key}={value}") for key, value in overrides.items()]
    text = "\n".join(_header(plan, "verl GRPO with datagen's compute_score")) + "\n"
    text += _command("python3 -m verl.trainer.main_ppo", arguments)
    return {"train_verl.sh": text}, "train_verl.sh"


def _openrlhf(plan: TrainingPlan, splits: ExportedSplits) -> tuple[dict[str, str], str]:
    if plan.max_steps is not None:
        raise TrainingError(
            "openrlhf's train_rm has no step limit (it runs whole epochs); leave out "
            "--max-steps and bound the run with --option data.max_samples=N"
        )
    val = splits.eval_split
    flags: dict[str, str] = {
        "model.model_name_or_path": plan.model,
        "data.dataset": str(splits.files["train"]),
        **({"eval.dataset": str(splits.files[val]), "eval.split": "train"} if val else {}),
        "data.prompt_key": "prompt",
        "data.chosen_key": "chosen",
        "data.rejected_key": "rejected",
        "data.apply_chat_template": "true",
        "data.max_len": "4096",
        "ckpt.output_dir": str(plan.checkpoint_dir),
        **plan.options,
    }
    arguments = []
    for key, value in flags.items():
        if value.lower() == "true":
            arguments.append(f"--{key}")
        elif value.lower() != "false":
            arguments.append(f"--{key} {shlex.quote(value)}")
    text = "\n".join(_header(plan, "OpenRLHF reward model (train_rm)")) + "\n"
    text += "# openrlhf.cli.train_dpo takes the same data flags.\n"
    text += _command("deepspeed --num_gpus 1 --module openrlhf.cli.train_rm", arguments)
    return {"train_openrlhf.sh": text}, "train_openrlhf.sh"


def _llamafactory(plan: TrainingPlan, splits: ExportedSplits) -> tuple[dict[str, str], str]:
    val = splits.eval_split
    config = {
        "model_name_or_path": plan.model,
        "stage": LLAMAFACTORY_STAGES[plan.view],
        "do_train": True,
        "finetuning_type": "lora",
        "dataset_dir": str(splits.files["train"].parent),
        "dataset": splits.names["train"],
        **({"eval_dataset": splits.names[val], "eval_strategy": "steps"} if val else {}),
        "cutoff_len": 4096,
        "output_dir": str(plan.checkpoint_dir),
        "report_to": "none",
        **({"max_steps": plan.max_steps} if plan.max_steps else {}),
        **{key: yaml.safe_load(value) for key, value in plan.options.items()},
    }
    header = (
        f"# LLaMA-Factory {config['stage']} on {plan.dataset} ({plan.view} view), written by "
        "`datagen train`. No `template:` key: LLaMA-Factory then reads the tokenizer's chat "
        "template; name one with --option template=NAME.\n"
    )
    name = "llamafactory.yaml"
    text = "\n".join(_header(plan, "LLaMA-Factory training")) + "\n"
    text += _command(f"llamafactory-cli train {shlex.quote(str(plan.out_dir / name))}", [])
    files = {name: header + yaml.safe_dump(config, sort_keys=False), "train_llamafactory.sh": text}
    return files, "train_llamafactory.sh"
