"""The trainers ``datagen train`` knows, the view each trains on, and a checked run plan.

A trainer is TRL's (``trl-sft``, ``trl-grpo``, ``trl-dpo``, ``trl-reward``), which datagen runs
itself on one device, or another framework's (``verl``, ``openrlhf``, ``llamafactory``), for
which it writes the launch script and config beside the export and prints the command. Each
takes one or more of the export views (``catalog.trainer_export``): ``rl``, ``preference``,
``sft``. ``plan_training`` refuses, before any file is written, an unknown trainer, a view the
dataset or the trainer lacks, a model folder that does not exist and a bad option.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from datagen.generators.views import VIEWS

DATA_DIR = "data"
"""The export's folder inside a run's folder."""
CHECKPOINT_DIR = "checkpoint"
"""The final model's folder inside a run's folder (TRL trainers)."""
OPTION_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*")


class TrainingError(ValueError):
    """A training run that cannot start as asked; the message says what to change."""


@dataclass(frozen=True, kw_only=True)
class Trainer:
    """One ``--trainer`` value: the export format it reads and the views it trains on."""

    name: str
    export_format: str
    views: tuple[str, ...]
    """Preferred first: without ``--view``, the first one the dataset offers."""
    runs_here: bool
    """True: datagen trains in this process (TRL). False: it writes a launch script."""
    summary: str


TRAINERS: dict[str, Trainer] = {
    t.name: t
    for t in (
        Trainer(
            name="trl-sft",
            export_format="trl",
            views=("sft",),
            runs_here=True,
            summary="TRL SFTTrainer: supervised fine-tuning on the conversations",
        ),
        Trainer(
            name="trl-grpo",
            export_format="trl",
            views=("rl",),
            runs_here=True,
            summary="TRL GRPOTrainer rewarded by datagen.verifiers.rewards.reward_func",
        ),
        Trainer(
            name="trl-dpo",
            export_format="trl",
            views=("preference",),
            runs_here=True,
            summary="TRL DPOTrainer on the chosen/rejected pairs",
        ),
        Trainer(
            name="trl-reward",
            export_format="trl",
            views=("preference",),
            runs_here=True,
            summary="TRL RewardTrainer: a reward model (sequence classifier) on the pairs",
        ),
        Trainer(
            name="verl",
            export_format="verl",
            views=("rl",),
            runs_here=False,
            summary="verl GRPO with compute_score: launch script written, not run",
        ),
        Trainer(
            name="openrlhf",
            export_format="openrlhf",
            views=("preference",),
            runs_here=False,
            summary="OpenRLHF reward model (train_rm): launch script written, not run",
        ),
        Trainer(
            name="llamafactory",
            export_format="llamafactory",
            views=("preference", "sft"),
            runs_here=False,
            summary="LLaMA-Factory rm (preference) or sft: YAML and launch script written, not run",
        ),
    )
}


def trainer_named(name: str) -> Trainer:
    """The trainer called ``name``, or an error listing every trainer."""
    try:
        return TRAINERS[name]
    except KeyError:
        raise TrainingError(
            f"unknown trainer {name!r}; use one of: {', '.join(TRAINERS)}"
        ) from None


def parse_options(pairs: Sequence[str]) -> dict[str, str]:
    """``["key=value", ...]`` (repeated ``--option``) as a mapping; values stay text, each
    trainer reads them its own way (TRL by its config's field types)."""
    options: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key = key.strip()
        if not sep or not OPTION_KEY.fullmatch(key):
            raise TrainingError(
                f"--option {pair!r} is not key=value (e.g. --option learning_rate=1e-5)"
            )
        if key in options:
            raise TrainingError(f"--option {key} is given twice")
        options[key] = value
    return options


@dataclass(frozen=True, kw_only=True)
class TrainingPlan:
    """A checked run: trainer, the version's dataset and view, model, folders, options."""

    trainer: Trainer
    dataset: str
    view: str
    model: str
    out_dir: Path
    max_steps: int | None = None
    options: Mapping[str, str] = field(default_factory=dict)

    @property
    def data_dir(self) -> Path:
        return self.out_dir / DATA_DIR

    @property
    def checkpoint_dir(self) -> Path:
        return self.out_dir / CHECKPOINT_DIR


def choose_view(trainer: Trainer, dataset: str, view: str | None) -> str:
    """The view ``trainer`` trains on for ``dataset``: ``view`` if given, else the first of the
    trainer's views the dataset offers; an error names what each side has."""
    offered = tuple(VIEWS.get(dataset, {}))
    if not offered:
        raise TrainingError(
            f"dataset {dataset!r} has no trainer views; datasets with views: "
            f"{', '.join(sorted(VIEWS))}"
        )
    if view is not None and view not in trainer.views:
        raise TrainingError(
            f"{trainer.name} does not train on the {view} view; it takes: "
            f"{', '.join(trainer.views)}"
        )
    wanted = (view,) if view else trainer.views
    for candidate in wanted:
        if candidate in offered:
            return candidate
    takers = [t.name for t in TRAINERS.values() if set(t.views) & set(offered)]
    raise TrainingError(
        f"dataset {dataset!r} has no {' or '.join(wanted)} view for {trainer.name}; its views: "
        f"{', '.join(offered)}, which these trainers take: {', '.join(takers)}"
    )


def check_model_dir(model: str) -> None:
    """A model datagen trains here must be a local folder holding a ``config.json``."""
    path = Path(model).expanduser()
    if not path.is_dir():
        raise TrainingError(
            f"model path {model!r} does not exist or is not a folder; give a local model "
            "folder (e.g. one written by `hf download NAME --local-dir DIR`)"
        )
    if not (path / "config.json").is_file():
        raise TrainingError(f"model folder {model!r} has no config.json: not a model checkpoint")


UNFINISHED_MARK = ".datagen-train-unfinished"
"""Lies in ``--out`` while a run writes there; a run that failed leaves it, so rerunning the same
command may empty and reuse the folder (nothing in it was recorded), and no other folder is."""


def check_out_dir(out_dir: Path) -> None:
    """``--out`` must be absent, empty, or the folder of a run that did not finish."""
    if not out_dir.exists() or (out_dir / UNFINISHED_MARK).is_file():
        return
    if not out_dir.is_dir() or any(out_dir.iterdir()):
        raise TrainingError(
            f"--out {out_dir} exists and is not an empty folder (nor one a failed run left)"
        )


def start_run_dir(out_dir: Path) -> None:
    """Make ``out_dir`` for a new run: a failed run's files are removed, then it is marked."""
    if (out_dir / UNFINISHED_MARK).is_file():
        shutil.rmtree(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / UNFINISHED_MARK).write_text("a datagen train run is writing here\n")


def finish_run_dir(out_dir: Path) -> None:
    """The run's files are complete (and, for TRL, recorded): the folder is no longer reusable."""
    (out_dir / UNFINISHED_MARK).unlink(missing_ok=True)


def default_out_dir(dataset: str, version: int, trainer: str) -> Path:
    """``checkpoints/<dataset>-v<N>-<trainer>`` under the current folder."""
    return Path("checkpoints") / f"{dataset}-v{version}-{trainer}"


def plan_training(
    *,
    trainer: str,
    dataset: str,
    model: str,
    out_dir: Path,
    view: str | None = None,
    max_steps: int | None = None,
    options: Mapping[str, str] | None = None,
) -> TrainingPlan:
    """A checked plan, or a ``TrainingError`` before anything is exported or loaded.

    A TRL run needs the model as a local folder, and its options are read by its config's
    field types (``trl_runs.read_options``); a launch script may name any model its trainer
    can load where it runs (a hub id), so its ``model`` is not checked here."""
    chosen = trainer_named(trainer)
    picked = choose_view(chosen, dataset, view)
    if max_steps is not None and max_steps < 1:
        raise TrainingError(f"--max-steps must be at least 1, got {max_steps}")
    if chosen.runs_here:
        check_model_dir(model)
    elif not model.strip():
        raise TrainingError("--model is empty; name the model the trainer should start from")
    check_out_dir(out_dir)
    if chosen.runs_here:
        from datagen.generators.training.trl_runs import read_options

        read_options(chosen.name, options or {})  # a misspelt option fails before the export
    return TrainingPlan(
        trainer=chosen,
        dataset=dataset,
        view=picked,
        model=str(Path(model).expanduser().resolve()) if chosen.runs_here else model,
        out_dir=out_dir.expanduser().absolute(),
        max_steps=max_steps,
        options=dict(options or {}),
    )
