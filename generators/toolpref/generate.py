"""ToolPref generation: tasks × sampling plan → requests, and results → candidate records.

One request per (task, sample): each carries its own seed and its own rendering of the tool
list, so the shard's whole plan goes to the engine in one call and every candidate records the
dimension values that made it.

A request asks natively where its engine has native tools (the tools on the request, the
calls parsed by the engine), so a model can invent functions and parameters, call too often
or answer in words: the errors ToolPref is made of. Elsewhere (the embedded base model) it
asks for a JSON array in the text, grammar-constrained by default. ``constrain`` chooses:
``auto`` as said, ``on`` text and grammar for every engine, ``off`` native where possible and
never a grammar. The ground truth can join as one more candidate (ToolRM samples it too).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, replace

from datagen.generators.engine_stage import engine_stage
from datagen.generators.engines.base import Engine, Request, ResponseFormat, Result, Sampling
from datagen.generators.sampling import SamplingCell, SamplingPlan, derive_seed
from datagen.generators.toolpref.prompts import (
    EXTRA_CALLS,
    build_messages,
    calls_schema,
    openai_tools,
    order_tools,
)
from datagen.generators.toolpref.score import task_calls
from datagen.schemas.records import Record, StageOutcome

CONSTRAIN = ("auto", "on", "off")
"""``GenerationConfig.constrain``'s values (the recipe spells them out too)."""
GROUND_TRUTH = "ground_truth"
"""The engine, model and prompt variant a ground-truth candidate records."""


@dataclass(frozen=True, kw_only=True)
class GenerationConfig:
    plan: SamplingPlan
    run_seed: int = 0
    max_tokens: int = 192
    top_p: float = 0.95
    constrain: str = "auto"
    """Constrain answers to the task's call schema: ``auto`` only for engines without native
    tools (the embedded base model; the others get the tools natively), ``on`` for every
    engine (the tools then go as text, since a grammar and a tool parser do not mix), ``off``
    never."""
    ground_truth_candidate: bool = False
    """Add each task's ground-truth calls as one more candidate (scored like the others)."""

    def __post_init__(self) -> None:
        if self.constrain not in CONSTRAIN:
            raise ValueError(f"constrain must be one of {', '.join(CONSTRAIN)}: {self.constrain!r}")


@dataclass(frozen=True)
class PlannedSample:
    task_id: str
    sample_index: int
    cell: SamplingCell
    seed: int
    request: Request


def plan_samples(
    tasks: Sequence[Record], *, config: GenerationConfig, native_tools: Collection[str] = ()
) -> list[PlannedSample]:
    """Every (task, sample) of a shard as a request, in task order then sample order.

    ``native_tools`` are the plan's engine specs whose engines have native tools.
    """
    planned = []
    for task in tasks:
        for index, cell in config.plan.assign(task["task_id"]):
            seed = derive_seed(config.run_seed, task["task_id"], index)
            tools = order_tools(task["tools"], order=cell.tool_order, seed=seed)
            native = cell.engine in native_tools and config.constrain != "on"
            constrained = not native and config.constrain != "off"
            request = Request(
                request_id=f"{task['task_id']}#{index}",
                messages=build_messages(
                    messages=task["messages"],
                    tools=tools,
                    variant=cell.prompt_variant,
                    native=native,
                ),
                tools=openai_tools(tools) if native else (),
                sampling=Sampling(
                    temperature=cell.temperature,
                    top_p=config.top_p,
                    max_tokens=config.max_tokens,
                    n=1,
                    seed=seed,
                ),
                response_format=(
                    ResponseFormat.from_json_schema(
                        calls_schema(
                            task["tools"],
                            max_calls=len(task["ground_truth"]) + EXTRA_CALLS,
                            min_calls=1 if task["ground_truth"] else 0,  # no call: [] allowed
                        )
                    )
                    if constrained
                    else None
                ),
            )
            planned.append(PlannedSample(task["task_id"], index, cell, seed, request))
    return planned


def candidate_record(sample: PlannedSample, result: Result) -> Record:
    """The candidate of one completed sample, with the sampling-plan values that made it."""
    completion = result.completions[0]
    native_calls = [
        {"name": call.name, "arguments": call.arguments} for call in completion.tool_calls
    ]
    return {
        "candidate_id": sample.request.request_id,
        "task_id": sample.task_id,
        "sample_index": sample.sample_index,
        "engine": sample.cell.engine,
        "temperature": sample.cell.temperature,
        "prompt_variant": sample.cell.prompt_variant,
        "tool_order": sample.cell.tool_order,
        "seed": sample.seed,
        "model": result.model,
        "text": completion.text,
        "native_calls": native_calls or None,
        "finish_reason": completion.finish_reason,
        "completion_tokens": completion.completion_tokens,
        "prompt_tokens": result.prompt_tokens,
    }


def ground_truth_record(task: Record, *, sample_index: int) -> Record:
    """The task's ground-truth calls as a candidate of the generation schema, written as the
    text prompt asks (``[]`` for a task that expects no call); no engine sees it."""
    return {
        "candidate_id": f"{task['task_id']}#{GROUND_TRUTH}",
        "task_id": task["task_id"],
        "sample_index": sample_index,
        "engine": GROUND_TRUTH,
        "temperature": 0.0,
        "prompt_variant": GROUND_TRUTH,
        "tool_order": "given",
        "seed": 0,
        "model": GROUND_TRUTH,
        "text": json.dumps(task_calls(task), ensure_ascii=False),
        "native_calls": None,
        "finish_reason": "stop",
        "completion_tokens": 0,
        "prompt_tokens": 0,
    }


_planning = threading.Lock()
"""Planning is pure Python: shards planning at once under the GIL all finish at about the
same time, and the engine waits for all of them. Taking turns gets the first shard's batch
to the engine while the others plan."""


def generate_stage(
    tasks: Sequence[Record], *, engines: Callable[[str], Engine], config: GenerationConfig
) -> StageOutcome:
    """One engine call per engine for the whole shard: every task × every sample of the plan.

    ``engines`` maps a plan's engine spec to the (already loaded) engine. With
    ``ground_truth_candidate`` each task's candidates end with its ground truth's.
    """
    # An engine that does not say (a registered plug-in) is taken to have no native tools.
    native = {s for s in config.plan.engines if getattr(engines(s), "native_tools", False)}
    with _planning:
        planned = plan_samples(tasks, config=config, native_tools=native)
    by_task: dict[str, list[PlannedSample]] = {}
    for sample in planned:
        by_task.setdefault(sample.task_id, []).append(sample)
    by_request = {sample.request.request_id: sample for sample in planned}
    outcome = engine_stage(
        tasks,
        stage="generate",
        engines=engines,
        requests=lambda task: [(s.cell.engine, s.request) for s in by_task[task["task_id"]]],
        parse=lambda _, request, result: [candidate_record(by_request[request.request_id], result)],
    )
    if not config.ground_truth_candidate:
        return outcome
    return _with_ground_truth(outcome, tasks, sample_index=config.plan.samples_per_task)


def _with_ground_truth(
    outcome: StageOutcome, tasks: Sequence[Record], *, sample_index: int
) -> StageOutcome:
    """The outcome with each task's ground-truth candidate after its sampled ones."""
    sampled: dict[str, list[Record]] = {}
    for record in outcome.records:
        sampled.setdefault(record["task_id"], []).append(record)
    records = []
    for task in tasks:
        records += sampled.get(task["task_id"], [])
        records.append(ground_truth_record(task, sample_index=sample_index))
    return replace(outcome, n_in=outcome.n_in + len(tasks), records=records).check()
