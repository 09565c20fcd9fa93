"""A TRL 1.16 trainer on a TRL export, on one device: its config, the trainer, the run.

``trl_config`` builds the trainer's config (``SFTConfig``, ``GRPOConfig``, ``DPOConfig``,
``RewardConfig``) from ``--option key=value`` texts, each read by its field's type as the
``trl`` command line would (``learning_rate=1e-5``, ``bf16=true``, ``report_to=none``); a
name the config lacks is refused with the closest ones. datagen sets only what it owns: the
output folder (``--out``), the step limit (``--max-steps``), no intermediate checkpoints unless
asked (``save_strategy=no``: the final model is saved once), float32 on the CPU when there is
no GPU, and, for a short run, a logging interval no longer than the run, so its final metrics
hold the trainer's figures.

``run_trl`` loads the export's splits into memory (no ``datasets`` cache is written), trains,
evaluates on ``val`` (else ``test``) when that split has rows (not GRPO: its evaluation
generates), saves the model and tokenizer into the checkpoint folder and returns the final
metrics. GRPO is rewarded by ``datagen.verifiers.rewards.reward_func``, which dispatches on each
row's ``data_source`` to the dataset's verifier. The model is a local folder (``--model``);
TRL loads it (a sequence classifier with one label for ``trl-reward``, a reference copy for
``trl-dpo``). One device: the GPU Torch sees first if any (set ``CUDA_VISIBLE_DEVICES`` to
choose), else the CPU; multi-GPU launchers (``accelerate launch``) are out of scope.
"""

from __future__ import annotations

import dataclasses
import difflib
import enum
import math
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from datagen.generators.training.trainers import TrainingError
from datagen.verifiers.rewards import reward_func

CONFIGS = {
    "trl-sft": ("SFTConfig", "SFTTrainer"),
    "trl-grpo": ("GRPOConfig", "GRPOTrainer"),
    "trl-dpo": ("DPOConfig", "DPOTrainer"),
    "trl-reward": ("RewardConfig", "RewardTrainer"),
}
"""Trainer name → the TRL config and trainer classes it uses."""
OWNED = {"output_dir": "--out", "max_steps": "--max-steps"}
"""Config fields datagen sets from its own flags."""
EVAL_SPLITS = ("val", "test")
_TRUE, _FALSE = {"true", "1", "yes", "on"}, {"false", "0", "no", "off"}
_NONE = {"none", "null"}


@dataclass(frozen=True, kw_only=True)
class TrlResult:
    """What a TRL run left: the checkpoint folder, its steps, its final metrics, and the
    options it ran with (typed as the config read them)."""

    checkpoint: Path
    global_step: int
    metrics: dict[str, Any]
    options: dict[str, Any]


def config_class(trainer: str) -> type:
    import trl

    if trainer not in CONFIGS:
        raise TrainingError(f"{trainer} is not a TRL trainer; TRL trainers: {', '.join(CONFIGS)}")
    return getattr(trl, CONFIGS[trainer][0])


def read_options(trainer: str, options: Mapping[str, str]) -> dict[str, Any]:
    """``--option`` texts as values of the trainer's config fields, typed by the fields."""
    cls = config_class(trainer)
    fields = {f.name for f in dataclasses.fields(cls) if f.init}
    hints = typing.get_type_hints(cls)
    values = {}
    for name, text in options.items():
        if name in OWNED:
            raise TrainingError(f"--option {name} is set by {OWNED[name]}; use that flag")
        if name not in fields:
            close = difflib.get_close_matches(name, sorted(fields), n=3)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            raise TrainingError(f"{cls.__name__} has no option {name!r}{hint}")
        try:
            values[name] = _typed(text, hints[name])
        except ValueError as exc:
            raise TrainingError(f"--option {name}={text}: {exc}") from None
    return values


def _typed(text: str, kind: Any) -> Any:
    """``text`` as a value of type ``kind`` (a union tries its members in order)."""
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if origin in (typing.Union, types.UnionType):
        if type(None) in args and text.strip().lower() in _NONE:
            return None
        errors = []
        for member in (a for a in args if a is not type(None)):
            try:
                return _typed(text, member)
            except ValueError as exc:
                errors.append(str(exc))
        raise ValueError("; ".join(errors))
    if origin is typing.Literal:
        if text not in args:
            raise ValueError(f"must be one of {', '.join(map(str, args))}")
        return text
    if kind is bool:
        if text.strip().lower() in _TRUE | _FALSE:
            return text.strip().lower() in _TRUE
        raise ValueError("must be true or false")
    if kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            raise ValueError(f"must be {'an integer' if kind is int else 'a number'}") from None
    if kind is str:
        return text
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return kind(text)
    if origin in (list, dict) or kind in (list, dict):
        import yaml

        value = yaml.safe_load(text)
        if not isinstance(value, origin or kind):
            raise ValueError(f"must be a {(origin or kind).__name__} (JSON or YAML)")
        return value
    import yaml

    return yaml.safe_load(text)


def trl_config(
    trainer: str, *, output_dir: Path, max_steps: int | None, options: Mapping[str, Any]
) -> Any:
    """The trainer's config: ``options`` (typed, see ``read_options``) over datagen's
    defaults; a value the config itself refuses is a ``TrainingError``."""
    cls = config_class(trainer)
    defaults = {f.name: f.default for f in dataclasses.fields(cls) if f.init}
    values: dict[str, Any] = {"save_strategy": "no"} | _device_defaults() | dict(options)
    if max_steps is not None:
        values["max_steps"] = max_steps
        if "logging_steps" not in options and defaults["logging_steps"] > max_steps:
            values["logging_steps"] = max_steps
    try:
        return cls(output_dir=str(output_dir), **values)
    except (ValueError, TypeError) as exc:
        raise TrainingError(f"{cls.__name__} refuses the options: {exc}") from None


def _device_defaults() -> dict[str, Any]:
    """Without a GPU: train on the CPU in float32 (TRL's configs default to bf16, which needs
    a GPU unless ``use_cpu`` is set, and CPU bf16 is slow where it works at all)."""
    import torch

    return {} if torch.cuda.is_available() else {"use_cpu": True, "bf16": False}


def load_splits(files: Mapping[str, Path]) -> dict[str, Any]:
    """The export's splits that have rows, as in-memory ``datasets.Dataset``s."""
    import datasets
    import pyarrow.parquet as pq

    tables = {split: pq.read_table(path) for split, path in files.items()}
    return {split: datasets.Dataset(t) for split, t in tables.items() if t.num_rows}


def build_trainer(trainer: str, *, model: str, config: Any, splits: Mapping[str, Any]) -> Any:
    """The TRL trainer on ``splits['train']`` (evaluating on ``val``/``test`` if present)."""
    import trl

    if "train" not in splits:
        raise TrainingError("the export's train split has no rows; change --split")
    cls = getattr(trl, CONFIGS[trainer][1])
    if trainer == "trl-grpo":
        train = splits["train"]
        return cls(model=model, reward_funcs=[reward_func], args=config, train_dataset=train)
    held_out = next((splits[s] for s in EVAL_SPLITS if s in splits), None)
    return cls(model=model, args=config, train_dataset=splits["train"], eval_dataset=held_out)


def run_trl(
    trainer: str,
    *,
    model: str,
    files: Mapping[str, Path],
    checkpoint_dir: Path,
    max_steps: int | None,
    options: Mapping[str, str],
) -> TrlResult:
    """Train ``model`` on the export's ``files`` and save it into ``checkpoint_dir``."""
    typed = read_options(trainer, options)
    config = trl_config(trainer, output_dir=checkpoint_dir, max_steps=max_steps, options=typed)
    run = build_trainer(trainer, model=model, config=config, splits=load_splits(files))
    output = run.train()
    metrics: dict[str, Any] = {}
    for entry in run.state.log_history:
        metrics.update(entry)
    metrics.update(output.metrics)
    if run.eval_dataset is not None:
        metrics.update(run.evaluate())
    metrics["global_step"] = run.state.global_step
    run.save_model(str(checkpoint_dir))
    return TrlResult(
        checkpoint=checkpoint_dir,
        global_step=run.state.global_step,
        metrics={name: _json_number(value) for name, value in metrics.items()},
        options=typed,
    )


def _json_number(value: Any) -> Any:
    """NaN and infinities (a loss on an empty batch) become None: JSON has neither."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
