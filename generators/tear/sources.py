"""Where TeaR's functions come from: HumanEval (with inputs read from its tests) or a JSONL file.

A function record is ``{function_id, source, code, entry_point, inputs}``; each input is the
text of a Python tuple literal of positional arguments (``"(1, [2, 3])"``), so any literal
argument survives Parquet and is rebuilt with ``ast.literal_eval`` right before execution.
"""

from __future__ import annotations

import ast
import gzip
import json
from pathlib import Path
from typing import Any

from datagen.generators.sources import HUMANEVAL_LICENSE, humaneval_path, jsonl_rows
from datagen.schemas.records import Quarantined, SourceError, SourceRead

JSONL_SHAPE = "JSONL of {code, entry_point, inputs}"


def read_functions(source: str, *, inputs_per_function: int) -> SourceRead:
    """``humaneval`` or a path to a JSONL file of ``{code, entry_point, inputs}`` rows."""
    if inputs_per_function < 1:
        raise ValueError(f"inputs_per_function must be >= 1, got {inputs_per_function}")
    if source == "humaneval":
        return read_humaneval(humaneval_path(), inputs_per_function=inputs_per_function)
    return read_jsonl(Path(source), inputs_per_function=inputs_per_function)


def read_humaneval(path: Path, *, inputs_per_function: int) -> SourceRead:
    """HumanEval's functions (prompt + canonical solution) with inputs from ``check``'s asserts."""
    functions, rejects = [], []
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        for line in lines:
            problem = json.loads(line)
            record_id = problem["task_id"]
            entry_point = problem["entry_point"]
            inputs = extract_inputs(problem["test"], entry_point="candidate")
            if not inputs:
                rejects.append(Quarantined(record_id, "no_literal_inputs", problem))
                continue
            functions.append(
                {
                    "function_id": record_id.replace("/", "-"),
                    "source": "humaneval",
                    "code": problem["prompt"] + problem["canonical_solution"],
                    "entry_point": entry_point,
                    "inputs": inputs[:inputs_per_function],
                }
            )
    lineage = {"source": "humaneval", "license": HUMANEVAL_LICENSE, "path": str(path)}
    return SourceRead(functions, rejects, lineage)


def read_jsonl(path: Path, *, inputs_per_function: int) -> SourceRead:
    """Rows ``{code, entry_point, inputs: [[arg, ...], ...], id?}``; bad rows quarantined.

    A file with no usable row at all is a ``SourceError``, not a run of rejects.
    """
    functions, rejects = [], []
    for record_id, row, rejected in jsonl_rows(
        path, expected=f"'humaneval' or a {JSONL_SHAPE} file"
    ):
        if rejected is not None:
            rejects.append(rejected)
            continue
        problem = _jsonl_problem(row)
        if problem:
            rejects.append(Quarantined(record_id, problem, row if isinstance(row, dict) else {}))
            continue
        functions.append(
            {
                "function_id": str(row.get("id") or record_id),
                "source": path.name,
                "code": row["code"],
                "entry_point": row["entry_point"],
                "inputs": [repr(tuple(args)) for args in row["inputs"]][:inputs_per_function],
            }
        )
    if not functions:
        raise _nothing_usable(path, rejects)
    return SourceRead(functions, rejects, {"source": str(path), "license": None})


def _nothing_usable(path: Path, rejects: list[Quarantined]) -> SourceError:
    first = rejects[0]
    line = first.record_id.rsplit("-", 1)[-1]
    if all(r.reason.startswith("invalid_json") for r in rejects):
        detail = first.reason.removeprefix("invalid_json: ")
        return SourceError(f"{path}: no line is JSON (line {line}: {detail})")
    return SourceError(
        f"{path}: none of its {len(rejects)} rows is a function {JSONL_SHAPE} "
        f"(line {line}: {first.reason})"
    )


def _jsonl_problem(row: Any) -> str | None:
    if not isinstance(row, dict):
        return "not_an_object: each line must be a JSON object"
    if not isinstance(row.get("code"), str) or not row["code"].strip():
        return "missing_code: 'code' must be non-empty text"
    if not isinstance(row.get("entry_point"), str) or not row["entry_point"].isidentifier():
        return "bad_entry_point: 'entry_point' must be a Python identifier"
    inputs = row.get("inputs")
    if not isinstance(inputs, list) or not inputs or not all(isinstance(a, list) for a in inputs):
        return "bad_inputs: 'inputs' must be a non-empty list of argument lists"
    return None


def extract_inputs(test_code: str, *, entry_point: str) -> list[str]:
    """Argument tuples (as literal text) of ``entry_point(...)`` calls in ``test_code``'s asserts.

    Only calls whose every argument is a literal (after constant folding of ``-1`` and the like)
    count; keyword arguments and ``*args`` skip the call. Duplicates are dropped, order kept.
    """
    try:
        tree = ast.parse(test_code)
    except SyntaxError:
        return []
    found: list[str] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Assert):
            continue
        for call in ast.walk(node.test):
            if not (
                isinstance(call, ast.Call)
                and isinstance(call.func, ast.Name)
                and call.func.id == entry_point
            ):
                continue
            args = literal_args(call)
            if args is not None and round_trips(text := repr(args)) and text not in found:
                found.append(text)
    return found


def round_trips(text: str) -> bool:
    """Whether ``text`` reads back as a literal (``repr(1e400)`` is ``inf``, which does not)."""
    try:
        ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return False
    return True


def literal_args(call: ast.Call) -> tuple | None:
    """The call's positional arguments as Python values, if all are literals (else None)."""
    if call.keywords or any(isinstance(a, ast.Starred) for a in call.args):
        return None
    try:
        return tuple(ast.literal_eval(arg) for arg in call.args)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return None
