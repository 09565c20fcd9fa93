"""The TeaR flow's steps that are more than one call: getting functions (read, or written by
the engine from seed topics), curating them in the sandbox with a stored result, describing the
kept ones. ``flows/tear.py`` wires them with the shared stage tasks into the flow.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass
from functools import partial
from pathlib import Path

from prefect import task
from prefect.cache_policies import NO_CACHE

from datagen.catalog.code_fingerprint import code_fingerprint
from datagen.catalog.work_cache import WorkCache, work_key
from datagen.flows.stages import (
    Shard,
    ShardStage,
    StageResult,
    concat_records,
    map_shards,
    read_quarantine,
    total_counts,
    validate_outcome,
    write_shards,
)
from datagen.generators.engines import open_engine
from datagen.generators.sources import source_stage
from datagen.generators.tear import describe, pipeline, seeds
from datagen.generators.tear.complexity import Band
from datagen.generators.tear.sources import read_functions
from datagen.schemas import records_to_table
from datagen.schemas.records import Quarantined, Record, StageCounts
from datagen.verifiers.sandbox import Limits, Sandbox

SCHEMAS = {
    "topic": "tear/topic.v1",
    "function": "tear/function.v1",
    "description": "tear/description.v1",
    "task": "tear/task.v2",
    "attempt": "tear/attempt.v1",
    "rl": "tear/rl.v2",
}


@dataclass(frozen=True)
class Sourced:
    """The source's functions as shards, with the counts, rejects and lineage of getting them."""

    shards: list[Shard]
    counts: list[StageCounts]
    quarantine: dict[str, list[Quarantined]]
    lineage: dict


@task(cache_policy=NO_CACHE)
def load_functions(
    *, source: str, limit: int | None, inputs_per_function: int, shard_size: int, cache_root: Path
) -> Sourced:
    """Read HumanEval or a JSONL file, keep the first ``limit`` functions, shard them."""
    read = read_functions(source, inputs_per_function=inputs_per_function)
    outcome = validate_outcome(source_stage(read, limit=limit), SCHEMAS["function"])
    shards = write_shards(
        WorkCache(cache_root), stage="tear-functions", schema_id=SCHEMAS["function"],
        records=outcome.records, shard_size=shard_size,
    )  # fmt: skip
    return Sourced(shards, [StageCounts.of(outcome)], {"source": outcome.quarantined}, read.lineage)


@task(cache_policy=NO_CACHE)
def load_topics(*, path: Path, limit: int | None, shard_size: int, cache_root: Path):
    """Read the seed topics, keep the first ``limit``, shard them for the write stage."""
    outcome = validate_outcome(source_stage(seeds.read_topics(path), limit=limit), SCHEMAS["topic"])
    shards = write_shards(
        WorkCache(cache_root), stage="tear-topics", schema_id=SCHEMAS["topic"],
        records=outcome.records, shard_size=shard_size,
    )  # fmt: skip
    return shards, outcome


def write_functions(
    *, path: Path, limit: int | None, write: dict, shard_size: int, cache_root: Path
) -> Sourced:
    """Seed topics → functions the engine writes (one resumable shard stage per topic shard)."""
    topics, outcome = load_topics(
        path=path, limit=limit, shard_size=shard_size, cache_root=cache_root
    )
    written = map_shards(
        ShardStage(
            name="tear-write", output_schema=SCHEMAS["function"], config=write,
            run=partial(seeds.write_stage, engines=open_engine, **write),
            code=code_fingerprint(seeds.write_stage),
        ),
        [[shard] for shard in topics], cache_root,
    )  # fmt: skip
    default = path == seeds.DEFAULT_TOPICS  # shipped with datagen, under its license
    lineage = {"source": seeds.SEEDS if default else f"{seeds.SEEDS}:{path}",
               "license": "Apache-2.0" if default else None, "path": str(path),
               "topics": len(outcome.records)}  # fmt: skip
    return Sourced(
        [w.shard for w in written],
        [StageCounts.of(outcome), total_counts("write", written)],
        {"source": outcome.quarantined,
         "write": read_quarantine([w.quarantine_path for w in written])},
        lineage,
    )  # fmt: skip


@dataclass(frozen=True)
class Curated:
    """Curation's stored output: the code-variant tasks, each filter's counts, the reasons."""

    shard: Shard
    counts: list[StageCounts]
    reasons: Counter
    resumed: bool


@task(cache_policy=NO_CACHE)
def curate_tasks(
    *, functions: list[Shard], band: Band, max_output_chars: int, dedup_threshold: float,
    cache_root: Path,
) -> Curated:  # fmt: skip
    """Run the functions in the sandbox and filter them, or reuse the stored curation.

    The key covers the functions' content (so the source, ``--limit`` and
    ``--inputs-per-function``), the filters' config and the code of curation and the sandbox.
    """
    limits = Limits(cpu_seconds=2, wall_seconds=5.0, trace_steps=band.max_trace_steps + 1)
    config = {"band": asdict(band), "limits": asdict(limits),
              "max_output_chars": max_output_chars, "dedup_threshold": dedup_threshold}  # fmt: skip
    code = code_fingerprint(pipeline.curate_stage)
    cache, stage = WorkCache(cache_root), "tear-curate"
    key = work_key(stage=stage, config=config, inputs=[s.sha256 for s in functions], code=code)
    entry = cache.get(stage, key)
    resumed = entry is not None
    if entry is None:
        with Sandbox(limits=limits) as sandbox:
            curated = pipeline.curate_stage(
                concat_records(functions), sandbox=sandbox, band=band,
                max_output_chars=max_output_chars, dedup_threshold=dedup_threshold,
            )  # fmt: skip
        entry = cache.put(
            stage, key, table=records_to_table(SCHEMAS["task"], curated.tasks), quarantine=[],
            meta={"stage": stage, "counts": [asdict(c) for c in curated.counts],
                  "reasons": dict(curated.reasons)},
        )  # fmt: skip
    return Curated(
        Shard.of(entry.data_path, SCHEMAS["task"]),
        [StageCounts(**c) for c in entry.meta["counts"]],
        Counter(entry.meta["reasons"]),
        resumed,
    )


def describe_functions(
    *, functions: list[Shard], code_tasks: list[Record], describe_config: dict, shard_size: int,
    cache_root: Path,
) -> list[StageResult]:  # fmt: skip
    """One engine description per function that kept a task (one resumable stage per shard)."""
    kept = pipeline.kept_functions(concat_records(functions), code_tasks)
    shards = write_shards(
        WorkCache(cache_root), stage="tear-kept-functions", schema_id=SCHEMAS["function"],
        records=kept, shard_size=shard_size,
    )  # fmt: skip
    return map_shards(
        ShardStage(
            name="tear-describe", output_schema=SCHEMAS["description"], config=describe_config,
            run=partial(describe.describe_stage, engines=open_engine, **describe_config),
            code=code_fingerprint(describe.describe_stage),
        ),
        [[shard] for shard in shards], cache_root,
    )  # fmt: skip
