"""Checkpoints trained on dataset versions: which version, which trainer, where, how it ended.

One row per finished ``datagen train`` run (migration 5's ``models`` table): the checkpoint's
folder, the version it trained on (``dataset``, ``version``) and in which view, the trainer
(``trl-grpo``, ...), the base model it started from, the trainer options it was given (JSON),
its final metrics (JSON: loss, reward, steps, ...), the Prefect flow run and when it was
recorded. ``catalog show`` lists a version's checkpoints, ``catalog models`` all of them.

A checkpoint outlives the version it came from: deleting or pruning a version leaves its
``models`` rows (the checkpoint folder is not the catalog's to delete), so the record of what a
model was trained on stays.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import duckdb

_NAMES = (
    "model_id", "path", "dataset", "version", "trainer", "view", "base_model", "options",
    "metrics", "flow_run_id", "created_at",
)  # fmt: skip
_COLUMNS = ", ".join(_NAMES)
_PLACEHOLDERS = ", ".join("?" * len(_NAMES))


def new_model_id() -> str:
    return uuid.uuid4().hex[:16]


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, kw_only=True)
class ModelRecord:
    """A checkpoint at ``path``, trained by ``trainer`` on ``dataset@version``'s ``view``."""

    path: str
    dataset: str
    version: int
    trainer: str
    view: str
    base_model: str
    options: dict[str, Any]
    metrics: dict[str, Any]
    flow_run_id: str | None
    created_at: datetime = field(default_factory=_now)
    model_id: str = field(default_factory=new_model_id)

    def __post_init__(self) -> None:
        if not self.path:
            raise ValueError("a model record needs the checkpoint's path")
        if not self.trainer:
            raise ValueError(f"model record {self.path!r} names no trainer")

    @property
    def ref(self) -> str:
        """The version it trained on, ``NAME@N``."""
        return f"{self.dataset}@{self.version}"

    def as_json(self) -> dict[str, Any]:
        """The record as JSON-ready values (``created_at`` in ISO 8601, UTC)."""
        return {
            "model_id": self.model_id,
            "ref": self.ref,
            "path": self.path,
            "trainer": self.trainer,
            "view": self.view,
            "base_model": self.base_model,
            "options": self.options,
            "metrics": self.metrics,
            "flow_run_id": self.flow_run_id,
            "created_at": self.created_at.isoformat(),
        }


def insert_model(con: duckdb.DuckDBPyConnection, record: ModelRecord) -> None:
    """Add one row to ``models`` (the caller has checked that the version exists)."""
    created = record.created_at
    con.execute(
        f"INSERT INTO models ({_COLUMNS}) VALUES ({_PLACEHOLDERS})",
        [
            record.model_id,
            record.path,
            record.dataset,
            record.version,
            record.trainer,
            record.view,
            record.base_model,
            json.dumps(record.options, default=str),
            json.dumps(record.metrics, default=str),
            record.flow_run_id,
            created.astimezone(UTC).replace(tzinfo=None) if created.tzinfo else created,
        ],
    )


def select_models(
    con: duckdb.DuckDBPyConnection, dataset: str | None = None, version: int | None = None
) -> list[ModelRecord]:
    """Recorded checkpoints (all, one dataset's, or one version's), oldest first."""
    where = [(name, value) for name, value in (("dataset", dataset), ("version", version))]
    chosen = [(name, value) for name, value in where if value is not None]
    clause = " AND ".join(f"{name} = ?" for name, _ in chosen)
    rows = con.execute(
        f"SELECT {_COLUMNS} FROM models {'WHERE ' + clause if clause else ''} "
        "ORDER BY created_at, model_id",
        [value for _, value in chosen],
    ).fetchall()
    return [_record(dict(zip(_NAMES, row, strict=True))) for row in rows]


def _record(row: dict[str, Any]) -> ModelRecord:
    return ModelRecord(
        **row
        | {
            "options": json.loads(row["options"]),
            "metrics": json.loads(row["metrics"]),
            "created_at": row["created_at"].replace(tzinfo=UTC),
        }
    )
