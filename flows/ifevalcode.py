"""IFEvalCode: code problems with constraints in seven languages, each row checked twice.

source (the packaged seeds, HumanEval or a JSONL file, taken round-robin over languages) →
backward (the constraints each reference already meets, by tree-sitter, drawn about the
paper's 2–15 per problem; the question and a standard-library checker from them) → keep (the
reference passes its tests and its checker in the sandbox; every constraint's checker rejects
a mutant of it) → publish → report. The backward-and-keep chain is a resumable shard stage.
Every step is a plain function in ``datagen.generators.ifevalcode``.
"""

from __future__ import annotations

from functools import partial

from prefect import flow

from datagen.catalog import Store
from datagen.flows.ledger import Ledger, finish_run
from datagen.flows.publish import open_catalog
from datagen.flows.stages import ShardStage, concat_records, map_records
from datagen.generators.config import to_json
from datagen.generators.ifevalcode import pipeline
from datagen.generators.ifevalcode.recipe import RECIPE, IFEvalCodeConfig
from datagen.generators.ifevalcode.sources import read_problems, round_robin
from datagen.generators.sources import source_stage

SCHEMAS = {"source": "ifevalcode/source.v1", "row": "ifevalcode/problem.v1"}


@flow(name="ifevalcode", log_prints=True)
def ifevalcode(config: IFEvalCodeConfig, *, store: str | None = None) -> dict:
    """Derive, check and publish an IFEvalCode version; returns its ref."""
    where, ledger = Store.resolve(store), Ledger(RECIPE.dataset)
    catalog = open_catalog.submit(where.root)  # created or migrated beside the work
    read = read_problems(config.source, languages=config.languages)
    ledger.source(read.lineage, default=config.source)
    problems = ledger.outcome(source_stage(read, limit=config.limit, order=round_robin))
    knobs = {
        "seed": config.seed,
        "low": config.min_constraints,
        "high": config.max_constraints,
        "mean": config.mean_constraints,
    }
    stage = ShardStage(
        name="ifevalcode-backward",
        output_schema=SCHEMAS["row"],
        run=partial(pipeline.backward_and_keep, **knobs),
        config=knobs,
    )
    _, results = map_records(
        stage,
        problems,
        input_stage="ifevalcode-problems",
        input_schema=SCHEMAS["source"],
        shard_size=config.shard_size,
        work_dir=where.work_dir,
    )
    rows = concat_records(ledger.shards(results, *pipeline.STAGES))
    distributions, notes = pipeline.report_figures(rows)
    ledger.distributions.update(distributions)
    ledger.notes.extend(notes)
    catalog.result()
    return finish_run(
        ledger,
        store=where,
        schema_id=SCHEMAS["row"],
        rows=rows,
        params=to_json(config),
        title="IFEvalCode run",
    )
