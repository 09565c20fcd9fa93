"""IFEvalCode: code problems with constraints in seven languages, each row checked twice.

source (the packaged seeds, HumanEval or a JSONL file, taken round-robin over languages) →
backward (the constraints each reference already meets, by tree-sitter, about the paper's
2–15 per problem) and forward (the engine picks constraints from the library's menu and
writes code for them) → keep (the answer passes its tests and its checker in the sandbox;
every constraint's checker rejects a mutant of it) → Chinese question (by the engine) →
publish → report. Each step is a resumable shard stage (``flows/ifevalcode_steps.py``) over
plain functions in ``datagen.generators.ifevalcode``.
"""

from __future__ import annotations

from prefect import flow

from datagen.catalog import Store
from datagen.flows import ifevalcode_steps as steps
from datagen.flows.ledger import Ledger, finish_run
from datagen.flows.publish import open_catalog
from datagen.generators.config import to_json
from datagen.generators.ifevalcode import pipeline
from datagen.generators.ifevalcode.recipe import RECIPE, IFEvalCodeConfig
from datagen.generators.ifevalcode.sources import read_problems, round_robin
from datagen.generators.sources import source_stage


@flow(name="ifevalcode", log_prints=True)
def ifevalcode(config: IFEvalCodeConfig, *, store: str | None = None) -> dict:
    """Derive, check and publish an IFEvalCode version; returns its ref."""
    where, ledger = Store.resolve(store), Ledger(RECIPE.dataset)
    catalog = open_catalog.submit(where.root)  # created or migrated beside the work
    read = read_problems(config.source, languages=config.languages)
    ledger.source(read.lineage, default=config.source)
    problems = ledger.outcome(source_stage(read, limit=config.limit, order=round_robin))
    rows = []
    if "backward" in config.directions:
        rows += steps.backward_rows(config, problems, where, ledger)
    if "forward" in config.directions:
        rows += steps.forward_rows(config, problems, where, ledger)
    if config.chinese and rows:
        rows = steps.chinese_questions(config, rows, where, ledger)
    distributions, notes = pipeline.report_figures(
        rows, steps.checked_failures(ledger), engine=config.engine, chinese=config.chinese
    )
    ledger.distributions.update(distributions)
    ledger.notes.extend(notes)
    catalog.result()
    return finish_run(
        ledger,
        store=where,
        schema_id=steps.SCHEMAS["row"],
        rows=rows,
        params=to_json(config),
        title="IFEvalCode run",
    )
