"""Stage tasks shared by every dataset flow.

Each task receives and returns shard paths (never large lists: Prefect walks every argument),
and per-shard stages are resumable: their output is stored under a key of their inputs'
content, config and code (``datagen.catalog.work_cache``), so a rerun after a crash skips
every finished shard. Prefect's own result cache is off: it keys on argument values and lives
outside the store.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
from prefect import task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE

from datagen.catalog.work_cache import WorkCache, WorkEntry, file_sha256, work_key
from datagen.generators.outcome import Quarantined, Record, StageCounts, StageOutcome
from datagen.schemas import first_error, records_to_table, table_to_records


def code_fingerprint(*objects: Any) -> str:
    """A hash of the source files defining ``objects`` (every file of a package given whole).

    Editing them invalidates resume keys, so stale shards are recomputed, never reused.
    """
    paths: set[Path] = set()
    for obj in objects:
        if hasattr(obj, "__path__"):  # a package
            paths.update(p for root in obj.__path__ for p in Path(root).rglob("*.py"))
        else:
            paths.add(Path(inspect.getsourcefile(obj) or ""))
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


@dataclass(frozen=True)
class Shard:
    """A Parquet file of records of one schema, identified by its content hash."""

    path: Path
    schema_id: str
    sha256: str

    @classmethod
    def of(cls, path: Path, schema_id: str) -> Shard:
        return cls(Path(path), schema_id, file_sha256(Path(path)))

    def records(self) -> list[Record]:
        return table_to_records(self.schema_id, pq.read_table(self.path))


@dataclass(frozen=True, kw_only=True)
class ShardStage:
    """A pure function over shards, with what makes its output: name, config and code."""

    name: str
    run: Callable[..., StageOutcome]
    output_schema: str
    config: dict[str, Any] = field(default_factory=dict)
    code: str = ""


@dataclass(frozen=True)
class StageResult:
    """A finished shard stage: its output shard and its counts."""

    shard: Shard
    counts: dict[str, int]
    quarantine_path: Path
    resumed: bool


def validate_outcome(outcome: StageOutcome, schema_id: str) -> StageOutcome:
    """Move records that break the schema into quarantine, with the validator's reason."""
    valid: list[Record] = []
    quarantined = list(outcome.quarantined)
    for index, record in enumerate(outcome.records):
        reason = first_error(schema_id, record)
        if reason is None:
            valid.append(record)
        else:
            record_id = str(next(iter(record.values()), index)) if record else str(index)
            quarantined.append(Quarantined(record_id, reason, record))
    return StageOutcome(outcome.stage, outcome.n_in, valid, outcome.n_filtered, quarantined).check()


def counts_of(outcome: StageOutcome) -> dict[str, int]:
    return {
        "n_in": outcome.n_in,
        "n_out": len(outcome.records),
        "n_filtered": outcome.n_filtered,
        "n_quarantined": len(outcome.quarantined),
    }


def store_outcome(
    cache: WorkCache, stage: str, key: str, outcome: StageOutcome, schema_id: str
) -> WorkEntry:
    return cache.put(
        stage,
        key,
        table=records_to_table(schema_id, outcome.records),
        quarantine=[(q.record_id, q.reason, q.record) for q in outcome.quarantined],
        meta={"stage": outcome.stage, "schema_id": schema_id, **counts_of(outcome)},
    )


def _result(entry: WorkEntry, schema_id: str, *, resumed: bool) -> StageResult:
    counts = {k: int(entry.meta[k]) for k in ("n_in", "n_out", "n_filtered", "n_quarantined")}
    return StageResult(Shard.of(entry.data_path, schema_id), counts, entry.quarantine_path, resumed)


@task(cache_policy=NO_CACHE, retries=1, retry_delay_seconds=2)
def run_shard_stage(stage: ShardStage, inputs: Sequence[Shard], cache_root: Path) -> StageResult:
    """Run ``stage`` on the records of ``inputs``, or return its stored output if finished."""
    cache = WorkCache(cache_root)
    key = work_key(
        stage=stage.name, config=stage.config, inputs=[s.sha256 for s in inputs], code=stage.code
    )
    if (entry := cache.get(stage.name, key)) is not None:
        return _result(entry, stage.output_schema, resumed=True)
    outcome = validate_outcome(stage.run(*(s.records() for s in inputs)), stage.output_schema)
    entry = store_outcome(cache, stage.name, key, outcome, stage.output_schema)
    return _result(entry, stage.output_schema, resumed=False)


def map_shards(
    stage: ShardStage, inputs: Sequence[Sequence[Shard]], cache_root: Path
) -> list[StageResult]:
    """Run ``stage`` over every input tuple concurrently; results in input order."""
    futures = [run_shard_stage.submit(stage, list(shards), cache_root) for shards in inputs]
    return [future.result() for future in futures]


def total_counts(stage: str, results: Sequence[StageResult]) -> StageCounts:
    return StageCounts.total(stage, [StageCounts(stage, **r.counts) for r in results])


def write_shards(
    cache: WorkCache, *, stage: str, schema_id: str, records: Sequence[Record], shard_size: int
) -> list[Shard]:
    """Split records into content-addressed shards of at most ``shard_size`` records."""
    shards = []
    for start in range(0, len(records), shard_size):
        chunk = list(records[start : start + shard_size])
        key = hashlib.sha256(json.dumps(chunk, sort_keys=True, default=str).encode()).hexdigest()[
            :32
        ]
        entry = cache.get(stage, key) or cache.put(
            stage,
            key,
            table=records_to_table(schema_id, chunk),
            quarantine=[],
            meta={"stage": stage, "schema_id": schema_id, "n_in": len(chunk), "n_out": len(chunk),
                  "n_filtered": 0, "n_quarantined": 0},
        )  # fmt: skip
        shards.append(Shard.of(entry.data_path, schema_id))
    return shards


def read_quarantine(paths: Sequence[Path]) -> list[Quarantined]:
    """Quarantined records of finished shards, for the version's quarantine table."""
    return [
        Quarantined(row["record_id"], row["reason"], json.loads(row["record"]))
        for path in paths
        for row in pq.read_table(path).to_pylist()
    ]


def concat_records(shards: Sequence[Shard]) -> list[Record]:
    return [record for shard in shards for record in shard.records()]


@task(cache_policy=NO_CACHE)
def report_run(*, dataset: str, title: str, markdown: str) -> str:
    """Leave the run's stats as a Prefect markdown artifact and echo them to the log."""
    key = "".join(ch if ch.isalnum() else "-" for ch in dataset.lower())
    create_markdown_artifact(markdown=markdown, key=f"{key}-report", description=title)
    print(markdown, file=sys.stderr)
    return markdown
