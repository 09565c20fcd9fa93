"""IFEvalCode's seed problems: enough per language, well-formed, and every reference answer
passing its own tests through the real toolchains (the proof that a seed is a sound row)."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest

from datagen.generators.ifevalcode.seeds import (
    SEED_FIELDS,
    SEED_LICENSE,
    SEED_SOURCE,
    read_seeds,
)
from datagen.verifiers.code import LANGUAGES
from datagen.verifiers.code_checks import CodeRow, check_rows, code_sandbox

FENCE_TAG = {
    "python": "python",
    "java": "java",
    "javascript": "javascript",
    "typescript": "typescript",
    "shell": "bash",
    "cpp": "cpp",
    "csharp": "csharp",
}
"""The language tag of each reference's fenced block."""


def test_every_language_has_five_well_formed_seeds() -> None:
    seeds = read_seeds()
    ids = [seed["id"] for seed in seeds]
    assert len(ids) == len(set(ids)), "seed ids repeat"
    for language in LANGUAGES:
        rows = [seed for seed in seeds if seed["programming_language"] == language]
        assert len(rows) >= 5, f"{language}: only {len(rows)} seeds"
        assert read_seeds([language]) == rows
    for seed in seeds:
        assert set(seed) == set(SEED_FIELDS)
        assert all(isinstance(seed[name], str) and seed[name].strip() for name in SEED_FIELDS)
        language = seed["programming_language"]
        assert re.fullmatch(rf"seed-{language}-\d{{3}}", seed["id"]), seed["id"]
        assert seed["reference_response"].count("```") == 2, f"{seed['id']}: one fenced block"
        assert f"```{FENCE_TAG[language]}\n" in seed["reference_response"], seed["id"]
        assert re.search(r"[\u4e00-\u9fff]", seed["chinese_question"]), seed["id"]
        assert (seed["source"], seed["license"]) == (SEED_SOURCE, SEED_LICENSE)
        assert "def check_instruction(response):" in seed["check_instruction"]


def test_every_reference_passes_its_tests() -> None:
    """All references at once, in parallel, through the harness's real compilers and
    runtimes (15–25 s on 2 cores). ``strict=False``: these are our own programs, so the
    test runs wherever the toolchains are, with or without the sandbox's full isolation."""
    seeds = read_seeds()
    rows = [
        CodeRow(
            seed["id"],
            seed["programming_language"],
            seed["reference_response"],
            seed["check_correctness"],
            seed["check_instruction"],
        )
        for seed in seeds
    ]
    started = time.monotonic()
    with code_sandbox(strict=False) as sandbox:
        checks = list(check_rows(sandbox, rows))
    elapsed = time.monotonic() - started
    failed = {c.id: (c.correct_reason, c.instruction_reason) for c in checks if not c.correct}
    assert not failed, failed
    assert [c.id for c in checks] == [seed["id"] for seed in seeds]
    assert all(c.instruction for c in checks), [c.id for c in checks if not c.instruction]
    print(f"{len(rows)} seeds checked in {elapsed:.1f} s")


GOOD = {name: f"text of {name}" for name in SEED_FIELDS} | {
    "id": "seed-python-001",
    "programming_language": "python",
}


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "not JSON"),
        ("[1, 2]", "expected a JSON object, got list"),
        (json.dumps({k: v for k, v in GOOD.items() if k != "check_correctness"}), "missing"),
        (json.dumps(GOOD | {"reference_response": "  "}), "reference_response"),
        (json.dumps(GOOD | {"license": None}), "license"),
        (json.dumps(GOOD | {"programming_language": "java"}), "'java' in the file of 'python'"),
        (json.dumps(GOOD), "already used at"),  # the good line again: a repeated id
    ],
)
def test_a_bad_row_is_rejected_with_its_file_and_line(
    tmp_path: Path, line: str, message: str
) -> None:
    (tmp_path / "python.jsonl").write_text(f"{json.dumps(GOOD)}\n\n{line}\n", encoding="utf-8")
    with pytest.raises(ValueError, match=re.escape(message)) as error:
        read_seeds(["python"], folder=tmp_path)
    assert "python.jsonl:3:" in str(error.value)


def test_a_good_file_unknown_language_and_missing_file(tmp_path: Path) -> None:
    (tmp_path / "python.jsonl").write_text(json.dumps(GOOD) + "\n", encoding="utf-8")
    assert read_seeds(["python"], folder=tmp_path) == [GOOD]
    with pytest.raises(ValueError, match="unknown language 'Python'"):
        read_seeds(["Python"], folder=tmp_path)
    with pytest.raises(ValueError, match="no seed file for 'java'"):
        read_seeds(["python", "java"], folder=tmp_path)
