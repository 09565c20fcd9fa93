"""Every dataset datagen can make: one list of recipes that the command line, the schedules and
the exports read. A new dataset adds its recipe here (``docs/adding-a-dataset.md``).

A recipe names a dataset, its typed ``Config`` (``datagen.generators.config``) and the Prefect
flow that runs it, by module path: flows sit above generators and are imported only to run. Its
``card`` says what the dataset card of each published version tells and plots
(``datagen.catalog.card`` writes it; the catalog takes the spec as data, so neither layer
imports the other).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import import_module
from typing import Any

PLOT_KINDS = ("bar", "hist", "length", "rate", "funnel")
"""``bar``: rows per value of ``column``; ``hist``: the distribution of a number (few distinct
integers are counted as bars); ``length``: the distribution of a list's length; ``rate``: per
value of ``column``, the share of the checked records that were kept (the version's rows
against the records ``stages`` quarantined); ``funnel``: every stage's in, out, filtered and
quarantined counts (no column)."""
_PLOT_NAME = re.compile(r"[a-z0-9][a-z0-9_-]*")


@dataclass(frozen=True, kw_only=True)
class PlotSpec:
    """One plot of a dataset card: what to draw from which column, under which title."""

    name: str
    """The file's stem: the card shows ``plots/NAME.png``."""
    title: str
    kind: str
    column: str = ""
    """A column of the version's rows; ``a.b`` reads field ``b`` of the JSON or struct ``a``."""
    stages: tuple[str, ...] = ()
    """``rate`` only: the stages whose quarantined records are the failures."""
    having: str = ""
    """``rate`` only: count a quarantined record only if it has this field (a stage's chain
    quarantines under its first stage's name, records of several kinds)."""
    bins: int = 20
    """``hist`` only: bins of a histogram of many distinct values."""

    def __post_init__(self) -> None:
        if not _PLOT_NAME.fullmatch(self.name):
            raise ValueError(f"plot name must match {_PLOT_NAME.pattern}, got {self.name!r}")
        if self.kind not in PLOT_KINDS:
            raise ValueError(f"plot kind must be one of {', '.join(PLOT_KINDS)}: {self.kind!r}")
        if self.kind != "funnel" and not self.column:
            raise ValueError(f"plot {self.name!r} ({self.kind}) needs a column")
        if self.bins < 1:
            raise ValueError(f"plot {self.name!r}: bins must be >= 1, got {self.bins}")


GENERIC_PLOTS = (
    PlotSpec(name="labels", title="Label balance", kind="bar", column="label"),
    PlotSpec(name="scores", title="Score distribution", kind="hist", column="score"),
    PlotSpec(name="pass-rates", title="Pass-rate distribution", kind="hist", column="pass_rate"),
    PlotSpec(name="complexity", title="Complexity", kind="hist", column="complexity"),
    PlotSpec(name="funnel", title="Records per stage", kind="funnel"),
)
"""What every card plots when its columns exist (a plot of a missing column is left out)."""


@dataclass(frozen=True, kw_only=True)
class CardSpec:
    """What a version's dataset card says about the dataset and which plots it shows."""

    title: str = ""
    """The card's ``pretty_name``; the dataset's name when empty."""
    summary: str = ""
    """What the dataset is, in a paragraph."""
    method: str = ""
    """How it is made: the method, the paper's procedure as the flow runs it."""
    paper: str | None = None
    """The method's paper (a URL)."""
    verifiers: str = ""
    """What checks every row, and what a trainer's reward calls."""
    task_categories: tuple[str, ...] = ("text-generation",)
    """Hugging Face task categories."""
    tags: tuple[str, ...] = ()
    plots: tuple[PlotSpec, ...] = GENERIC_PLOTS

    def __post_init__(self) -> None:
        names = [p.name for p in self.plots]
        if len(set(names)) != len(names):
            raise ValueError(f"plot names repeat in a card spec: {names}")


GENERIC_CARD = CardSpec()
"""The card of a dataset whose recipe declares none."""


@dataclass(frozen=True)
class Recipe:
    """``datagen run NAME`` builds ``config`` from its options and runs ``flow`` with it."""

    name: str
    dataset: str
    config: type
    flow: str
    """``module:function`` of the flow, which takes ``(config, *, store)``."""
    help: str
    reverify: str | None = None
    """``module:function`` that re-scores published rows with the installed verifiers
    (``datagen catalog reverify``; ``generators/reverify.py``), or None."""
    cannot_reverify: str = ""
    """Without ``reverify``: what the rows lack to be re-verified, for the error."""
    card: CardSpec = GENERIC_CARD
    """What the dataset card of each of ``dataset``'s versions tells and plots."""
    more_cards: tuple[tuple[str, CardSpec], ...] = ()
    """(dataset, card) of the other datasets the flow publishes (A²Search's trajectories)."""

    def load_flow(self) -> Any:
        module, _, function = self.flow.partition(":")
        return getattr(import_module(module), function)


def all_recipes() -> dict[str, Recipe]:
    """Name → recipe, in the order the command line lists them."""
    from datagen.generators.a2search.recipe import RECIPE as A2SEARCH
    from datagen.generators.example.recipe import RECIPE as EXAMPLE
    from datagen.generators.ifevalcode.recipe import RECIPE as IFEVALCODE
    from datagen.generators.omni.recipe import RECIPE as OMNI_DETECTIVE
    from datagen.generators.tear.recipe import RECIPE as TEAR
    from datagen.generators.toolpref.recipe import RECIPE as TOOLPREF
    from datagen.generators.trbench.recipe import RECIPE as TRBENCH

    recipes = (TOOLPREF, TRBENCH, TEAR, A2SEARCH, IFEVALCODE, OMNI_DETECTIVE, EXAMPLE)
    return {r.name: r for r in recipes}


def card_spec(dataset: str) -> CardSpec:
    """The card spec of a dataset by its name (``toolpref-pairwise``), else the generic one."""
    for recipe in all_recipes().values():
        cards = {recipe.dataset: recipe.card, **dict(recipe.more_cards)}
        if dataset in cards:
            return cards[dataset]
    return GENERIC_CARD
