"""Stage tasks shared by every dataset flow.

Each task receives and returns shard paths (never large lists: Prefect walks every argument),
and per-shard stages are resumable: their output is stored under a key of their inputs'
content, config and code (``datagen.catalog.work_cache``), so a rerun after a crash skips
every finished shard. Prefect's own result cache is off: it keys on argument values and lives
outside the store.
"""

from __future__ import annotations

import gc
import hashlib
import json
import shutil
import sys
import threading
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import ContextDecorator, contextmanager
from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from prefect import task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.futures import PrefectFuture

from datagen.catalog import Store
from datagen.catalog.code_fingerprint import code_fingerprint
from datagen.catalog.work_cache import WorkCache, WorkEntry, file_sha256, work_key
from datagen.generators.engines import Engine, open_engine
from datagen.generators.engines.meter import TokenCount, TokenMeter
from datagen.generators.engines.spec import without_prices
from datagen.schemas import first_error, records_to_table, table_to_records
from datagen.schemas.records import Quarantined, Record, StageCounts, StageOutcome

_gc_lock = threading.Lock()
_gc_users = 0
_gc_saved: tuple[int, int, int] = gc.get_threshold()


class fewer_gc_passes(ContextDecorator):
    """Collect the young generation every ``young`` allocations instead of CPython's 700.

    Stages build hundreds of thousands of long-lived dicts; at 700 the cyclic collector runs
    so often that it doubled the time to read a 10k-task source (measured: 3.2 s vs 1.5 s,
    ``bench/orchestration.py``). Usable as a decorator; nested and concurrent uses (flows in
    threads) restore the process's thresholds when the last one exits. A class rather than
    ``@contextmanager``, whose decorator holds a generator: Ray's runner pickles the flow it
    decorates into every task, and generators cannot be pickled.
    """

    def __init__(self, young: int = 50_000) -> None:
        self.young = young

    def __enter__(self) -> None:
        global _gc_users, _gc_saved
        with _gc_lock:
            if _gc_users == 0:
                _gc_saved = gc.get_threshold()
                gc.set_threshold(max(self.young, _gc_saved[0]), *_gc_saved[1:])
            _gc_users += 1

    def __exit__(self, *exc_info: object) -> None:
        global _gc_users
        with _gc_lock:
            _gc_users -= 1
            if _gc_users == 0:
                gc.set_threshold(*_gc_saved)


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
    """A pure function over shards, with what makes its output: name, config and code.

    ``run`` returns the stage's outcome, or a chain of outcomes (filters applied one after the
    other, each counted; the last one's records are the output). ``code`` is the fingerprint
    of the code ``run`` reaches (``code_fingerprint``), part of every resume key.
    ``engines``, for a stage that calls engines, is the opener ``run`` gets as ``engines``,
    metered: the tokens its engines spend are stored with the shard's output.
    """

    name: str
    run: Callable[..., StageOutcome | list[StageOutcome]]
    output_schema: str
    config: dict[str, Any] = field(default_factory=dict)
    code: str = ""
    engines: Callable[[str], Engine] | None = None

    def __post_init__(self) -> None:
        if not self.code:
            object.__setattr__(self, "code", code_fingerprint(self.run))


def engine_shard_stage(
    name: str, output_schema: str, run: Callable[..., StageOutcome], **config: Any
) -> ShardStage:
    """A shard stage that calls engines: ``run`` gets ``open_engine`` as ``engines`` and the
    config as keywords, and the config (engine spec and sampling) is part of its resume key.
    ``run`` sees the specs without their prices, so a price changes nothing it computes."""
    return ShardStage(
        name=name,
        output_schema=output_schema,
        config=config,
        run=partial(run, **without_prices(config)),
        engines=open_engine,
    )


@dataclass(frozen=True)
class StageResult:
    """A finished shard stage: its output shard, the counts of each outcome of its chain, the
    reasons records were filtered, its quarantine file, and the tokens its engines spent
    (stored with it: a resumed shard's are those of the run that made it)."""

    shard: Shard
    counts: tuple[StageCounts, ...]
    reasons: dict[str, int]
    quarantine_path: Path
    resumed: bool
    tokens: tuple[TokenCount, ...] = ()


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
    return StageOutcome(
        outcome.stage, outcome.n_in, valid, outcome.n_filtered, quarantined, outcome.reasons
    ).check()


def store_chain(
    cache: WorkCache,
    stage: str,
    key: str,
    chain: Sequence[StageOutcome],
    schema_id: str,
    tokens: Sequence[TokenCount] = (),
) -> WorkEntry:
    """Store a shard stage's output: the last outcome's records, every outcome's counts, the
    tokens its engines spent."""
    reasons: Counter[str] = Counter()
    for outcome in chain:
        reasons.update(outcome.reasons)
    return cache.put(
        stage,
        key,
        table=records_to_table(schema_id, chain[-1].records),
        quarantine=[(q.record_id, q.reason, q.record) for o in chain for q in o.quarantined],
        meta={
            "stage": stage,
            "schema_id": schema_id,
            "counts": [asdict(StageCounts.of(o)) for o in chain],
            "reasons": dict(reasons),
            "tokens": [t.as_json() for t in tokens],
        },
    )


def _result(entry: WorkEntry, schema_id: str, *, resumed: bool) -> StageResult:
    counts = tuple(StageCounts(**c) for c in entry.meta["counts"])
    reasons = dict(entry.meta["reasons"])
    tokens = tuple(TokenCount(**t) for t in entry.meta.get("tokens", ()))
    shard = Shard.of(entry.data_path, schema_id)
    return StageResult(shard, counts, reasons, entry.quarantine_path, resumed, tokens)


_decoding = threading.Lock()
"""Decoding a shard is pure Python: shard tasks that start together take turns, so the first
one's records are ready (and its engine batch can start) without waiting for every other's."""

ShardInput = Shard | StageResult | PrefectFuture
"""An input of a shard stage: a shard, a finished stage's result, or a running stage's future
(Prefect waits for it, so a stage can start on a shard as soon as the stage before finishes)."""


def run_stage(
    stage: ShardStage, inputs: Sequence[Shard | StageResult], cache_root: Path
) -> StageResult:
    """Run ``stage`` on the records of ``inputs``, or return its stored output if finished.

    Engine prices are not part of the key (``without_prices``): a new price reuses the shards.
    """
    shards = [i.shard if isinstance(i, StageResult) else i for i in inputs]
    cache = WorkCache(cache_root)
    key = work_key(
        stage=stage.name,
        config=without_prices(stage.config),
        inputs=[s.sha256 for s in shards],
        code=stage.code,
    )
    if (entry := cache.get(stage.name, key)) is not None:
        return _result(entry, stage.output_schema, resumed=True)
    with _decoding:
        records = [s.records() for s in shards]
    meter = TokenMeter()
    engines = {} if stage.engines is None else {"engines": meter.opener(stage.engines)}
    produced = stage.run(*records, **engines)
    chain = list(produced) if isinstance(produced, list) else [produced]
    chain[-1] = validate_outcome(chain[-1], stage.output_schema)
    entry = store_chain(cache, stage.name, key, chain, stage.output_schema, meter.counts())
    return _result(entry, stage.output_schema, resumed=False)


@task(cache_policy=NO_CACHE, retries=1, retry_delay_seconds=2)
def run_shard_stage(
    stage: ShardStage, inputs: Sequence[Shard | StageResult], cache_root: Path
) -> StageResult:
    """``run_stage`` as a Prefect task.

    Its body only calls ``run_stage``: Ray's runner pickles a task's function by value, with
    the module globals it names, and a module-level lock such as ``_decoding`` cannot be
    pickled; a function found by its module and name is pickled as a reference.
    """
    return run_stage(stage, inputs, cache_root)


def submit_shards(
    stage: ShardStage, inputs: Sequence[Sequence[ShardInput]], cache_root: Path
) -> list[PrefectFuture]:
    """Start ``stage`` on every input tuple; a tuple holding futures waits for them alone."""
    return [run_shard_stage.submit(stage, list(shards), cache_root) for shards in inputs]


def map_shards(
    stage: ShardStage, inputs: Sequence[Sequence[ShardInput]], cache_root: Path
) -> list[StageResult]:
    """Run ``stage`` over every input tuple concurrently; results in input order."""
    return [future.result() for future in submit_shards(stage, inputs, cache_root)]


def iter_shards(
    cache: WorkCache, *, stage: str, schema_id: str, records: Sequence[Record], shard_size: int
) -> Iterator[Shard]:
    """Split records into content-addressed shards of at most ``shard_size`` records, each
    yielded as soon as it is written (so a flow can start work on it while it writes the next).

    A shard's key hashes its encoded table (Arrow's IPC bytes), which is the same for the same
    records in the same order, without encoding them twice (a sorted JSON dump of every chunk
    took a third of the time to load a 10k-task source).
    """
    for start in range(0, len(records), shard_size):
        table = records_to_table(schema_id, records[start : start + shard_size])
        key = hashlib.sha256(_ipc_bytes(table)).hexdigest()[:32]
        entry = cache.get(stage, key) or cache.put(
            stage,
            key,
            table=table,
            quarantine=[],
            meta={
                "stage": stage,
                "schema_id": schema_id,
                "n_in": table.num_rows,
                "n_out": table.num_rows,
                "n_filtered": 0,
                "n_quarantined": 0,
            },
        )
        yield Shard.of(entry.data_path, schema_id)


def write_shards(
    cache: WorkCache, *, stage: str, schema_id: str, records: Sequence[Record], shard_size: int
) -> list[Shard]:
    """Every shard of ``iter_shards``, written before returning."""
    return list(
        iter_shards(cache, stage=stage, schema_id=schema_id, records=records, shard_size=shard_size)
    )


def map_records(
    stage: ShardStage,
    records: Sequence[Record],
    *,
    input_stage: str,
    input_schema: str,
    shard_size: int,
    work_dir: Path,
) -> tuple[list[Shard], list[StageResult]]:
    """Write ``records`` as resumable shards (stored as ``input_stage``) and run ``stage`` on
    each one; the input shards and the stage's results, in order."""
    cache = WorkCache(work_dir)
    shards = write_shards(
        cache, stage=input_stage, schema_id=input_schema, records=records, shard_size=shard_size
    )
    return shards, map_shards(stage, [[s] for s in shards], work_dir)


def _ipc_bytes(table: pa.Table) -> memoryview:
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return memoryview(sink.getvalue())


@contextmanager
def scratch_folder(store: Store) -> Iterator[Path]:
    """A staging folder of the store for a run's intermediate files, removed when done."""
    folder = store.staging_dir()
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def read_quarantine(paths: Sequence[Path]) -> list[Quarantined]:
    """Quarantined records of finished shards, for the version's quarantine table."""
    return [
        Quarantined(row["record_id"], row["reason"], json.loads(row["record"]))
        for path in paths
        for row in pq.read_table(path).to_pylist()
    ]


def concat_records(shards: Sequence[Shard]) -> list[Record]:
    return [record for shard in shards for record in shard.records()]


def artifact_key(dataset: str, kind: str) -> str:
    """A Prefect artifact key for one of a dataset's artifacts (keys allow only lowercase
    letters, digits and dashes): ``toolpref-pairwise-report``, ``a2search-card``."""
    return "".join(ch if ch.isalnum() else "-" for ch in dataset.lower()) + f"-{kind}"


def report_run(*, dataset: str, title: str, markdown: str) -> str:
    """Leave the run's stats as a Prefect markdown artifact and show them on the terminal.

    Called in the flow's body, not as a task: the artifact belongs to the flow run, and a task
    would add Prefect round trips to the run's tail. Written to stderr directly, not printed:
    flows run with ``log_prints``, which would turn a print into a log record that the default
    WARNING log level hides.
    """
    create_markdown_artifact(
        markdown=markdown, key=artifact_key(dataset, "report"), description=title
    )
    sys.stderr.write(markdown + "\n")
    return markdown
