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

from dataclasses import asdict
from functools import partial

from prefect import flow

from datagen.catalog import LineageEntry, Store
from datagen.catalog.code_fingerprint import code_fingerprint
from datagen.catalog.work_cache import WorkCache
from datagen.flows.publish import (
    EmptyDatasetError,
    open_catalog,
    publish_version,
    stage_version,
)
from datagen.flows.stages import (
    ShardStage,
    concat_records,
    map_shards,
    read_quarantine,
    report_run,
    total_counts,
    validate_outcome,
    write_shards,
)
from datagen.flows.tear_steps import (
    SCHEMAS,
    curate_tasks,
    describe_functions,
    load_functions,
    write_functions,
)
from datagen.generators.engines import open_engine
from datagen.generators.report import render_report
from datagen.generators.tear import pipeline, seeds, tasks
from datagen.generators.tear.complexity import Band
from datagen.schemas.records import StageCounts

DATASET = "tear"


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
    code_tasks = curated.shard.records()
    counts = [*sourced.counts, *curated.counts]
    quarantine = dict(sourced.quarantine)
    descriptions: dict[str, str] = {}
    if "description" in chosen:
        described = describe_functions(
            functions=sourced.shards, code_tasks=code_tasks, shard_size=shard_size,
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
        pipeline.tasks_stage(code_tasks, descriptions, variants=chosen),
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
            code=code_fingerprint(pipeline.solve_stage),
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
