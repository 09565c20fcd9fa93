"""Screening and execution on the real sandbox: timeouts, long traces, counts that add up."""

from __future__ import annotations

from datagen.generators.tear.complexity import Band
from datagen.generators.tear.pipeline import execute_stage, screen_stage
from datagen.verifiers.sandbox import Limits


def _function(name: str, code: str, *inputs: str) -> dict:
    return {"function_id": name, "source": "test", "code": code, "entry_point": name,
            "inputs": list(inputs)}  # fmt: skip


FUNCTIONS = [
    _function("square", "def square(x):\n    return x * x\n", "(3,)", "(-2,)"),
    _function("spin", "def spin(x):\n    while True:\n        x += 1\n", "(0,)"),
    _function("count", "def count(n):\n    t = 0\n    for i in range(n):\n        t += i\n"
              "    return t\n", "(3,)", "(100,)"),
    _function("big", "def big(n):\n" + "    n = n + 1\n" * 30 + "    return n\n", "(1,)"),
]  # fmt: skip


def test_screening_then_execution_on_the_sandbox() -> None:
    band = Band(max_ast_nodes=100, max_depth=2, max_trace_steps=40)
    limits = Limits(cpu_seconds=1, wall_seconds=2.0, trace_steps=band.max_trace_steps + 1)
    screened = screen_stage(FUNCTIONS, band=band, dedup_threshold=0.95)
    executed = execute_stage(screened[-1].records, band=band, max_output_chars=200, limits=limits)
    chain = [*screened, *executed]
    counts = {o.stage: (o.n_in, len(o.records), o.n_filtered) for o in chain}
    assert counts == {
        "static_filter": (4, 4, 0),
        "complexity_band": (4, 3, 1),  # big: too many AST nodes
        "dedup": (3, 3, 0),
        "execute": (5, 4, 1),  # spin times out
        "determinism": (4, 4, 0),
        "output_length": (4, 4, 0),
        "trace_band": (4, 3, 1),  # count(100) runs past 40 traced lines
    }
    reasons = {reason: n for o in chain for reason, n in o.reasons.items()}
    assert reasons == {
        "complexity_band: too_complex": 1,
        "execute: execution_timeout": 1,
        "trace_band: trace_too_long": 1,
    }
    tasks = executed[-1].records
    assert [(t["call"], t["expected"]) for t in tasks] == [
        ("square(3)", "9"), ("square(-2)", "4"), ("count(3)", "3"),
    ]  # fmt: skip
    assert all(t["trace_steps"] >= 1 for t in tasks)
