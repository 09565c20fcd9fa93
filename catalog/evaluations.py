"""Evaluations of dataset versions: what was scored against a version, with what, when, and the
figures it got.

One row per run of an evaluation command (``datagen eval cloze``: candidate captions scored on
a version's Omni-Cloze items; a critic's TRBench-BFCL evaluation has the same shape): the
version, the evaluation's ``kind``, the engine that answered (its spec and model), the input
files by path, size and sha256 (so a file changed since shows), the parameters, when it
started and finished, its ``figures`` (the numbers it reports, such as accuracies) and its
``counts`` (how many items, why each was wrong). An evaluation never changes its version: it is
stored beside it, listed by ``catalog show`` and deleted with it.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

KIND_RE = re.compile(r"[a-z][a-z0-9_-]*")
_NAMES = (
    "eval_id", "dataset", "version", "kind", "engine", "model", "inputs", "params",
    "started_at", "finished_at", "figures", "counts",
)  # fmt: skip
_COLUMNS = ", ".join(_NAMES)
_PLACEHOLDERS = ", ".join("?" * len(_NAMES))


def new_eval_id() -> str:
    return uuid.uuid4().hex[:16]


@dataclass(frozen=True, kw_only=True)
class EvaluationInput:
    """A file an evaluation read, by what it was for (``role``), where it was and its hash."""

    role: str
    path: str
    bytes: int
    sha256: str

    @classmethod
    def of_bytes(cls, role: str, path: Path, data: bytes) -> EvaluationInput:
        """The input read from ``path`` as ``data`` (hashed as read, not read again)."""
        return cls(
            role=role,
            path=str(path.resolve()),
            bytes=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
        )


@dataclass(frozen=True, kw_only=True)
class Evaluation:
    """One evaluation of ``dataset@version``; ``engine`` is None for one that asked none."""

    dataset: str
    version: int
    kind: str
    engine: str | None
    model: str | None
    inputs: tuple[EvaluationInput, ...]
    params: dict[str, Any]
    started_at: datetime
    finished_at: datetime
    figures: dict[str, Any]
    counts: dict[str, Any]
    eval_id: str = field(default_factory=new_eval_id)

    def __post_init__(self) -> None:
        if not KIND_RE.fullmatch(self.kind):
            raise ValueError(f"evaluation kind must be a lower-case name, got {self.kind!r}")
        if self.finished_at < self.started_at:
            raise ValueError(
                f"evaluation {self.eval_id} finished ({self.finished_at}) before it started "
                f"({self.started_at})"
            )

    @property
    def ref(self) -> str:
        return f"{self.dataset}@{self.version}"

    def as_json(self) -> dict[str, Any]:
        """The evaluation as JSON-ready values (times in ISO 8601, UTC)."""
        return {
            "eval_id": self.eval_id,
            "ref": self.ref,
            "kind": self.kind,
            "engine": self.engine,
            "model": self.model,
            "inputs": [asdict(i) for i in self.inputs],
            "params": self.params,
            "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat(),
            "figures": self.figures,
            "counts": self.counts,
        }


def _naive_utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def insert_evaluation(con: duckdb.DuckDBPyConnection, evaluation: Evaluation) -> None:
    """Add one row to ``evaluations`` (the caller has checked that the version exists)."""
    con.execute(
        f"INSERT INTO evaluations ({_COLUMNS}) VALUES ({_PLACEHOLDERS})",
        [
            evaluation.eval_id,
            evaluation.dataset,
            evaluation.version,
            evaluation.kind,
            evaluation.engine,
            evaluation.model,
            json.dumps([asdict(i) for i in evaluation.inputs]),
            json.dumps(evaluation.params),
            _naive_utc(evaluation.started_at),
            _naive_utc(evaluation.finished_at),
            json.dumps(evaluation.figures),
            json.dumps(evaluation.counts),
        ],
    )


def select_evaluations(
    con: duckdb.DuckDBPyConnection, dataset: str, version: int
) -> list[Evaluation]:
    """A version's evaluations, oldest first."""
    rows = con.execute(
        f"SELECT {_COLUMNS} FROM evaluations WHERE dataset = ? AND version = ? "
        "ORDER BY started_at, eval_id",
        [dataset, version],
    ).fetchall()
    return [_from_row(dict(zip(_NAMES, row, strict=True))) for row in rows]


def _from_row(row: dict[str, Any]) -> Evaluation:
    return Evaluation(
        eval_id=row["eval_id"],
        dataset=row["dataset"],
        version=row["version"],
        kind=row["kind"],
        engine=row["engine"],
        model=row["model"],
        inputs=tuple(EvaluationInput(**i) for i in json.loads(row["inputs"])),
        params=json.loads(row["params"]),
        started_at=row["started_at"].replace(tzinfo=UTC),
        finished_at=row["finished_at"].replace(tzinfo=UTC),
        figures=json.loads(row["figures"]),
        counts=json.loads(row["counts"]),
    )
