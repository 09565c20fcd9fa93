"""The IFEvalCode flow's steps that are more than one call: each direction's rows and the
Chinese questions, every one a resumable shard stage. ``flows/ifevalcode.py`` wires them.
"""

from __future__ import annotations

from functools import partial

from datagen.catalog import Store
from datagen.flows.ledger import Ledger
from datagen.flows.stages import (
    ShardStage,
    StageResult,
    concat_records,
    engine_shard_stage,
    map_records,
)
from datagen.generators.ifevalcode import chinese, pipeline
from datagen.generators.ifevalcode.recipe import IFEvalCodeConfig
from datagen.schemas.records import Quarantined, Record

SCHEMAS = {"source": "ifevalcode/source.v1", "row": "ifevalcode/problem.v1"}
PROBLEM_SHARDS = {"input_stage": "ifevalcode-problems", "input_schema": SCHEMAS["source"]}
"""Both directions shard the same problems, so they share the input shards."""


def _knobs(config: IFEvalCodeConfig) -> dict[str, int | float]:
    return {
        "seed": config.seed,
        "low": config.min_constraints,
        "high": config.max_constraints,
        "mean": config.mean_constraints,
    }


def _map(
    stage: ShardStage,
    records: list[Record],
    config: IFEvalCodeConfig,
    store: Store,
    *,
    input_stage: str,
    input_schema: str,
) -> list[StageResult]:
    _, results = map_records(
        stage,
        records,
        input_stage=input_stage,
        input_schema=input_schema,
        shard_size=config.shard_size,
        work_dir=store.work_dir,
    )
    return results


def backward_rows(
    config: IFEvalCodeConfig, problems: list[Record], store: Store, ledger: Ledger
) -> list[Record]:
    """Constraints each reference already meets, its rows kept by the sandbox (no model)."""
    knobs = _knobs(config)
    stage = ShardStage(
        name="ifevalcode-backward",
        output_schema=SCHEMAS["row"],
        run=partial(pipeline.backward_and_keep, **knobs),
        config=knobs,
    )
    results = _map(stage, problems, config, store, **PROBLEM_SHARDS)
    return concat_records(ledger.shards(results, *pipeline.BACKWARD_STAGES))


def forward_rows(
    config: IFEvalCodeConfig, problems: list[Record], store: Store, ledger: Ledger
) -> list[Record]:
    """Constraints the engine picks and code it writes for them, kept by the sandbox."""
    stage = engine_shard_stage(
        "ifevalcode-forward",
        SCHEMAS["row"],
        pipeline.forward_and_keep,
        engine=config.engine,
        pick_temperature=config.pick_temperature,
        write_temperature=config.write_temperature,
        write_max_tokens=config.write_max_tokens,
        **_knobs(config),
    )
    ledger.engine(config.engine, role="forward constraints and code")
    results = _map(stage, problems, config, store, **PROBLEM_SHARDS)
    return concat_records(ledger.shards(results, *pipeline.FORWARD_STAGES))


def chinese_questions(
    config: IFEvalCodeConfig, rows: list[Record], store: Store, ledger: Ledger
) -> list[Record]:
    """Every kept row with the engine's Chinese question (or an empty one)."""
    stage = engine_shard_stage(
        "ifevalcode-chinese",
        SCHEMAS["row"],
        chinese.chinese_stage,
        engine=config.engine,
        seed=config.seed,
        temperature=config.chinese_temperature,
        max_tokens=config.chinese_max_tokens,
    )
    ledger.engine(config.engine, role="chinese questions")
    results = _map(
        stage, rows, config, store, input_stage="ifevalcode-rows", input_schema=SCHEMAS["row"]
    )
    return concat_records(ledger.shards(results, "chinese"))


def checked_failures(ledger: Ledger) -> list[Quarantined]:
    """What the keep stages quarantined (their entries carry the row, with its direction)."""
    return [
        entry
        for stage in (pipeline.BACKWARD_STAGES[0], pipeline.FORWARD_STAGES[0])
        for entry in ledger.quarantine.get(stage, [])
        if "direction" in entry.record
    ]
