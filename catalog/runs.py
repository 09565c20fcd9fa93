"""Scheduled runs: one row per flow run of a schedule, whatever became of it.

A schedule (``datagen schedule``) runs a dataset's flow again and again; most runs find nothing
new. The ``runs`` table (migration 4) says what each run did: ``published`` a version,
found its rows ``unchanged`` (same ``content_hash`` as the latest version, so nothing was
published), was ``skipped`` because the previous run was still going, or ``failed`` (the
error in ``detail``). The flow run id is the key, so recording a run twice keeps one row.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

import duckdb

OUTCOMES = ("published", "unchanged", "skipped", "failed")
_NAMES = (
    "flow_run_id", "dataset", "deployment", "started_at", "finished_at", "outcome", "version",
    "detail",
)  # fmt: skip
_COLUMNS = ", ".join(_NAMES)
_PLACEHOLDERS = ", ".join("?" * len(_NAMES))


@dataclass(frozen=True, kw_only=True)
class RunRecord:
    """What one scheduled flow run did; ``version`` is the version it published or found."""

    flow_run_id: str
    dataset: str
    deployment: str | None
    started_at: datetime
    finished_at: datetime | None
    outcome: str
    version: int | None = None
    detail: str | None = None

    def __post_init__(self) -> None:
        if self.outcome not in OUTCOMES:
            raise ValueError(f"run outcome must be one of {OUTCOMES}, got {self.outcome!r}")
        if not self.flow_run_id:
            raise ValueError("a run record needs its flow run id")

    def as_json(self) -> dict[str, object]:
        return {
            name: value.isoformat() if isinstance(value, datetime) else value
            for name, value in ((n, getattr(self, n)) for n in _NAMES)
        }


def _naive_utc(moment: datetime | None) -> datetime | None:
    """The catalog keeps timestamps as naive UTC (as ``versions.created_at``)."""
    if moment is None or moment.tzinfo is None:
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)


def _values(run: RunRecord) -> list[object]:
    return [
        run.flow_run_id,
        run.dataset,
        run.deployment,
        _naive_utc(run.started_at),
        _naive_utc(run.finished_at),
        run.outcome,
        run.version,
        run.detail,
    ]


def record_run(con: duckdb.DuckDBPyConnection, run: RunRecord) -> None:
    """Store ``run``, replacing an earlier record of the same flow run."""
    con.execute(f"INSERT OR REPLACE INTO runs ({_COLUMNS}) VALUES ({_PLACEHOLDERS})", _values(run))


def record_new_runs(con: duckdb.DuckDBPyConnection, runs: Iterable[RunRecord]) -> int:
    """Store the runs not recorded yet (a run recorded before keeps its row); how many."""
    added = 0
    for run in runs:
        known = con.execute(
            "SELECT 1 FROM runs WHERE flow_run_id = ?", [run.flow_run_id]
        ).fetchall()
        if not known:
            con.execute(f"INSERT INTO runs ({_COLUMNS}) VALUES ({_PLACEHOLDERS})", _values(run))
            added += 1
    return added


def select_runs(con: duckdb.DuckDBPyConnection, dataset: str | None = None) -> list[RunRecord]:
    """Recorded runs (of one dataset, or all), oldest first."""
    where, params = ("WHERE dataset = ?", [dataset]) if dataset else ("", [])
    rows = con.execute(
        f"SELECT {_COLUMNS} FROM runs {where} ORDER BY started_at, flow_run_id", params
    ).fetchall()
    return [_record(row) for row in rows]


def _record(row: tuple) -> RunRecord:
    values = dict(zip(_NAMES, row, strict=True))
    for name in ("started_at", "finished_at"):
        if values[name] is not None:
            values[name] = values[name].replace(tzinfo=UTC)
    return RunRecord(**values)


def count_outcomes(runs: Iterable[RunRecord]) -> dict[str, int]:
    """How many runs had each outcome, every outcome listed."""
    counts = dict.fromkeys(OUTCOMES, 0)
    for run in runs:
        counts[run.outcome] += 1
    return counts
