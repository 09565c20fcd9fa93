"""``datagen run ifevalcode --limit 7`` end to end: real Prefect, a real catalog, the packaged
seeds, tree-sitter, and every reference checked in the sandbox; then the published rows are
checked again by ``datagen verify code`` as a user would, and exported for verl."""

from __future__ import annotations

import ast
import json
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from datagen.catalog import Catalog, Store
from datagen.schemas import table_to_records
from datagen.verifiers import rewards
from datagen.verifiers.code.languages import LANGUAGES
from tests.sandbox.helpers import NEEDS_ROOT

from ..flows.conftest import datagen

pytestmark = NEEDS_ROOT


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, list[dict]]:
    store = tmp_path_factory.mktemp("ifevalcode-store")
    done = datagen("run", "ifevalcode", "--limit", "7", store=store)
    rows = table_to_records(
        "ifevalcode/problem.v1", Catalog(Store.resolve(store)).read("ifevalcode@1")
    )
    return store, done.stdout + done.stderr, rows


def test_a_small_run_publishes_one_row_per_language(published) -> None:
    _, printed, rows = published
    assert "published ifevalcode@1: 7 rows" in printed
    assert sorted(r["programming_language"] for r in rows) == sorted(LANGUAGES)
    assert "constraints per problem:" in printed and "the paper's: 2–15" in printed
    for row in rows:
        assert 2 <= len(row["constraints"]) <= 15
        assert row["direction"] == "backward" and row["id"] == f"{row['seed_id']}-backward"
        for number, item in enumerate(row["constraints"], start=1):
            assert f"{number}. {item['text']}" in row["english_question"]


def test_every_checker_is_standard_library_python(published) -> None:
    for row in published[2]:
        tree = ast.parse(row["check_instruction"])
        imported = {
            alias.name.split(".")[0]
            for node in ast.walk(tree)
            if isinstance(node, ast.Import | ast.ImportFrom)
            for alias in getattr(node, "names", [])
        }
        assert imported <= set(sys.stdlib_module_names), imported


def test_published_rows_pass_datagen_verify_code(published, tmp_path: Path) -> None:
    """The rows as a user gets them: the reference passes both checks; the bare answer of
    each row's seed question fails the instructions of most rows."""
    store, _, rows = published
    lines = [
        {
            "id": row["id"],
            "programming_language": row["programming_language"],
            "response": row["reference_response"],
            "check_correctness": row["check_correctness"],
            "check_instruction": row["check_instruction"],
        }
        for row in rows
    ]
    source = tmp_path / "rows.jsonl"
    source.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    done = datagen("verify", "code", str(source), store=store)
    verdicts = [json.loads(line) for line in done.stdout.splitlines()]
    assert [(v["correct"], v["instruction"]) for v in verdicts] == [(True, True)] * len(rows)


def test_the_rl_export_carries_the_reward_and_the_question_language(
    published, tmp_path: Path
) -> None:
    store, _, rows = published
    out = tmp_path / "verl"
    datagen(
        "export", "ifevalcode@1", "--format", "verl", "--out", str(out), "--split", "train=1",
        "--question-language", "both", store=store,
    )  # fmt: skip
    exported = pq.read_table(out / "train.parquet").to_pylist()
    assert len(exported) == len(rows)
    by_id = {row["id"]: row for row in rows}
    for item in exported:
        row = by_id[item["extra_info"]["id"]]
        assert item["data_source"] == "ifevalcode"
        assert item["prompt"][0]["content"].startswith(row["english_question"])
        truth = item["reward_model"]["ground_truth"]
        score = rewards.compute_score("ifevalcode", row["reference_response"], truth)
        assert score["score"] == 1.0


def test_a_rerun_resumes_its_shard_and_publishes_the_same_rows(published) -> None:
    store, _, rows = published
    done = datagen("run", "ifevalcode", "--limit", "7", store=store)
    assert "backward: 1 of 1 shards resumed" in done.stdout + done.stderr
    again = table_to_records(
        "ifevalcode/problem.v1", Catalog(Store.resolve(store)).read("ifevalcode@2")
    )
    assert again == rows
