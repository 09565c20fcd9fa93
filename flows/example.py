"""The worked example (``docs/adding-a-dataset.md``): make → shard → solve → select → publish."""

from __future__ import annotations

from functools import partial

from prefect import flow

from datagen.catalog import Store
from datagen.catalog.work_cache import WorkCache
from datagen.flows.ledger import Ledger, finish_run
from datagen.flows.stages import (
    ShardStage,
    concat_records,
    map_shards,
    validate_outcome,
    write_shards,
)
from datagen.generators.config import to_json
from datagen.generators.engines import open_engine
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
    shards = write_shards(
        WorkCache(where.work_dir),
        stage="example-problems",
        schema_id="example/problem.v1",
        records=problems,
        shard_size=config.shard_size,
    )
    solve = {"engine": config.engine, "samples": config.samples, "seed": config.seed}
    solver = ShardStage(
        name="example-solve",
        output_schema="example/attempt.v1",
        config=solve,
        run=partial(stages.solve_stage, engines=open_engine, **solve),
    )
    ledger.engine(config.engine, role="solver")
    attempts = ledger.shards(map_shards(solver, [[s] for s in shards], where.work_dir), "solve")
    difficulty, balanced = stages.select_stage(
        problems,
        concat_records(attempts),
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
