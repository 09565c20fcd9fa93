"""A small published ``toolpref-pairwise`` version, built without a model.

The rows are real critique rows: hand-made pairs go through ``critique_rows`` (the function the
flow uses), are checked against the published schema and registered through ``Catalog.publish``
as a flow's publish step does. The conversations cover the shapes exports must handle: a bare
request, a system prompt, earlier calls with their results, and a conversation that ends on
two tool results.

``critique_records_v1`` writes the same rows in the critique.v1 shape (a system message, no
mode, parser or ground truth, complexity as a bucket name): versions published as v1 must
still export and score.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from datagen.catalog import Catalog, Store, write_parquet_atomic
from datagen.generators.toolpref.critique_rows import CRITIQUE_SCHEMA, critique_rows
from datagen.schemas import first_error, records_to_table
from datagen.schemas.records import StageCounts

DATASET = "toolpref-pairwise"
SCHEMA = CRITIQUE_SCHEMA
SCHEMA_V1 = "toolpref/critique.v1"
V1_SYSTEM = "You are an expert judge of tool use. Answer with <choice></choice>."

WEATHER = {
    "name": "get_weather",
    "description": "Current weather.",
    "parameters": {
        "type": "dict",
        "properties": {"city": {"type": "string"}},
        "required": ["city"],
    },
}
AREA = {
    "name": "triangle_area",
    "description": "Area of a triangle.",
    "parameters": {
        "type": "dict",
        "properties": {"base": {"type": "integer"}, "height": {"type": "integer"}},
    },
}


def _call(name: str, arguments: Any, call_id: str = "call_0") -> dict[str, Any]:
    return {"id": call_id, "type": "function", "function": {"name": name, "arguments": arguments}}


SPECIAL_TASKS: list[dict[str, Any]] = [
    {
        "task_id": "weather-1",
        "messages": [{"role": "user", "content": "Weather in Paris?"}],
        "tools": [WEATHER],
    },
    {
        "task_id": "area-system",
        "tools": [AREA, WEATHER],
        "messages": [
            {"role": "system", "content": "Answer in metric units."},
            {"role": "user", "content": "Area with base 10 and height 5?"},
        ],
    },
    {
        "task_id": "multi-turn",
        "tools": [WEATHER],
        "messages": [
            {"role": "user", "content": "Weather in Oslo?"},
            {
                "role": "assistant",
                "content": "",
                "tool_calls": [_call("get_weather", '{"city": "Oslo"}')],
            },
            {"role": "tool", "content": "-3 C", "tool_call_id": "call_0"},
            {"role": "user", "content": "And in Rome?"},
        ],
    },
    {
        "task_id": "ends-on-tools",
        "tools": [WEATHER, AREA],
        "messages": [
            {"role": "user", "content": "Weather in Lima and Quito, then the area for 3 by 4."},
            {
                "role": "assistant",
                "content": "Checking both.",
                "tool_calls": [
                    _call("get_weather", {"city": "Lima"}, "a"),
                    _call("get_weather", "not json", "b"),
                ],
            },
            {"role": "tool", "content": "18 C", "tool_call_id": "a"},
            {"role": "tool", "content": "12 C", "tool_call_id": "b"},
        ],
    },
]
PLAIN_TASKS = [
    {
        "task_id": f"plain-{i:02d}",
        "tools": [AREA],
        "messages": [{"role": "user", "content": f"Area for base {i} and height {i + 1}?"}],
    }
    for i in range(16)
]
TASKS = [
    {"source": "handmade", "category": "simple", "ground_truth": [], **task}
    for task in SPECIAL_TASKS + PLAIN_TASKS
]


def calls_text(name: str, **arguments: Any) -> str:
    return json.dumps([{"arguments": arguments, "name": name}], sort_keys=True)


def make_pairs(task: dict[str, Any]) -> list[dict[str, Any]]:
    """One or two pairs per task, with distinct texts and a score margin."""
    name = task["tools"][0]["name"]
    texts = [calls_text(name, value=1), calls_text(name, value=2), "not a call at all"]
    scores = [1.0, 0.5, 0.0]
    count = 2 if task["task_id"].endswith(("1", "3", "5")) else 1
    return [
        {
            "pair_id": f"{task['task_id']}|c{k}>r{k}",
            "task_id": task["task_id"],
            "source": task["source"],
            "category": task["category"],
            "chosen_id": f"c{k}",
            "rejected_id": f"r{k}",
            "chosen_text": texts[k],
            "rejected_text": texts[k + 1],
            "chosen_score": scores[k],
            "rejected_score": scores[k + 1],
            "chosen_reason": "ok" if k == 0 else "value_error:others",
            "rejected_reason": "value_error:others" if k == 0 else "not_json",
            "margin": scores[k] - scores[k + 1],
            "complexity": 2,
            "intensity": "clear",
        }
        for k in range(count)
    ]


def critique_records() -> list[dict[str, Any]]:
    rows = [row for task in TASKS for pair in make_pairs(task) for row in critique_rows(pair, task)]
    return _checked(SCHEMA, rows)


def critique_records_v1() -> list[dict[str, Any]]:
    """The rows as critique.v1 held them."""
    rows = [
        {key: value for key, value in row.items() if key not in ("mode", "parser", "ground_truth")}
        | {
            "prompt": [{"role": "system", "content": V1_SYSTEM}, *row["prompt"]],
            "complexity": "single_call_few_args",
        }
        for row in critique_records()
    ]
    return _checked(SCHEMA_V1, rows)


def _checked(schema: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    reasons = [reason for row in rows if (reason := first_error(schema, row))]
    assert not reasons, reasons[0]
    return rows


def publish_toolpref(store: Store, *, schema: str = SCHEMA) -> str:
    """Publish the hand-made critique rows as ``toolpref-pairwise`` (in ``schema``'s shape,
    v2 or v1); return the version's ref."""
    rows = critique_records() if schema == SCHEMA else critique_records_v1()
    part = write_parquet_atomic(
        records_to_table(schema, rows), store.staging_dir() / "part-00000.parquet"
    )
    info = Catalog(store, lock_timeout=10).publish(
        dataset=DATASET,
        files=[part.path],
        schema_id=schema,
        params={"source": "handmade", "samples": 3},
        code_version="test",
        flow_run_id=None,
        stats={"labels": {"1": len(rows) // 2, "2": len(rows) // 2}},
        stage_counts=[
            StageCounts(
                stage="critique", n_in=len(rows), n_out=len(rows), n_filtered=0, n_quarantined=0
            )
        ],
    )
    return info.ref


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def publish_example(store: Store) -> str:
    """Publish the worked example's rows, made by its own stages on ``fake:example``."""
    from datagen.generators.engines import open_engine
    from datagen.generators.example import stages

    problems = stages.make_problems(16, seed=3).records
    attempts = stages.solve_stage(
        problems, engines=open_engine, engine="fake:example", samples=4, seed=3
    ).records
    *_, balanced = stages.select_stage(problems, attempts, low=0.0, high=1.0, share=1.0, seed=3)
    part = write_parquet_atomic(
        records_to_table("example/rl.v1", balanced.records),
        store.staging_dir() / "part-00000.parquet",
    )
    counts = StageCounts("balance", len(balanced.records), len(balanced.records))
    info = Catalog(store, lock_timeout=10).publish(
        dataset="example",
        files=[part.path],
        schema_id="example/rl.v1",
        params={},
        code_version="test",
        flow_run_id=None,
        stats={},
        stage_counts=[counts],
    )
    return info.ref
