"""IFEvalCode's seed problems: hand-written tasks with a reference answer and tests.

The flow derives constraints from seeds, so a seed must already be a sound row: its
``reference_response`` passes its ``check_correctness`` in its language (a test in
``tests/ifevalcode`` runs them all through the real toolchains). The rows keep the released
benchmark's field names (arXiv 2507.22462) plus ``reference_response``, ``source`` and
``license``, one JSONL file per language under ``seeds/``, shipped as package data.

The reader validates every row as it loads it and names the file and line of a bad one: a
seed with a missing test would otherwise surface much later, as a constraint that no
response can satisfy.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from datagen.verifiers.code.languages import LANGUAGES, as_language

SEED_FIELDS = (
    "id",
    "programming_language",
    "english_question",
    "chinese_question",
    "check_correctness",
    "reference_response",
    "check_instruction",
    "source",
    "license",
)
"""Every seed row's fields, all strings with some text."""

SEED_SOURCE = "datagen seeds"
SEED_LICENSE = "Apache-2.0"
SEED_LINEAGE = {
    "source": SEED_SOURCE,
    "license": SEED_LICENSE,
    "origin": "written by hand for datagen (problems, Chinese translations, tests, references)",
    "layout": "IFEvalCode's released rows (arXiv 2507.22462) plus reference_response",
}
"""Where the seeds come from, for the lineage of every row derived from them: none is
copied from IFEvalCode or another benchmark, so they carry the repository's license."""


def seeds_folder() -> Traversable:
    """The packaged ``seeds/`` folder (``<language>.jsonl`` files)."""
    return resources.files("datagen.generators.ifevalcode") / "seeds"


def read_seeds(
    languages: Sequence[str] | None = None, *, folder: Traversable | Path | None = None
) -> list[dict[str, str]]:
    """The seed rows of ``languages`` (all seven by default), language by language, each
    file's rows in file order.

    ``folder`` holds the ``<language>.jsonl`` files; the packaged seeds by default. Raises
    ``ValueError`` for an unknown language, a missing file, or a bad row: not a JSON object,
    a field missing, blank or not a string, a language other than its file's, or an ``id``
    seen before. The message names the file and the line.
    """
    root = seeds_folder() if folder is None else folder
    rows: list[dict[str, str]] = []
    seen: dict[str, str] = {}
    for language in LANGUAGES if languages is None else languages:
        as_language(language)
        path = root / f"{language}.jsonl"
        if not path.is_file():
            raise ValueError(f"{path}: no seed file for {language!r}")
        text = path.read_text(encoding="utf-8")
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            where = f"{path}:{number}"
            row = _seed_row(line, language=language, where=where)
            if row["id"] in seen:
                raise ValueError(f"{where}: id {row['id']!r} already used at {seen[row['id']]}")
            seen[row["id"]] = where
            rows.append(row)
    return rows


def _seed_row(line: str, *, language: str, where: str) -> dict[str, str]:
    """One line's row, checked; ``where`` (file:line) starts every error message."""
    try:
        record: Any = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{where}: not JSON ({exc.msg})") from exc
    if not isinstance(record, dict):
        raise ValueError(f"{where}: expected a JSON object, got {type(record).__name__}")
    missing = [name for name in SEED_FIELDS if name not in record]
    if missing:
        raise ValueError(f"{where}: missing fields: {', '.join(missing)}")
    bad = [
        name
        for name in SEED_FIELDS
        if not isinstance(record[name], str) or not record[name].strip()
    ]
    if bad:
        raise ValueError(f"{where}: blank or not strings: {', '.join(bad)}")
    if record["programming_language"] != language:
        raise ValueError(
            f"{where}: programming_language {record['programming_language']!r} "
            f"in the file of {language!r}"
        )
    return {name: record[name] for name in SEED_FIELDS}
