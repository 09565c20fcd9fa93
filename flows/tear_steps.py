"""The TeaR flow's steps that are more than one call: getting the functions (read, or written
by the engine from seed topics), curating them, describing the kept ones, solving the tasks,
and accounting for the selection. ``flows/tear.py`` wires them into the flow.
"""

from __future__ import annotations

from dataclasses import asdict
from functools import partial
from typing import Any

from datagen.catalog import Store
from datagen.catalog.work_cache import WorkCache
from datagen.flows.ledger import Ledger
from datagen.flows.stages import (
    Shard,
    ShardStage,
    concat_records,
    engine_shard_stage,
    map_records,
    validate_outcome,
    write_shards,
)
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
    stage = engine_shard_stage(
        "tear-write",
        SCHEMAS["function"],
        seeds.write_stage,
        engine=config.engine,
        seed=config.seed,
        temperature=config.write_temperature,
        max_tokens=config.write_max_tokens,
        inputs_per_function=config.inputs_per_function,
    )
    ledger.engine(config.engine, role="writer")
    _, written = map_records(
        stage, chosen, input_stage="tear-topics", **_inputs(config, store, "topic")
    )
    return ledger.shards(written, "write")


def _inputs(config: TeaRConfig, store: Store, kind: str) -> dict[str, Any]:
    """``map_records``' keywords for input shards of one of ``SCHEMAS``' kinds."""
    return {
        "input_schema": SCHEMAS[kind],
        "shard_size": config.shard_size,
        "work_dir": store.work_dir,
    }


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
    stage = engine_shard_stage(
        "tear-describe",
        SCHEMAS["description"],
        describe.describe_stage,
        engine=config.engine,
        seed=config.seed,
        temperature=config.describe_temperature,
        max_tokens=config.describe_max_tokens,
    )
    ledger.engine(config.engine, role="describer")
    inputs = _inputs(config, store, "function")
    _, described = map_records(stage, kept, input_stage="tear-kept-functions", **inputs)
    described_shards = ledger.shards(described, "describe")
    return {r["function_id"]: r["description"] for r in concat_records(described_shards)}


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
    inputs = _inputs(config, store, "function")
    _, executed = map_records(
        execute_stage(config), screened, input_stage="tear-screened", **inputs
    )
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
    stage = engine_shard_stage(
        "tear-solve",
        SCHEMAS["attempt"],
        pipeline.solve_stage,
        engine=config.engine,
        samples=config.samples,
        temperature=config.temperature,
        max_tokens=config.max_tokens,
        seed=config.seed,
    )
    ledger.engine(config.engine, role="solver")
    shards, solved = map_records(
        stage, tasks, input_stage="tear-tasks", **_inputs(config, store, "task")
    )
    return concat_records(shards), concat_records(ledger.shards(solved, "solve"))


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
    }
