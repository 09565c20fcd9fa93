"""Which trainer views each dataset offers: dataset name → view name → function.

A view turns a version's published rows into generic trainer rows of one kind of training (see
``catalog.trainer_export``): ``rl`` rows for RL with a verifiable reward (``critique`` is its
older name), ``preference`` rows for reward-model and DPO training, ``sft`` conversations for
supervised fine-tuning (with the clips they describe, for omni-detective). A dataset that
offers a view adds its function here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from datagen.generators.a2search import views as a2search_views
from datagen.generators.example import views as example_views
from datagen.generators.ifevalcode import views as ifevalcode_views
from datagen.generators.omni import views as omni_views
from datagen.generators.tear import views as tear_views
from datagen.generators.toolpref import views as toolpref_views
from datagen.schemas.records import Record

ViewFn = Callable[[Iterable[Record]], list[Record]]

VIEWS: dict[str, dict[str, ViewFn]] = {
    "toolpref-pairwise": toolpref_views.VIEWS,
    "trbench-bfcl": toolpref_views.BENCH_VIEWS,
    "tear": tear_views.VIEWS,
    "example": example_views.VIEWS,
    "a2search": a2search_views.VIEWS,
    "a2search-trajectories": a2search_views.TRAJECTORY_VIEWS,
    "ifevalcode": ifevalcode_views.VIEWS,
    "omni-detective": omni_views.VIEWS,
}

VIEW_OPTIONS: dict[str, tuple[str, ...]] = {"ifevalcode": ("question_language",)}
"""Dataset → the keyword options its views take (``datagen export --question-language``)."""


TRAINER_NOTES: dict[str, dict[str, str]] = {
    "a2search": a2search_views.TRAINER_NOTES,
    "omni-detective": omni_views.TRAINER_NOTES,
}
"""Dataset → trainer → a section its export README adds (what training on it needs besides rows)."""


def trainer_note(dataset: str, trainer: str) -> str | None:
    return TRAINER_NOTES.get(dataset, {}).get(trainer)


class UnknownViewError(LookupError):
    """A dataset without trainer views, or a view the dataset does not offer."""


def view_function(dataset: str, view: str) -> ViewFn:
    """The function that makes ``view`` rows of ``dataset``, or an error naming what exists."""
    if dataset not in VIEWS:
        raise UnknownViewError(
            f"dataset {dataset!r} has no trainer views; datasets with views: "
            f"{', '.join(sorted(VIEWS))}"
        )
    offered = VIEWS[dataset]
    if view not in offered:
        raise UnknownViewError(
            f"dataset {dataset!r} has no {view!r} view; its views: {', '.join(sorted(offered))}"
        )
    return offered[view]
