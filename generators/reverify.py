"""Re-verification: a published version's rows re-scored by the verifiers now installed.

A recipe names its re-verifier (``Recipe.reverify``, ``module:function``): a pure function
``(rows, *, schema_id, params) -> Reverified`` that judges each row from what the row holds,
with no engine call, and keeps the rows whose verdict still qualifies. A dropped row is
quarantined with its reason; every verdict that changed is counted by kind (``changed``),
kept rows whose scores moved included. A recipe whose rows cannot be re-verified says what
they lack (``Recipe.cannot_reverify``), and ``reverifier_for`` raises that as the error.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import import_module

from datagen.schemas.records import Quarantined, Record, StageOutcome

STAGE = "reverify"


class NotReverifiableError(ValueError):
    """A version whose rows cannot be re-verified: the message names the dataset and why."""


@dataclass(frozen=True, kw_only=True)
class Reverified:
    """What re-verification made of a version's rows."""

    outcome: StageOutcome
    """Stage ``reverify``: the kept rows, and the dropped ones quarantined with their reason."""
    changed: dict[str, int]
    """Verdict change → rows (``label_flipped``, ``output_changed``, ...); absent: none."""
    notes: tuple[str, ...] = field(default=())
    """What the report should say besides the counts (what was not re-verified)."""


Reverifier = Callable[..., Reverified]


def reverifier_for(dataset: str, schema_id: str) -> Reverifier:
    """The re-verifier of the recipe that publishes ``dataset``, or ``NotReverifiableError``
    saying why its rows cannot be re-verified."""
    from datagen.generators.recipes import all_recipes

    recipe = next((r for r in all_recipes().values() if r.dataset == dataset), None)
    if recipe is None:
        raise NotReverifiableError(
            f"dataset {dataset!r} cannot be re-verified: no recipe declares how its rows "
            f"({schema_id}) are re-verified"
        )
    if recipe.reverify is None and recipe.cannot_reverify:
        raise NotReverifiableError(
            f"dataset {dataset!r} cannot be re-verified: its rows do not hold "
            f"{recipe.cannot_reverify}"
        )
    if recipe.reverify is None:
        raise NotReverifiableError(
            f"dataset {dataset!r} cannot be re-verified: recipe {recipe.name!r} declares no "
            "re-verifier"
        )
    module, _, function = recipe.reverify.partition(":")
    return getattr(import_module(module), function)


def refuse_schema(dataset: str, schema_id: str, known: Sequence[str], lack: str) -> None:
    """``NotReverifiableError`` unless ``schema_id`` is one the re-verifier reads."""
    if schema_id not in known:
        raise NotReverifiableError(
            f"dataset {dataset!r} cannot be re-verified: its rows ({schema_id}) do not hold "
            f"{lack}; re-verifiable schemas: {', '.join(known)}"
        )


def reverified(
    rows: Sequence[Record],
    kept: list[Record],
    dropped: list[Quarantined],
    changed: Mapping[str, int],
    notes: Sequence[str] = (),
) -> Reverified:
    """The ``reverify`` stage's outcome; each dropped row's reason is ``code: detail``, and
    the reasons are counted by code."""
    reasons: dict[str, int] = {}
    for entry in dropped:
        code = f"{STAGE}: {entry.reason.split(':', 1)[0]}"
        reasons[code] = reasons.get(code, 0) + 1
    outcome = StageOutcome(STAGE, len(rows), kept, quarantined=dropped, reasons=reasons).check()
    return Reverified(
        outcome=outcome, changed={k: n for k, n in changed.items() if n}, notes=tuple(notes)
    )
