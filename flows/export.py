"""Hand a catalog version to a trainer: resolve it, apply the dataset's view, write the files.

Plain functions, no Prefect: an export reads one version and writes files, so it runs from the
command line in seconds and never touches Prefect's database.
"""

from __future__ import annotations

from pathlib import Path

from datagen.catalog import Catalog, ExportError
from datagen.catalog.card import version_card
from datagen.catalog.splits import DEFAULT_SPLIT, parse_split
from datagen.catalog.trainer_export import TrainerExport, layout_for, write_trainer_export
from datagen.generators.views import (
    VIEW_OPTIONS,
    UnknownViewError,
    trainer_note,
    view_function,
)
from datagen.schemas import table_to_records
from datagen.verifiers import rewards

TRL_REWARD = f"{rewards.__name__}.{rewards.reward_func.__name__}"
"""The dotted path ``trl grpo --reward_funcs`` imports."""


def export_for_trainer(
    catalog: Catalog,
    ref: str,
    *,
    trainer: str,
    out_dir: Path,
    view: str | None = None,
    split: str = DEFAULT_SPLIT,
    view_options: dict[str, str] | None = None,
) -> TrainerExport:
    """Write ``ref`` as ``trainer``'s files (``trl | verl | openrlhf | llamafactory``) in the
    ``rl``, ``preference`` or ``sft`` view, split by task as ``split`` says (``train=0.95,...``)."""
    fractions = parse_split(split)
    layout = layout_for(trainer, view)  # refuse a bad trainer or view before reading rows
    info = catalog.resolve(ref)
    try:
        make_view = view_function(info.dataset, layout.view)
    except UnknownViewError as exc:
        raise ExportError(str(exc)) from None
    options = view_options or {}
    unknown = sorted(set(options) - set(VIEW_OPTIONS.get(info.dataset, ())))
    if unknown:
        raise ExportError(
            f"dataset {info.dataset!r} takes no view option {', '.join(unknown)}; datasets "
            f"with options: {', '.join(f'{d} ({o[0]})' for d, o in VIEW_OPTIONS.items())}"
        )
    try:
        rows = make_view(table_to_records(info.schema_id, catalog.read(info.ref)), **options)
    except ValueError as exc:
        raise ExportError(str(exc)) from None
    return write_trainer_export(
        rows,
        trainer=trainer,
        view=layout.view,
        out_dir=out_dir,
        fractions=fractions,
        ref=info.ref,
        card=version_card(catalog, info.ref),
        reward_path=str(Path(rewards.__file__).resolve()),
        reward_import=TRL_REWARD,
        note=trainer_note(info.dataset, trainer),
    )
