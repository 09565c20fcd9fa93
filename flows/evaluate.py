"""Evaluate against a catalog version and store the figures beside it (``datagen eval ...``).

Plain functions, no Prefect: an evaluation reads one version, asks an engine one batch and
writes one catalog row. Everything that can be refused (the version, its kind, the input file)
is checked by ``prepare_cloze`` / ``prepare_critic`` before the engine is opened, since loading
a model takes a while; nothing is stored unless the whole evaluation ran.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from datagen.catalog import Catalog, VersionInfo
from datagen.catalog.evaluations import Evaluation, EvaluationInput
from datagen.generators.critic_eval import (
    COLUMNS,
    TEMPERATURE,
    CriticEvalError,
    CriticEvaluation,
    CriticItem,
    critic_items,
    critic_requests,
)
from datagen.generators.critic_eval import evaluate as evaluate_critic
from datagen.generators.engines.base import Engine, Request
from datagen.generators.omni.cloze_eval import (
    ClozeEvalError,
    ClozeEvaluation,
    ClozeItem,
    answer_requests,
    cloze_items,
    evaluate,
    read_captions,
)
from datagen.schemas import table_to_records

CLOZE_SCHEMAS = ("omni/caption.v1",)
"""The record schemas whose rows carry Omni-Cloze items (Omni-Detective's)."""
CLOZE_SEED = 0
CRITIC_SCHEMAS = ("toolpref/critique.v2", "trbench/critique.v1")
"""The record schemas whose rows are pairwise critiques a critic can be scored on (ToolPref's
and TRBench-BFCL's, which adds an ``error_type`` column)."""


@dataclass(frozen=True, kw_only=True)
class PreparedCloze:
    """A cloze evaluation checked and ready for its engine."""

    info: VersionInfo
    items: list[ClozeItem]
    captions: dict[str, str]
    captions_input: EvaluationInput
    requests: list[Request]
    started_at: datetime


def prepare_cloze(catalog: Catalog, ref: str, *, captions: Path) -> PreparedCloze:
    """The version's cloze items and the captions file, checked; the requests to ask.

    Raises ``CatalogError`` for an unknown version and ``ClozeEvalError`` for a version without
    cloze items or a captions file that cannot be read (naming its line).
    """
    started = datetime.now(UTC)
    info = catalog.resolve(ref)
    if info.schema_id not in CLOZE_SCHEMAS:
        raise ClozeEvalError(
            f"{info.ref} holds {info.schema_id} records, not Omni-Detective captions "
            f"({', '.join(CLOZE_SCHEMAS)}): it has no cloze items to evaluate on"
        )
    table = catalog.read(info.ref)
    items = []
    if "cloze" in table.column_names:
        rows = table_to_records(info.schema_id, table.select(["clip_id", "cloze"]))
        items = cloze_items(rows)
    if not items:
        raise ClozeEvalError(f"{info.ref} has no cloze items: no caption had a blank")
    try:
        data = captions.read_bytes()
        text = data.decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ClozeEvalError(f"cannot read the captions {captions}: {exc}") from None
    by_clip = read_captions(text.split("\n"), source=str(captions))
    return PreparedCloze(
        info=info,
        items=items,
        captions=by_clip,
        captions_input=EvaluationInput.of_bytes("captions", captions, data),
        requests=answer_requests(items, by_clip, seed=CLOZE_SEED),
        started_at=started,
    )


def run_cloze(
    catalog: Catalog, prepared: PreparedCloze, engine: Engine
) -> tuple[ClozeEvaluation, Evaluation]:
    """Ask ``engine`` every request in one batch, mark the answers and store the evaluation."""
    results = engine.generate(prepared.requests) if prepared.requests else []
    marked = evaluate(prepared.items, prepared.captions, results)
    stored = catalog.add_evaluation(
        Evaluation(
            dataset=prepared.info.dataset,
            version=prepared.info.version,
            kind="cloze",
            engine=engine.name,
            model=engine.model,
            inputs=(prepared.captions_input,),
            params={"seed": CLOZE_SEED},
            started_at=prepared.started_at,
            finished_at=datetime.now(UTC),
            figures=marked.figures,
            counts=marked.counts,
        )
    )
    return marked, stored


@dataclass(frozen=True, kw_only=True)
class PreparedCritic:
    """A critic evaluation checked and ready for its engine."""

    info: VersionInfo
    items: list[CriticItem]
    requests: list[Request]
    params: dict[str, Any]
    started_at: datetime


def prepare_critic(
    catalog: Catalog, ref: str, *, max_tokens: int, seed: int, limit: int | None = None
) -> PreparedCritic:
    """The version's critique rows (those of its first ``limit`` pairs) and their requests.

    Raises ``CatalogError`` for an unknown version and ``CriticEvalError`` for a version whose
    rows are not critiques, or that has none.
    """
    started = datetime.now(UTC)
    info = catalog.resolve(ref)
    if info.schema_id not in CRITIC_SCHEMAS:
        raise CriticEvalError(
            f"{info.ref} holds {info.schema_id} records, not critique rows "
            f"({', '.join(CRITIC_SCHEMAS)}): there is nothing to judge"
        )
    table = catalog.read(info.ref)
    columns = [name for name in COLUMNS if name in table.column_names]
    items = critic_items(table_to_records(info.schema_id, table.select(columns)), limit=limit)
    if not items:
        raise CriticEvalError(f"{info.ref} has no critique rows")
    return PreparedCritic(
        info=info,
        items=items,
        requests=critic_requests(items, max_tokens=max_tokens, seed=seed),
        params={"max_tokens": max_tokens, "seed": seed, "limit": limit, "temperature": TEMPERATURE},
        started_at=started,
    )


def run_critic(
    catalog: Catalog, prepared: PreparedCritic, engine: Engine
) -> tuple[CriticEvaluation, Evaluation]:
    """Ask the critic every row in one batch, mark the answers and store the evaluation."""
    results = engine.generate(prepared.requests)
    marked = evaluate_critic(prepared.items, results)
    stored = catalog.add_evaluation(
        Evaluation(
            dataset=prepared.info.dataset,
            version=prepared.info.version,
            kind="critic",
            engine=engine.name,
            model=engine.model,
            inputs=(),
            params=prepared.params,
            started_at=prepared.started_at,
            finished_at=datetime.now(UTC),
            figures=marked.figures,
            counts=marked.counts,
        )
    )
    return marked, stored
