"""Re-verify TeaR rows: each row's call re-executed in the sandbox against its expected output.

A ``tear/rl`` row holds its function's code, the call whose value it asks (``f(1, [2])``,
literal arguments) and the ``repr`` the sandbox returned when the run made it. The call runs
again, twice as curation runs it (``curation.execution_problem``: a failure, a difference
between the runs, or an empty output is no ground truth); a row is dropped as
``execution_failed`` when its runs give no ground truth any more, or ``output_changed`` when
they agree on another value. The engine's pass rate is not re-measured (that needs the engine).
"""

from __future__ import annotations

import ast
from collections.abc import Mapping, Sequence
from typing import Any

from datagen.generators.reverify import Reverified, refuse_schema, reverified
from datagen.generators.tear import curation
from datagen.schemas.records import Quarantined, Record
from datagen.verifiers.sandbox import ExecutionJob, Limits

SCHEMAS = ("tear/rl.v1", "tear/rl.v2")
OUTPUT_CHANGED = "output_changed"
EXECUTION_FAILED = "execution_failed"
LIMITS = Limits(cpu_seconds=2, wall_seconds=5.0)
"""The run's execution limits (``flows/tear_steps.py``), without its trace."""


def call_args(call: str) -> tuple:
    """The literal positional arguments of a row's call ``f(1, 'a')``."""
    node = ast.parse(call, mode="eval").body
    if not isinstance(node, ast.Call) or node.keywords:
        raise ValueError(f"not a call with positional arguments: {call!r:.60}")
    return tuple(ast.literal_eval(arg) for arg in node.args)


def reverify_tasks(
    rows: Sequence[Record],
    *,
    schema_id: str,
    params: Mapping[str, Any],
    limits: Limits = LIMITS,
) -> Reverified:
    """Keep the rows whose call still returns their expected output, run in the sandbox."""
    from datagen.verifiers.sandbox import Sandbox

    refuse_schema("tear", schema_id, SCHEMAS, "the code, call and expected output")
    jobs, unreadable = [], {}
    for index, row in enumerate(rows):
        try:
            args = call_args(row["call"])
        except (SyntaxError, ValueError) as exc:
            unreadable[index] = f"call does not parse: {exc}"
            args = ()
        jobs.append(
            ExecutionJob(id=index, code=row["code"], entry_point=row["entry_point"], args=args)
        )
    with Sandbox(limits=limits) as sandbox:
        first, second = sandbox.run_batch(jobs), sandbox.run_batch(jobs)
    max_chars = int(params.get("max_output_chars", 10**9))
    kept: list[Record] = []
    dropped: list[Quarantined] = []
    changed = {OUTPUT_CHANGED: 0, EXECUTION_FAILED: 0}
    for index, (row, a, b) in enumerate(zip(rows, first, second, strict=True)):
        problem = unreadable.get(index) or curation.execution_problem(
            a, b, max_output_chars=max_chars
        )
        if problem is not None:
            code, detail = EXECUTION_FAILED, problem
        elif a.output != row["expected"]:
            code, detail = OUTPUT_CHANGED, f"{row['call']} was {row['expected']!r:.60}"
            detail += f", now {a.output!r:.60}"
        else:
            kept.append(row)
            continue
        changed[code] += 1
        dropped.append(Quarantined(row["task_id"], f"{code}: {detail}", row))
    notes = ["re-executed in the sandbox; the engine's pass rate is not re-measured"]
    return reverified(rows, kept, dropped, changed, notes)
