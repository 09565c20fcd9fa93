"""TeaR as plain stage functions, each returning ``StageOutcome``s whose counts add up.

Every filter is its own outcome (so the report counts each), and the reasons of what it
filtered are counted in it. The flow in ``flows/tear.py`` only wires these to storage and
Prefect: screening runs over all functions at once, execution shard by shard (resumable).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from datagen.generators.engine_stage import engine_stage
from datagen.generators.engines.base import Engine, Request, Result, Sampling
from datagen.generators.sampling import derive_seed, stable_int
from datagen.generators.selection import BalanceReport, balance, band, capped_largest
from datagen.generators.tear import curation, tasks
from datagen.generators.tear.complexity import NODE_EDGES, TRACE_EDGES, Band, bucket, measure_code
from datagen.generators.tear.execute import Execution, call_text, run_inputs
from datagen.schemas.records import Record, StageOutcome
from datagen.verifiers.answer_match import answer_match
from datagen.verifiers.sandbox import Limits, Sandbox

SCREEN_STAGES = ("static_filter", "complexity_band", "dedup")
EXECUTE_STAGES = ("execute", "determinism", "output_length", "trace_band")


def _filter(stage: str, records: Sequence, problem: Callable[[Any], str | None]) -> StageOutcome:
    """Keep the records ``problem`` finds nothing wrong with; count the rest by reason."""
    kept, reasons = [], Counter()
    for record in records:
        reason = problem(record)
        if reason is None:
            kept.append(record)
        else:
            reasons[f"{stage}: {reason.split(':', 1)[0]}"] += 1
    return StageOutcome(
        stage, len(records), kept, n_filtered=len(records) - len(kept), reasons=dict(reasons)
    ).check()


def screen_stage(
    functions: Sequence[Record], *, band: Band, dedup_threshold: float
) -> list[StageOutcome]:
    """Static filters, the complexity band and near-duplicates over all functions at once
    (dedup compares every pair), before anything runs; each filter counted."""
    static = _filter(
        "static_filter", functions, lambda f: curation.static_problem(f["code"], f["entry_point"])
    )
    banded = _filter(
        "complexity_band", static.records, lambda f: band.code_problem(measure_code(f["code"]))
    )
    codes = [f["code"] for f in banded.records]
    duplicates = {
        d.index: d.reason for d in curation.find_duplicates(codes, threshold=dedup_threshold)
    }
    unique = _filter("dedup", list(enumerate(banded.records)), lambda pair: duplicates.get(pair[0]))
    unique.records = [function for _, function in unique.records]
    return [static, banded, unique]


def execute_stage(
    functions: Sequence[Record], *, band: Band, max_output_chars: int, limits: Limits
) -> list[StageOutcome]:
    """Every input of a shard of functions run twice in the sandbox; the run filters, each
    counted; the code-variant task of every (function, input, output) that passed them."""
    with Sandbox(limits=limits) as sandbox:
        runs = run_inputs(list(functions), sandbox=sandbox)
    ran = _filter(
        "execute",
        runs,
        lambda r: (
            None if r.first.status == "ok" else f"execution_{r.first.status}: {r.first.reason}"
        ),
    )
    steady = _filter(
        "determinism",
        ran.records,
        lambda r: curation.execution_problem(r.first, r.second, max_output_chars=10**9),
    )
    short = _filter(
        "output_length",
        steady.records,
        lambda r: curation.execution_problem(r.first, r.second, max_output_chars=max_output_chars),
    )
    traced = _filter(
        "trace_band",
        short.records,
        lambda r: band.trace_problem(len(r.first.trace or []), truncated=r.first.trace_truncated),
    )
    traced.records = [task_record(r) for r in traced.records]
    return [ran, steady, short, traced]


def task_record(run: Execution) -> Record:
    """The RL task for one kept (function, input, output), in the ``code`` variant."""
    function = run.function | measure_code(run.function["code"]).as_record()
    call = call_text(function["entry_point"], run.args_text)
    return {
        "task_id": f"{function['function_id']}:{run.input_index}:code",
        "variant": "code",
        "description": None,
        "function_id": function["function_id"],
        "source": function["source"],
        "entry_point": function["entry_point"],
        "code": function["code"],
        "call": call,
        "expected": run.first.output,
        "prompt": tasks.build_messages(code=function["code"], call=call),
        "ast_nodes": function["ast_nodes"],
        "max_depth": function["max_depth"],
        "loops": function["loops"],
        "branches": function["branches"],
        "data_structures": function["data_structures"],
        "trace_steps": len(run.first.trace or []),
    }


def tasks_stage(
    code_tasks: Sequence[Record], descriptions: dict[str, str], *, variants: Sequence[str]
) -> StageOutcome:
    """Every curated task in every variant of ``variants``: one candidate per (task, variant).

    A description candidate whose function has no usable description is filtered (the
    describe stage quarantined the engine's answer with its reason).
    """
    built = tasks.variant_tasks(code_tasks, descriptions, variants=variants)
    candidates = len(code_tasks) * len(variants)
    return StageOutcome("tasks", candidates, built, n_filtered=candidates - len(built)).check()


def kept_functions(functions: Sequence[Record], task_rows: Sequence[Record]) -> list[Record]:
    """The functions that still have a task after curation (the ones worth describing)."""
    kept = {task["function_id"] for task in task_rows}
    return [function for function in functions if function["function_id"] in kept]


def solve_stage(
    shard: Sequence[Record],
    *,
    engines: Callable[[str], Engine],
    engine: str,
    samples: int,
    temperature: float,
    max_tokens: int,
    seed: int,
) -> StageOutcome:
    """K sampled answers per task from the engine, each scored by ``answer_match``."""
    sampling = {"temperature": temperature, "max_tokens": max_tokens, "n": samples}

    def requests(task: Record) -> list[tuple[str, Request]]:
        seeded = Sampling(**sampling, stop=("\n",), seed=derive_seed(seed, task["task_id"], 0))
        request = Request(
            request_id=task["task_id"], prompt=tasks.solve_prompt(task), sampling=seeded
        )
        return [(engine, request)]

    return engine_stage(shard, stage="solve", engines=engines, requests=requests, parse=attempts)


def attempts(task: Record, _: Request, result: Result) -> list[Record]:
    """The task's K answers, each with its ``answer_match`` verdict."""
    scored = []
    for index, completion in enumerate(result.completions):
        verdict = answer_match(completion.text, task["expected"])
        scored.append(
            {
                "task_id": task["task_id"],
                "sample_index": index,
                "text": completion.text,
                "value": verdict.value,
                "reason": verdict.reason,
                "model": result.model,
            }
        )
    return scored


@dataclass
class Selection:
    rows: list[Record]
    outcomes: list[StageOutcome]
    balance: BalanceReport


def select_stage(
    task_rows: Sequence[Record],
    attempts: Sequence[Record],
    *,
    min_pass_rate: float,
    max_pass_rate: float,
    max_bucket_share: float,
    seed: int,
) -> Selection:
    """Pass rates, the difficulty band ``[min, max]`` and pass-rate bucket balance."""
    by_task: dict[str, list[float]] = {}
    for attempt in attempts:
        by_task.setdefault(attempt["task_id"], []).append(attempt["value"])
    rated = []
    for task in task_rows:
        values = by_task.get(task["task_id"])
        if not values:
            continue
        rate = sum(values) / len(values)
        rated.append(task | {
            "n_samples": len(values), "n_passed": int(sum(values)), "pass_rate": rate,
            "pass_bucket": tasks.pass_rate_bucket(rate),
        })  # fmt: skip
    banded, outside = band(
        rated, score=lambda t: t["pass_rate"], low=min_pass_rate, high=max_pass_rate
    )
    difficulty = StageOutcome("difficulty_filter", len(rated), banded, n_filtered=outside).check()
    balanced, report = balance(
        banded,
        bucket=lambda t: t["pass_bucket"],
        rank=lambda t: stable_int("balance", seed, t["task_id"]),
        quotas=capped_largest(max_bucket_share),
    )
    balanced_outcome = StageOutcome(
        "balance", len(banded), balanced, n_filtered=len(banded) - len(balanced)
    ).check()
    return Selection(rows=balanced, outcomes=[difficulty, balanced_outcome], balance=report)


def variant_counts(rows: Sequence[Record]) -> dict[str, int]:
    """Kept tasks per variant, for the report and the version's stats."""
    return dict(sorted(Counter(r["variant"] for r in rows).items()))


def complexity_distributions(rows: Sequence[Record]) -> dict[str, dict[str, int]]:
    """The kept tasks' complexity, for the report."""

    def count(values: list[str]) -> dict[str, int]:
        return dict(sorted(Counter(values).items()))

    return {
        "AST nodes": count([bucket(r["ast_nodes"], NODE_EDGES) for r in rows]),
        "nesting depth": count([str(r["max_depth"]) for r in rows]),
        "trace steps": count([bucket(r["trace_steps"], TRACE_EDGES) for r in rows]),
        "data structures": count(
            [s for r in rows for s in (r["data_structures"] or "none").split(",")]
        ),
    }
