"""ToolPref generation: tasks × sampling plan → requests, and results → candidate records.

One request per (task, sample): each carries its own seed and its own rendering of the tool
list, so the shard's whole plan goes to the engine in one call and every candidate records the
dimension values that made it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from datagen.generators.engines.base import Request, ResponseFormat, Result, Sampling
from datagen.generators.sampling import SamplingCell, SamplingPlan, derive_seed
from datagen.generators.toolpref.prompts import (
    EXTRA_CALLS,
    build_messages,
    calls_schema,
    order_tools,
)
from datagen.schemas.records import Record


@dataclass(frozen=True, kw_only=True)
class GenerationConfig:
    plan: SamplingPlan
    run_seed: int = 0
    max_tokens: int = 192
    top_p: float = 0.95
    constrain: bool = True
    """Constrain answers to the task's call schema (needed for the embedded base model)."""


@dataclass(frozen=True)
class PlannedSample:
    task_id: str
    sample_index: int
    cell: SamplingCell
    seed: int
    request: Request


def plan_samples(tasks: Sequence[Record], *, config: GenerationConfig) -> list[PlannedSample]:
    """Every (task, sample) of a shard as a request, in task order then sample order."""
    planned = []
    for task in tasks:
        for index, cell in config.plan.assign(task["task_id"]):
            seed = derive_seed(config.run_seed, task["task_id"], index)
            tools = order_tools(task["tools"], order=cell.tool_order, seed=seed)
            request = Request(
                request_id=f"{task['task_id']}#{index}",
                messages=build_messages(
                    messages=task["messages"], tools=tools, variant=cell.prompt_variant
                ),
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
                    if config.constrain
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
