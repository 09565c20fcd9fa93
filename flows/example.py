"""The worked example (``docs/adding-a-dataset.md``): make → shard → solve → select → publish."""

from __future__ import annotations

from prefect import flow

from datagen.catalog import Store
from datagen.flows.ledger import Ledger, finish_run
from datagen.flows.stages import (
    concat_records,
    engine_shard_stage,
    map_records,
    validate_outcome,
)
from datagen.generators.config import to_json
from datagen.generators.example import stages
from datagen.generators.example.recipe import RECIPE, ExampleConfig
from datagen.generators.sources import source_stage


@flow(name="example", log_prints=True)
def example(config: ExampleConfig, *, store: str | None = None) -> dict:
    """Make, solve, select and publish an example version; returns its ref."""
    where, ledger = Store.resolve(store), Ledger(RECIPE.dataset)
    read = stages.make_problems(config.problems, seed=config.seed)
    ledger.source(read.lineage, default="example")
    problems = ledger.outcome(source_stage(read, limit=None))
    solver = engine_shard_stage(
        "example-solve",
        "example/attempt.v1",
        stages.solve_stage,
        engine=config.engine,
        samples=config.samples,
        seed=config.seed,
    )
    ledger.engine(config.engine, role="solver")
    _, attempts = map_records(
        solver,
        problems,
        input_stage="example-problems",
        input_schema="example/problem.v1",
        shard_size=config.shard_size,
        work_dir=where.work_dir,
    )
    difficulty, balanced = stages.select_stage(
        problems,
        concat_records(ledger.shards(attempts, "solve")),
        low=config.min_pass_rate,
        high=config.max_pass_rate,
        share=config.max_bucket_share,
        seed=config.seed,
    )
    rows = ledger.outcome(difficulty, validate_outcome(balanced, "example/rl.v1"))
    return finish_run(
        ledger,
        store=where,
        schema_id="example/rl.v1",
        rows=rows,
        params=to_json(config),
        title="Example run",
    )
