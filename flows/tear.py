"""TeaR: curated code-execution reasoning tasks ("what does f(x) return?") for RL.

source (HumanEval, a JSONL file, or functions the engine writes from seed topics) → curate
(static filters, complexity band, dedup, sandbox execution twice, run filters) → describe (the
engine tells each kept function in words, for the no-code variant) → tasks (each variant) →
solve (K engine samples per task) → difficulty band → pass-rate balance → validate → publish →
report. Every engine stage is a resumable shard stage, and curation is stored under a key of
its input functions, config and code, so a rerun after a crash recomputes nothing finished.
Every step is a plain function in ``datagen.generators.tear``; this file only wires them to
shards, the sandbox and Prefect.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass
from functools import partial
from pathlib import Path

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from datagen import verifiers
from datagen.catalog import LineageEntry, Store
from datagen.catalog.work_cache import WorkCache, work_key
from datagen.flows.publish import (
    EmptyDatasetError,
    open_catalog,
    publish_version,
    stage_version,
)
from datagen.flows.stages import (
    Shard,
    ShardStage,
    StageResult,
    code_fingerprint,
    concat_records,
    map_shards,
    read_quarantine,
    report_run,
    total_counts,
    validate_outcome,
    write_shards,
)
from datagen.generators.engines import open_engine
from datagen.generators.outcome import Quarantined, StageCounts
from datagen.generators.report import render_report
from datagen.generators.tear import complexity, curation, describe, execute, pipeline, seeds, tasks
from datagen.generators.tear.complexity import Band
from datagen.generators.tear.sources import read_functions
from datagen.schemas import records_to_table
from datagen.verifiers import sandbox as sandbox_package
from datagen.verifiers.sandbox import Limits

DATASET = "tear"
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
    outcome = validate_outcome(
        pipeline.source_stage(read.functions, rejects=read.rejects, limit=limit),
        SCHEMAS["function"],
    )
    shards = write_shards(
        WorkCache(cache_root), stage="tear-functions", schema_id=SCHEMAS["function"],
        records=outcome.records, shard_size=shard_size,
    )  # fmt: skip
    return Sourced(shards, [StageCounts.of(outcome)], {"source": outcome.quarantined}, read.lineage)


@task(cache_policy=NO_CACHE)
def load_topics(*, path: Path, limit: int | None, shard_size: int, cache_root: Path):
    """Read the seed topics, keep the first ``limit``, shard them for the write stage."""
    outcome = validate_outcome(
        pipeline.source_stage(seeds.read_topics(path), limit=limit), SCHEMAS["topic"]
    )
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
            code=code_fingerprint(seeds, curation),
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
    code = code_fingerprint(pipeline, curation, complexity, execute, tasks, sandbox_package)
    cache, stage = WorkCache(cache_root), "tear-curate"
    key = work_key(stage=stage, config=config, inputs=[s.sha256 for s in functions], code=code)
    entry = cache.get(stage, key)
    resumed = entry is not None
    if entry is None:
        from datagen.verifiers.sandbox import Sandbox

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
    *, functions: list[Shard], curated: Curated, describe_config: dict, shard_size: int,
    cache_root: Path,
) -> list[StageResult]:  # fmt: skip
    """One engine description per function that kept a task (one resumable stage per shard)."""
    kept = pipeline.kept_functions(concat_records(functions), curated.shard.records())
    shards = write_shards(
        WorkCache(cache_root), stage="tear-kept-functions", schema_id=SCHEMAS["function"],
        records=kept, shard_size=shard_size,
    )  # fmt: skip
    return map_shards(
        ShardStage(
            name="tear-describe", output_schema=SCHEMAS["description"], config=describe_config,
            run=partial(describe.describe_stage, engines=open_engine, **describe_config),
            code=code_fingerprint(describe),
        ),
        [[shard] for shard in shards], cache_root,
    )  # fmt: skip


@flow(name="tear", log_prints=True)
def tear(
    *,
    source: str = "humaneval",
    limit: int | None = None,
    inputs_per_function: int = 3,
    variants: str = "code,description",
    samples: int = 4,
    seed: int = 0,
    engine: str = "embedded",
    store: str | None = None,
    shard_size: int = 16,
    temperature: float = 0.8,
    max_tokens: int = 48,
    min_pass_rate: float = 0.01,
    max_pass_rate: float = 0.99,
    max_bucket_share: float = 0.5,
    max_output_chars: int = 200,
    max_ast_nodes: int = 400,
    max_depth: int = 4,
    max_trace_steps: int = 600,
    dedup_threshold: float = 0.9,
    write_temperature: float = 0.7,
    write_max_tokens: int = 192,
    describe_temperature: float = 0.3,
    describe_max_tokens: int = 80,
) -> dict:
    """Curate, describe, solve, balance and publish a TeaR version; returns its ref."""
    params = {k: v for k, v in locals().items() if k != "store"}
    where = Store.resolve(store)
    chosen = tasks.parse_variants(variants)
    band = Band(max_ast_nodes=max_ast_nodes, max_depth=max_depth, max_trace_steps=max_trace_steps)
    roles = ["solver"]
    topics = seeds.topics_path(source)
    if topics is None:
        sourced = load_functions(
            source=source, limit=limit, inputs_per_function=inputs_per_function,
            shard_size=shard_size, cache_root=where.work_dir,
        )  # fmt: skip
    else:
        write = dict(
            engine=engine, seed=seed, temperature=write_temperature,
            max_tokens=write_max_tokens, inputs_per_function=inputs_per_function,
        )  # fmt: skip
        sourced = write_functions(
            path=topics, limit=limit, write=write, shard_size=shard_size, cache_root=where.work_dir
        )
        roles.insert(0, "writer")
    catalog = open_catalog.submit(where.root)  # created or migrated beside the work
    curated = curate_tasks(
        functions=sourced.shards, band=band, max_output_chars=max_output_chars,
        dedup_threshold=dedup_threshold, cache_root=where.work_dir,
    )  # fmt: skip
    counts = [*sourced.counts, *curated.counts]
    quarantine = dict(sourced.quarantine)
    descriptions: dict[str, str] = {}
    if "description" in chosen:
        described = describe_functions(
            functions=sourced.shards, curated=curated, shard_size=shard_size,
            cache_root=where.work_dir,
            describe_config=dict(engine=engine, seed=seed, temperature=describe_temperature,
                                 max_tokens=describe_max_tokens),
        )  # fmt: skip
        counts.append(total_counts("describe", described))
        quarantine["describe"] = read_quarantine([d.quarantine_path for d in described])
        descriptions = {
            r["function_id"]: r["description"] for r in concat_records([d.shard for d in described])
        }
        roles.insert(-1, "describer")
    built = validate_outcome(
        pipeline.tasks_stage(curated.shard.records(), descriptions, variants=chosen),
        SCHEMAS["task"],
    )
    counts.append(StageCounts.of(built))
    quarantine["tasks"] = built.quarantined
    shards = write_shards(
        WorkCache(where.work_dir), stage="tear-tasks", schema_id=SCHEMAS["task"],
        records=built.records, shard_size=shard_size,
    )  # fmt: skip
    solve = dict(engine=engine, samples=samples, temperature=temperature,
                 max_tokens=max_tokens, seed=seed)  # fmt: skip
    solved = map_shards(
        ShardStage(
            name="tear-solve", output_schema=SCHEMAS["attempt"], config=solve,
            run=partial(pipeline.solve_stage, engines=open_engine, **solve),
            code=code_fingerprint(pipeline, tasks, verifiers),
        ),
        [[shard] for shard in shards], where.work_dir,
    )  # fmt: skip
    selection = pipeline.select_stage(
        concat_records(shards), concat_records([s.shard for s in solved]),
        min_pass_rate=min_pass_rate, max_pass_rate=max_pass_rate,
        max_bucket_share=max_bucket_share, seed=seed,
    )  # fmt: skip
    final = validate_outcome(selection.outcomes[-1], SCHEMAS["rl"])
    counts += [
        total_counts("solve", solved),
        StageCounts.of(selection.outcomes[0]),
        StageCounts.of(final),
    ]
    balance = asdict(selection.balance)
    distributions = pipeline.complexity_distributions(final.records)
    variant_counts = pipeline.variant_counts(final.records)
    report_run(
        dataset=DATASET,
        title="TeaR run",
        markdown=render_report(
            dataset=DATASET, counts=counts,
            notes=[f"curation {'resumed from the store' if curated.resumed else 'computed'}",
                   f"{sum(r.resumed for r in solved)} of {len(solved)} solve shards resumed",
                   f"balance: max share {max_bucket_share} per pass-rate bucket "
                   f"{balance['note']}".strip()],
            distributions={"filter reasons": dict(curated.reasons.most_common()),
                           "pass rate before balance": balance["before"],
                           "pass rate after balance": balance["after"],
                           "variant": variant_counts, **distributions},
        ),
    )  # fmt: skip
    catalog.result()
    if not final.records:
        raise EmptyDatasetError(DATASET, counts)
    staged = stage_version(
        store=where, dataset=DATASET, schema_id=SCHEMAS["rl"], rows=final.records,
        params=params,
        lineage=[
            LineageEntry(kind="source", ref=str(sourced.lineage.get("source", source)),
                         license=sourced.lineage.get("license"), details=sourced.lineage),
            *[LineageEntry(kind="source", ref=f"engine:{engine}", details={"role": role})
              for role in roles],
        ],
        counts=counts,
        quarantine={
            **quarantine,
            "solve": read_quarantine([s.quarantine_path for s in solved]),
            "rl": final.quarantined,
        },
        stats={"balance": balance, "complexity": distributions, "variants": variant_counts,
               "filter_reasons": dict(curated.reasons)},
    )  # fmt: skip
    return publish_version(staged)
