"""Curation filters, complexity measures and dedup, each on its own table."""

from __future__ import annotations

import pytest

from datagen.generators.tear.complexity import Band, bucket, measure_code
from datagen.generators.tear.curation import (
    execution_problem,
    find_duplicates,
    jaccard,
    normalised_tokens,
    static_problem,
)
from datagen.verifiers.sandbox import ExecutionResult

STATIC = [
    ("def f(x):\n    return x + 1\n", None),
    ("import math\nfrom typing import List\ndef f(x):\n    return math.sqrt(x)\n", None),
    ("from collections import Counter\ndef f(s):\n    return Counter(s)\n", None),
    ("import random\ndef f(x):\n    return random.random()\n", "disallowed_import"),
    ("import os.path\ndef f(x):\n    return x\n", "disallowed_import"),
    ("def f(x):\n    import time\n    return time.time()\n", "disallowed_import"),
    ("from . import x\ndef f(x):\n    return x\n", "disallowed_import"),
    ("def f(x):\n    print(x)\n    return x\n", "impure_call"),
    ("def f(p):\n    return open(p).read()\n", "impure_call"),
    ("def f(x):\n    return eval(x)\n", "impure_call"),
    ("def f(x):\n    return id(x)\n", "impure_call"),
    ("def f(s):\n    return hash(s)\n", "impure_call"),
    ("n = 0\ndef f(x):\n    global n\n    n += 1\n    return n\n", "impure_construct"),
    ("async def f(x):\n    return x\n", "no_entry_point"),
    ("def g(x):\n    return x\n", "no_entry_point"),
    ("def f(x)\n    return x\n", "syntax_error"),
    ("class f:\n    pass\n", "no_entry_point"),
]


@pytest.mark.parametrize(("code", "reason"), STATIC)
def test_static_filter(code: str, reason: str | None) -> None:
    found = static_problem(code, "f")
    assert (found.split(":")[0] if found else None) == reason


def _run(status: str = "ok", output: str | None = "1", reason: str = "") -> ExecutionResult:
    return ExecutionResult(id=0, status=status, output=output, reason=reason)  # type: ignore[arg-type]


EXECUTIONS = [
    (_run(), _run(), None),
    (_run(output="'" + "a" * 198 + "'"), _run(output="'" + "a" * 198 + "'"), None),  # 200 chars
    (_run(output="'" + "a" * 199 + "'"), _run(output="'" + "a" * 199 + "'"), "output_too_long"),
    (_run(output="1"), _run(output="2"), "non_deterministic"),
    (_run(), _run("timeout", None, "wall time"), "non_deterministic"),
    (_run("error", None, "ZeroDivisionError: division by zero"), _run(), "execution_error"),
    (_run("timeout", None, "cpu time"), _run("timeout", None), "execution_timeout"),
    (_run("killed", None, "SIGKILL"), _run("killed", None), "execution_killed"),
    (_run(output=""), _run(output=""), "empty_output"),
]


@pytest.mark.parametrize(("first", "second", "reason"), EXECUTIONS)
def test_execution_filters(first, second, reason: str | None) -> None:
    found = execution_problem(first, second, max_output_chars=200)
    assert (found.split(":")[0] if found else None) == reason


COMPLEXITY = [
    # code, ast_nodes range, depth, loops, branches, structures
    ("def f(x):\n    return x\n", (5, 8), 0, 0, 0, ()),
    ("def f(xs):\n    for x in xs:\n        if x:\n            return x\n", (10, 20), 2, 1, 1, ()),
    ("def f(n):\n    while n:\n        for i in range(n):\n            if i:\n"
     "                n -= 1\n    return n\n", (15, 40), 3, 2, 1, ()),
    ("def f(xs):\n    return {x: [y for y in xs] for x in set(xs)}\n", (10, 30), 2, 2, 0,
     ("dict", "list", "set")),
    ("def f(a):\n    return sorted(a) if a else (1, 2)\n", (10, 20), 0, 0, 1, ("list", "tuple")),
]  # fmt: skip


@pytest.mark.parametrize(("code", "nodes", "depth", "loops", "branches", "kinds"), COMPLEXITY)
def test_complexity_measures(code, nodes, depth, loops, branches, kinds) -> None:
    measured = measure_code(code)
    assert nodes[0] <= measured.ast_nodes <= nodes[1]
    assert (measured.max_depth, measured.loops, measured.branches) == (depth, loops, branches)
    assert measured.data_structures == kinds
    assert measured.as_record()["data_structures"] == ",".join(kinds)


def test_band_keeps_the_simple_structure_band() -> None:
    band = Band(max_ast_nodes=20, max_depth=1, max_trace_steps=10)
    assert band.code_problem(measure_code("def f(x):\n    return x\n")) is None
    deep = measure_code("def f(xs):\n    for x in xs:\n        if x:\n            return x\n")
    assert band.code_problem(deep) == "too_complex: nesting depth 2 > 1"
    big = measure_code("def f(x):\n" + "    x = x + 1\n" * 10 + "    return x\n")
    assert (band.code_problem(big) or "").startswith("too_complex: ")
    assert band.trace_problem(10, truncated=False) is None
    assert band.trace_problem(11, truncated=False) == "trace_too_long: 11 > 10"
    assert band.trace_problem(10, truncated=True) == "trace_too_long: 10+ > 10"


@pytest.mark.parametrize(
    ("value", "label"), [(0, "<50"), (49, "<50"), (50, "50-99"), (299, "200-299"), (300, "300+")]
)
def test_bucket_labels(value: int, label: str) -> None:
    assert bucket(value, (50, 100, 200, 300)) == label


ORIGINAL = 'def total(values):\n    """Sum."""\n    acc = 0\n    for v in values:\n        acc += v\n    return acc\n'  # noqa: E501
RENAMED = "def f(xs):\n    s = 0  # start\n    for x in xs:\n        s += x\n    return s\n"
TWEAKED = (
    "def total(values):\n    acc = 1\n    for v in values:\n        acc *= v\n    return acc\n"
)
OTHER = "def g(text):\n    return text.upper().split(',')\n"


def test_normalised_tokens_ignore_names_comments_and_docstrings() -> None:
    assert normalised_tokens(ORIGINAL) == normalised_tokens(RENAMED)
    assert normalised_tokens(ORIGINAL) != normalised_tokens(TWEAKED)
    assert "range" in normalised_tokens("def f(n):\n    return range(n)\n")  # builtins stay


@pytest.mark.parametrize(
    ("codes", "threshold", "dropped"),
    [
        ([ORIGINAL, RENAMED, OTHER], 0.9, {1: "duplicate_code"}),
        ([ORIGINAL, TWEAKED, OTHER], 0.7, {1: "near_duplicate"}),
        ([ORIGINAL, TWEAKED, OTHER], 0.99, {}),
        ([OTHER, OTHER, OTHER], 0.9, {1: "duplicate_code", 2: "duplicate_code"}),
        ([], 0.9, {}),
    ],
)
def test_find_duplicates(codes: list[str], threshold: float, dropped: dict[int, str]) -> None:
    found = find_duplicates(codes, threshold=threshold)
    assert {d.index: d.reason.split(":")[0] for d in found} == dropped


def test_jaccard() -> None:
    assert jaccard(["a", "b"], ["b", "c"]) == pytest.approx(1 / 3)
    assert jaccard([], []) == 1.0
