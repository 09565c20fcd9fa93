"""TRBench-BFCL: ToolRM's pairwise benchmark of tool-use critics, from BFCL's ``bench`` part.

source → ground truth (concrete calls) → shard → generate (the samples and the ground truth) →
score (BFCL's checker) → pair and critique rows → publish → report. ToolPref's generation and
scoring stages with TRBench's (``datagen.generators.trbench``); this file only wires them.
"""

# No ``from __future__ import annotations``: Prefect reads the flow's annotations (toolpref.py).

from dataclasses import asdict
from functools import partial

from prefect import flow

from datagen.catalog import Store
from datagen.catalog.work_cache import WorkCache
from datagen.flows.ledger import Ledger, finish_run
from datagen.flows.publish import open_catalog
from datagen.flows.stages import (
    ShardStage,
    fewer_gc_passes,
    iter_shards,
    scratch_folder,
    submit_shards,
    validate_outcome,
)
from datagen.generators.config import to_json
from datagen.generators.engines import open_engine
from datagen.generators.engines.spec import without_prices
from datagen.generators.sampling import SamplingPlan
from datagen.generators.sources import source_stage
from datagen.generators.toolpref.critique_rows import CritiqueConfig
from datagen.generators.toolpref.generate import GenerationConfig, generate_stage
from datagen.generators.toolpref.pipeline import ShardInputs, score_stage
from datagen.generators.toolpref.sources import interleave_sources, read_source
from datagen.generators.trbench.pairs import concrete_stage
from datagen.generators.trbench.recipe import RECIPE, TRBenchConfig
from datagen.generators.trbench.select import TRBENCH_SCHEMA, Selector

TASK, GENERATION, CANDIDATE = "toolpref/task.v1", "toolpref/generation.v1", "toolpref/candidate.v1"


@flow(name="trbench", log_prints=True)
@fewer_gc_passes()
def trbench(config: TRBenchConfig, *, store: str | None = None) -> dict:
    """Sample, check with BFCL, pair with the ground truth and publish TRBench-BFCL; its ref."""
    where, ledger = Store.resolve(store), Ledger(RECIPE.dataset)
    plan = SamplingPlan(
        engines=without_prices(config.engines),
        temperatures=config.temperatures,
        samples_per_task=config.samples,
    )
    generation = GenerationConfig(
        plan=plan, run_seed=config.seed, max_tokens=config.max_tokens, ground_truth_candidate=True
    )
    catalog = open_catalog.submit(where.root)
    read = read_source(config.source)
    ledger.source(read.lineage, default=config.source)
    sourced = source_stage(read, limit=config.limit, order=interleave_sources)
    tasks = ledger.outcome(concrete_stage(ledger.outcome(validate_outcome(sourced, TASK))))
    generate = ShardStage(
        name="trbench-generate",
        output_schema=GENERATION,
        run=partial(generate_stage, config=generation),
        config={"engine": config.engine, **asdict(generation)},
        engines=open_engine,
    )
    score = ShardStage(
        name="trbench-score",
        output_schema=CANDIDATE,
        run=partial(score_stage, rule="bfcl"),
        config={"rule": "bfcl"},
    )
    task_shards, generating, scoring = [], [], []
    cache = WorkCache(where.work_dir)
    for shard in iter_shards(
        cache, stage="tasks", schema_id=TASK, records=tasks, shard_size=config.shard_size
    ):
        task_shards.append(shard)
        generating += submit_shards(generate, [[shard]], where.work_dir)
        scoring += submit_shards(score, [[generating[-1], shard]], where.work_dir)
    with scratch_folder(where) as scratch:
        selector = Selector(work_dir=scratch, critique=CritiqueConfig(seed=config.seed))
        for task_shard, scored in zip(task_shards, scoring, strict=True):
            selector.add(ShardInputs(task_shard.path, scored.result().shard.path))
        bench = selector.finish()
        ledger.shards([g.result() for g in generating], "generate")
        ledger.shards([s.result() for s in scoring], "score")
        ledger.counts += bench.counts
        ledger.quarantined("critique", bench.quarantined)
        for spec in config.engines:
            ledger.engine(spec, role="generator")
        ledger.reasons.update({f"pair: {k}": n for k, n in bench.no_pair.items() if n})
        ledger.notes += bench.notes()
        ledger.distributions = bench.distributions()
        ledger.stats = bench.stats()
        catalog.result()
        return finish_run(
            ledger,
            store=where,
            schema_id=TRBENCH_SCHEMA,
            parts=bench.parts,
            params=to_json(config) | {"sampling_plan": plan.describe()},
            title="TRBench-BFCL run",
        )
