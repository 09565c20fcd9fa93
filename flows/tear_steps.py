"""The TeaR flow's steps that are more than one call: getting the functions (read, or written
by the engine from seed topics), curating them, describing the kept ones, solving the tasks,
and accounting for the selection. ``flows/tear.py`` wires them into the flow.
"""

from __future__ import annotations

from dataclasses import asdict
from functools import partial

from datagen.catalog import Store
from datagen.catalog.work_cache import WorkCache
from datagen.flows.ledger import Ledger
from datagen.flows.stages import (
    Shard,
    ShardStage,
    concat_records,
    map_shards,
    validate_outcome,
    write_shards,
)
from datagen.generators.engines import open_engine
from datagen.generators.sources import source_stage
from datagen.generators.tear import describe, pipeline, seeds
from datagen.generators.tear.complexity import Band
from datagen.generators.tear.recipe import TeaRConfig
from datagen.generators.tear.sources import read_functions
from datagen.schemas.records import Record
from datagen.verifiers.sandbox import Limits

SCHEMAS = {
    "topic": "tear/topic.v1",
    "function": "tear/function.v1",
    "description": "tear/description.v1",
    "task": "tear/task.v2",
    "attempt": "tear/attempt.v1",
    "rl": "tear/rl.v2",
}


def source_functions(config: TeaRConfig, store: Store, ledger: Ledger) -> list[Shard]:
    """The source's functions as shards: read (HumanEval, JSONL), or written by the engine
    for each seed topic (a resumable shard stage)."""
    cache = WorkCache(store.work_dir)
    topics = seeds.topics_path(config.source)
    if topics is None:
        read = read_functions(config.source, inputs_per_function=config.inputs_per_function)
        ledger.source(read.lineage, default=config.source)
        functions = ledger.outcome(
            validate_outcome(source_stage(read, limit=config.limit), SCHEMAS["function"])
        )
        return write_shards(
            cache,
            stage="tear-functions",
            schema_id=SCHEMAS["function"],
            records=functions,
            shard_size=config.shard_size,
        )
    read = seeds.read_topics(topics)
    default = topics == seeds.DEFAULT_TOPICS  # shipped with datagen, under its license
    ledger.source(
        {
            "source": seeds.SEEDS if default else f"{seeds.SEEDS}:{topics}",
            "license": "Apache-2.0" if default else None,
            "path": str(topics),
            "topics": len(read.records),
        },
        default=config.source,
    )
    chosen = ledger.outcome(
        validate_outcome(source_stage(read, limit=config.limit), SCHEMAS["topic"])
    )
    write = {
        "engine": config.engine,
        "seed": config.seed,
        "temperature": config.write_temperature,
        "max_tokens": config.write_max_tokens,
        "inputs_per_function": config.inputs_per_function,
    }
    stage = ShardStage(
        name="tear-write",
        output_schema=SCHEMAS["function"],
        config=write,
        run=partial(seeds.write_stage, engines=open_engine, **write),
    )
    topic_shards = write_shards(
        cache,
        stage="tear-topics",
        schema_id=SCHEMAS["topic"],
        records=chosen,
        shard_size=config.shard_size,
    )
    ledger.engine(config.engine, role="writer")
    return ledger.shards(map_shards(stage, [[s] for s in topic_shards], store.work_dir), "write")


def describe_functions(
    config: TeaRConfig,
    functions: list[Record],
    code_tasks: list[Record],
    store: Store,
    ledger: Ledger,
) -> dict[str, str]:
    """Function id → the engine's description, for each function that kept a task (one
    resumable shard stage per shard); empty when the description variant is not asked for."""
    if "description" not in config.chosen_variants:
        return {}
    kept = pipeline.kept_functions(functions, code_tasks)
    shards = write_shards(
        WorkCache(store.work_dir),
        stage="tear-kept-functions",
        schema_id=SCHEMAS["function"],
        records=kept,
        shard_size=config.shard_size,
    )
    sampling = {
        "engine": config.engine,
        "seed": config.seed,
        "temperature": config.describe_temperature,
        "max_tokens": config.describe_max_tokens,
    }
    stage = ShardStage(
        name="tear-describe",
        output_schema=SCHEMAS["description"],
        config=sampling,
        run=partial(describe.describe_stage, engines=open_engine, **sampling),
    )
    ledger.engine(config.engine, role="describer")
    described = ledger.shards(map_shards(stage, [[s] for s in shards], store.work_dir), "describe")
    return {r["function_id"]: r["description"] for r in concat_records(described)}


def curate_functions(
    config: TeaRConfig, functions: list[Record], store: Store, ledger: Ledger
) -> list[Record]:
    """Screen every function at once, then run their inputs in the sandbox shard by shard (a
    resumable stage); the code-variant task of each kept (function, input, output)."""
    screened = ledger.outcome(
        *pipeline.screen_stage(
            functions, band=band_of(config), dedup_threshold=config.dedup_threshold
        )
    )
    shards = write_shards(
        WorkCache(store.work_dir),
        stage="tear-screened",
        schema_id=SCHEMAS["function"],
        records=screened,
        shard_size=config.shard_size,
    )
    executed = map_shards(execute_stage(config), [[s] for s in shards], store.work_dir)
    return concat_records(ledger.shards(executed, *pipeline.EXECUTE_STAGES))


def band_of(config: TeaRConfig) -> Band:
    return Band(
        max_ast_nodes=config.max_ast_nodes,
        max_depth=config.max_depth,
        max_trace_steps=config.max_trace_steps,
    )


def execute_stage(config: TeaRConfig) -> ShardStage:
    """Each shard's inputs run twice in the sandbox, then the run filters (a chain)."""
    band = band_of(config)
    limits = Limits(cpu_seconds=2, wall_seconds=5.0, trace_steps=band.max_trace_steps + 1)
    run = {"band": band, "max_output_chars": config.max_output_chars, "limits": limits}
    return ShardStage(
        name="tear-execute",
        output_schema=SCHEMAS["task"],
        run=partial(pipeline.execute_stage, **run),
        config={k: asdict(v) if k != "max_output_chars" else v for k, v in run.items()},
    )


def solve_tasks(
    config: TeaRConfig, tasks: list[Record], store: Store, ledger: Ledger
) -> tuple[list[Record], list[Record]]:
    """K engine answers per task, one resumable shard stage per shard; (tasks, answers)."""
    shards = write_shards(
        WorkCache(store.work_dir),
        stage="tear-tasks",
        schema_id=SCHEMAS["task"],
        records=tasks,
        shard_size=config.shard_size,
    )
    solve = {
        "engine": config.engine,
        "samples": config.samples,
        "temperature": config.temperature,
        "max_tokens": config.max_tokens,
        "seed": config.seed,
    }
    stage = ShardStage(
        name="tear-solve",
        output_schema=SCHEMAS["attempt"],
        config=solve,
        run=partial(pipeline.solve_stage, engines=open_engine, **solve),
    )
    ledger.engine(config.engine, role="solver")
    solved = ledger.shards(map_shards(stage, [[s] for s in shards], store.work_dir), "solve")
    return concat_records(shards), concat_records(solved)


def account_selection(
    ledger: Ledger, selection: pipeline.Selection, rows: list[Record], config: TeaRConfig
) -> None:
    """The report's notes and distributions, and the version's stats, of the kept tasks."""
    balance, variants = asdict(selection.balance), pipeline.variant_counts(rows)
    complexity = pipeline.complexity_distributions(rows)
    share = f"balance: max share {config.max_bucket_share} per pass-rate bucket"
    ledger.notes.append(f"{share} {balance['note']}".strip())
    ledger.distributions = {
        "filter reasons": dict(ledger.reasons.most_common()),
        "pass rate before balance": balance["before"],
        "pass rate after balance": balance["after"],
        "variant": variants,
        **complexity,
    }
    ledger.stats = {
        "balance": balance,
        "complexity": complexity,
        "variants": variants,
        "filter_reasons": dict(ledger.reasons),
    }
