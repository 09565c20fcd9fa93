"""TeaR: curated code-execution reasoning tasks ("what does f(x) return?") for RL.

source (HumanEval, a JSONL file, or functions the engine writes from seed topics) →
decontaminate (against HumanEval unless it is the source, and ``--decontaminate``'s) → screen
(static filters, complexity band, dedup) → execute (each input twice in the sandbox, the run
filters) → describe (the engine tells each kept function in words, for the no-code variant) →
tasks (each variant) → solve (K engine samples per task) → difficulty band → pass-rate balance
→ validate → publish → report. Execution and every engine stage are resumable shard stages.
Every step is a plain function in ``datagen.generators.tear``; this file only wires them
(through ``flows/tear_steps.py``) to shards and Prefect.
"""

from __future__ import annotations

from prefect import flow

from datagen.catalog import Store
from datagen.flows import tear_steps as steps
from datagen.flows.decontaminate import decontaminate, load_benchmarks
from datagen.flows.ledger import Ledger, finish_run
from datagen.flows.publish import open_catalog
from datagen.flows.stages import concat_records, validate_outcome
from datagen.generators.config import to_json
from datagen.generators.decontaminate import tear_texts
from datagen.generators.tear import pipeline
from datagen.generators.tear.recipe import RECIPE, TeaRConfig


@flow(name="tear", log_prints=True)
def tear(config: TeaRConfig, *, store: str | None = None) -> dict:
    """Curate, describe, solve, balance and publish a TeaR version; returns its ref."""
    where, ledger = Store.resolve(store), Ledger(RECIPE.dataset)
    benchmarks = load_benchmarks(config.benchmarks, store=where)  # unreadable: before any work
    catalog = open_catalog.submit(where.root)  # created or migrated beside the work
    sourced = concat_records(steps.source_functions(config, where, ledger))
    functions = decontaminate(ledger, sourced, benchmarks, texts=tear_texts)
    code_tasks = steps.curate_functions(config, functions, where, ledger)
    descriptions = steps.describe_functions(config, functions, code_tasks, where, ledger)
    built = pipeline.tasks_stage(code_tasks, descriptions, variants=config.chosen_variants)
    tasks = ledger.outcome(validate_outcome(built, steps.SCHEMAS["task"]))
    tasks, attempts = steps.solve_tasks(config, tasks, where, ledger)
    selection = pipeline.select_stage(
        tasks,
        attempts,
        min_pass_rate=config.min_pass_rate,
        max_pass_rate=config.max_pass_rate,
        max_bucket_share=config.max_bucket_share,
        seed=config.seed,
    )
    banded, balanced = selection.outcomes
    rows = ledger.outcome(banded, validate_outcome(balanced, steps.SCHEMAS["rl"]))
    steps.account_selection(ledger, selection, rows, config)
    catalog.result()
    return finish_run(
        ledger,
        store=where,
        schema_id=steps.SCHEMAS["rl"],
        rows=rows,
        params=to_json(config),
        title="TeaR run",
    )
