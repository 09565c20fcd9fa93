"""Hand-made versions whose stored verdicts the current verifiers disagree with, for some rows.

ToolPref: one task (``get_weather(city, days)``, ground truth Paris and 3) and four responses
whose scores under ToolRM's rule are known: right 1.0, wrong days 0.5, both wrong 0.0, words
0.0. Each pair's stored scores are written by hand; ``critique_rows`` (the flow's function)
makes the rows. TeaR: rows of two tiny functions whose stored expected outputs are right or
wrong by hand.
"""

from __future__ import annotations

import json
from typing import Any

from datagen.catalog import Catalog, Store, write_parquet_atomic
from datagen.generators.toolpref.critique_rows import CRITIQUE_SCHEMA, critique_rows
from datagen.schemas import first_error, records_to_table
from datagen.schemas.records import Record

TASK = {
    "task_id": "weather",
    "source": "handmade",
    "category": "simple",
    "messages": [{"role": "user", "content": "Weather in Paris for 3 days?"}],
    "tools": [
        {
            "name": "get_weather",
            "description": "The forecast.",
            "parameters": {
                "type": "dict",
                "properties": {"city": {"type": "string"}, "days": {"type": "integer"}},
                "required": ["city"],
            },
        }
    ],
    "ground_truth": [{"get_weather": {"city": ["Paris"], "days": [3]}}],
}


def _calls(**arguments: Any) -> str:
    return json.dumps([{"arguments": arguments, "name": "get_weather"}], sort_keys=True)


RIGHT, DAYS_WRONG, BOTH_WRONG = (
    _calls(city="Paris", days=3),
    _calls(city="Paris", days=5),
    (_calls(city="Rome", days=5)),
)
WORDS = "It is sunny."


def _checked(schema: str, rows: list[Record]) -> list[Record]:
    reasons = [reason for row in rows if (reason := first_error(schema, row))]
    assert not reasons, reasons[0]
    return rows


def _pair(pair_id: str, chosen: tuple[str, float], rejected: tuple[str, float]) -> Record:
    (chosen_text, chosen_score), (rejected_text, rejected_score) = chosen, rejected
    return {
        "pair_id": pair_id,
        "task_id": TASK["task_id"],
        "source": TASK["source"],
        "category": TASK["category"],
        "chosen_text": chosen_text,
        "rejected_text": rejected_text,
        "chosen_score": chosen_score,
        "rejected_score": rejected_score,
        "chosen_reason": "stored",
        "rejected_reason": "stored",
        "complexity": 3,
        "intensity": "0.9-1.0",
    }


PAIRS = [
    # (pair, labels): the stored scores, and what ToolRM's rule says now
    (_pair("agree", (RIGHT, 1.0), (BOTH_WRONG, 0.0)), (1, 2)),  # 1.0 / 0.0: unchanged
    (_pair("flipped", (BOTH_WRONG, 0.9), (RIGHT, 0.1)), (1,)),  # now 0.0 / 1.0
    (_pair("narrow", (DAYS_WRONG, 1.0), (WORDS, 0.0)), (1,)),  # now 0.5 / 0.0 < min_margin
    (_pair("moved", (RIGHT, 1.0), (BOTH_WRONG, 0.3)), (2,)),  # now 1.0 / 0.0: rescored
]
PARAMS = {"rule": "toolrm", "min_margin": 0.6}
CHANGED = {"label_flipped": 1, "gap_below_margin": 1, "rescored": 1}


def toolpref_rows() -> list[Record]:
    rows = [row for pair, labels in PAIRS for row in critique_rows(pair, TASK, labels=labels)]
    return _checked(CRITIQUE_SCHEMA, rows)


REORDERED = json.dumps([{"name": "get_weather", "arguments": {"days": 3, "city": "Paris"}}])
"""The right call in other words: BFCL's checker accepts it."""
BENCH_PAIRS = [
    # (pair, labels, the stored error type): BFCL's checker now says
    (_pair("kept", (RIGHT, 1.0), (DAYS_WRONG, 0.79875)), (1, 2), "value_error:others"),
    (_pair("accepted", (RIGHT, 1.0), (REORDERED, 0.2)), (1,), "value_error:string"),  # valid
    (_pair("truth-wrong", (DAYS_WRONG, 1.0), (BOTH_WRONG, 0.7)), (2,), "value_error:string"),
    (_pair("retyped", (RIGHT, 1.0), (BOTH_WRONG, 0.5)), (1,), "type_error:simple"),  # 0.6975
]
BENCH_CHANGED = {"rejected_now_accepted": 1, "ground_truth_rejected": 1, "rescored": 1}


def bench_rows() -> list[Record]:
    rows = [
        row | {"error_type": error_type}
        for pair, labels, error_type in BENCH_PAIRS
        for row in critique_rows(pair, TASK, labels=labels)
    ]
    return _checked("trbench/critique.v1", rows)


def tear_row(task_id: str, code: str, call: str, expected: str) -> Record:
    entry_point = call.split("(", 1)[0]
    row = {
        "task_id": task_id,
        "variant": "code",
        "description": None,
        "function_id": entry_point,
        "source": "handmade",
        "entry_point": entry_point,
        "code": code,
        "call": call,
        "expected": expected,
        "prompt": [{"role": "user", "content": f"```python\n{code}```\nWhat is `{call}`?"}],
        "ast_nodes": 8,
        "max_depth": 1,
        "loops": 0,
        "branches": 0,
        "data_structures": "",
        "trace_steps": 1,
        "n_samples": 4,
        "n_passed": 2,
        "pass_rate": 0.5,
        "pass_bucket": "0.50",
    }
    return _checked("tear/rl.v2", [row])[0]


DOUBLE = "def double(x):\n    return x * 2\n"
BOOM = "def boom(x):\n    raise ValueError(x)\n"
TEAR_ROWS = [
    tear_row("double-3", DOUBLE, "double(3)", "6"),  # still 6
    tear_row("double-list", DOUBLE, "double([1])", "[1, 1]"),  # still [1, 1]
    tear_row("double-4", DOUBLE, "double(4)", "9"),  # stored wrong: now 8
    tear_row("boom-1", BOOM, "boom(1)", "1"),  # now raises
]


def publish_rows(
    store: Store, *, dataset: str, schema_id: str, rows: list[Record], params: dict[str, Any]
) -> str:
    """Publish ``rows`` as the next version of ``dataset`` through ``Catalog.publish``."""
    part = write_parquet_atomic(
        records_to_table(schema_id, rows), store.staging_dir() / "part-00000.parquet"
    )
    info = Catalog(store, lock_timeout=10).publish(
        dataset=dataset,
        files=[part.path],
        schema_id=schema_id,
        params=params,
        code_version="handmade",
        flow_run_id=None,
        stats={},
    )
    return info.ref
