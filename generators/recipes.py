"""Every dataset datagen can make: one list of recipes that the command line, the schedules and
the exports read. A new dataset adds its recipe here (``docs/adding-a-dataset.md``).

A recipe names a dataset, its typed ``Config`` (``datagen.generators.config``) and the Prefect
flow that runs it, by module path: flows sit above generators and are imported only to run.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from typing import Any


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
