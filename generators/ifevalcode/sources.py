"""Where IFEvalCode's problems come from: the packaged seeds, HumanEval, or a local JSONL file.

Every problem is a row in the released layout (``id``, ``programming_language``,
``english_question``, ``chinese_question``, ``check_correctness``) plus a
``reference_response`` that passes its tests, and its ``source`` and ``license``: the flow
derives constraints from the reference, so a problem without one cannot become a row.
``round_robin`` orders problems so that ``--limit N`` takes them in turn from each language.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Sequence
from itertools import zip_longest
from pathlib import Path
from typing import Any

from datagen.generators.ifevalcode.seeds import SEED_LINEAGE, read_seeds
from datagen.generators.sources import HUMANEVAL_LICENSE, humaneval_path, jsonl_rows
from datagen.schemas.records import Quarantined, Record, SourceError, SourceRead
from datagen.verifiers.code.languages import LANGUAGES

PROBLEM_FIELDS = (
    "id",
    "programming_language",
    "english_question",
    "chinese_question",
    "check_correctness",
    "reference_response",
    "source",
    "license",
)
REQUIRED = ("id", "programming_language", "english_question", "check_correctness")
JSONL_SHAPE = (
    "JSONL of {id, programming_language, english_question, check_correctness, "
    "reference_response, chinese_question?}"
)


def read_problems(source: str, *, languages: Sequence[str] = LANGUAGES) -> SourceRead:
    """``seeds`` (the default), ``humaneval`` (Python only), or a JSONL file's path."""
    if source == "seeds":
        rows = [_problem(seed) for seed in read_seeds(languages)]
        return SourceRead(rows, [], dict(SEED_LINEAGE))
    if source == "humaneval":
        return read_humaneval(humaneval_path()) if "python" in languages else SourceRead([])
    return read_jsonl(Path(source), languages=languages)


def read_humaneval(path: Path) -> SourceRead:
    """HumanEval's 164 problems as Python rows: the question is its prompt, the reference its
    canonical solution, the test its ``check`` called on the entry point."""
    rows = []
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        for line in lines:
            problem = json.loads(line)
            entry_point, prompt = problem["entry_point"], problem["prompt"]
            rows.append(
                {
                    "id": problem["task_id"].replace("/", "-"),
                    "programming_language": "python",
                    "english_question": (
                        f"Write the Python function `{entry_point}` below: keep its signature "
                        f"and make it do what its docstring says.\n\n```python\n{prompt}```"
                    ),
                    "chinese_question": "",
                    "check_correctness": (
                        f"{problem['test']}\n\ndef check_correctness():\n    check({entry_point})\n"
                    ),
                    "reference_response": (
                        f"```python\n{prompt}{problem['canonical_solution']}```"
                    ),
                    "source": "humaneval",
                    "license": HUMANEVAL_LICENSE,
                }
            )
    return SourceRead(rows, [], {"source": "humaneval", "license": HUMANEVAL_LICENSE})


def read_jsonl(path: Path, *, languages: Sequence[str] = LANGUAGES) -> SourceRead:
    """Rows in the layout above; bad rows quarantined with their reason, rows of other
    languages left out. A file with no usable row is a ``SourceError``."""
    rows: list[Record] = []
    rejects: list[Quarantined] = []
    for record_id, row, rejected in jsonl_rows(path, expected=JSONL_SHAPE):
        if rejected is not None:
            rejects.append(rejected)
            continue
        problem = _row_problem(row)
        if problem:
            rejects.append(Quarantined(record_id, problem, row if isinstance(row, dict) else {}))
        elif row["programming_language"] in languages:
            rows.append(_problem({"source": path.name, "license": "", **row}))
    if not rows and rejects:
        first = rejects[0]
        raise SourceError(f"{path}: no row is a problem {JSONL_SHAPE} ({first.reason})")
    return SourceRead(rows, rejects, {"source": str(path), "license": None})


def round_robin(problems: list[Record]) -> list[Record]:
    """One problem of each language in turn (in ``LANGUAGES`` order), each language's in
    source order, so that a small ``--limit`` covers every language."""
    by_language: dict[str, list[Record]] = {language: [] for language in LANGUAGES}
    for problem in problems:
        by_language[problem["programming_language"]].append(problem)
    turns = zip_longest(*by_language.values())
    return [problem for turn in turns for problem in turn if problem is not None]


def _problem(row: dict[str, Any]) -> Record:
    return {name: str(row.get(name) or "") for name in PROBLEM_FIELDS}


def _row_problem(row: Any) -> str | None:
    if not isinstance(row, dict):
        return f"not_an_object: got {type(row).__name__}"
    missing = [name for name in (*REQUIRED, "reference_response") if not row.get(name)]
    if missing:
        return f"missing_fields: {', '.join(missing)}"
    not_text = [name for name in PROBLEM_FIELDS if name in row and not isinstance(row[name], str)]
    if not_text:
        return f"not_text: {', '.join(not_text)}"
    if row["programming_language"] not in LANGUAGES:
        return f"unknown_language: {row['programming_language']}"
    return None
