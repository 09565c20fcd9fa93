"""``datagen run ifevalcode --limit 7`` end to end on the embedded engine: real Prefect, a real
catalog, the packaged seeds, tree-sitter, the embedded model for forward picks, code and
Chinese questions, and every answer checked in the sandbox; then the published rows are
checked again by ``datagen verify code`` as a user would, and exported for verl. A second run
on the named fake engine (``fake:ifevalcode``, ``--limit 7``: one problem per language) shows
forward rows kept in at least four languages and Chinese questions kept on every row, which
the embedded model rarely writes."""

from __future__ import annotations

import ast
import json
import re
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


EMBEDDED_RUN = (
    "run", "ifevalcode", "--limit", "7", "--write-max-tokens", "256",
    "--chinese-max-tokens", "64",
)  # fmt: skip
"""Smaller token budgets than the defaults keep this run short on two cores: the seeds'
references fit in 256 tokens, and the embedded model's Chinese is low quality anyway (the
report says so whatever the budget; with 192 tokens it kept 1 of 8 translations, so most of
that budget went to translations the run threw away). At 64 tokens every row still goes
through the Chinese stage on the embedded engine; the fake run proves kept translations."""


def read_rows(store: Path, ref: str) -> list[dict]:
    return table_to_records("ifevalcode/problem.v1", Catalog(Store.resolve(store)).read(ref))


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, list[dict]]:
    store = tmp_path_factory.mktemp("ifevalcode-store")
    done = datagen(*EMBEDDED_RUN, store=store)
    return store, done.stdout + done.stderr, read_rows(store, "ifevalcode@1")


@pytest.fixture(scope="module")
def faked(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, list[dict]]:
    store = tmp_path_factory.mktemp("ifevalcode-fake-store")
    done = datagen("run", "ifevalcode", "--limit", "7", "--engine", "fake:ifevalcode",
                   store=store)  # fmt: skip
    return store, done.stdout + done.stderr, read_rows(store, "ifevalcode@1")


def test_a_small_embedded_run_publishes_rows_in_every_language(published) -> None:
    _, printed, rows = published
    assert f"published ifevalcode@1: {len(rows)} rows" in printed
    backward = [r for r in rows if r["direction"] == "backward"]
    assert sorted(r["programming_language"] for r in backward) == sorted(LANGUAGES)
    assert "constraints per problem:" in printed and "the paper's: 2–15" in printed
    assert "keep pass rate per direction: backward 7/7 (100%)" in printed
    assert "keep pass rate per constraint category:" in printed
    assert "chinese_question: written by embedded for" in printed and "low quality" in printed
    for row in rows:
        assert 2 <= len(row["constraints"]) <= 15
        assert row["id"] == f"{row['seed_id']}-{row['direction']}"
        for number, item in enumerate(row["constraints"], start=1):
            assert f"{number}. {item['text']}" in row["english_question"]


def test_the_fake_engine_run_keeps_forward_rows_and_chinese_questions(faked) -> None:
    _, printed, rows = faked
    forward = [r for r in rows if r["direction"] == "forward"]
    assert len({r["programming_language"] for r in forward}) >= 4, printed[-3000:]
    rates = re.search(r"keep pass rate per direction: backward 7/7 \(100%\), forward (\d+)/7",
                      printed)  # fmt: skip
    assert rates and int(rates.group(1)) == len(forward) < 7  # the fake's wrong picks fail
    assert all(r["chinese_question"] for r in rows)
    assert "low quality" not in printed
    for row in forward:
        assert row["reference_response"].startswith("Here is the solution:")


def test_every_checker_is_standard_library_python(published, faked) -> None:
    for row in published[2] + faked[2]:
        tree = ast.parse(row["check_instruction"])
        imported = {
            alias.name.split(".")[0]
            for node in ast.walk(tree)
            if isinstance(node, ast.Import | ast.ImportFrom)
            for alias in getattr(node, "names", [])
        }
        assert imported <= set(sys.stdlib_module_names), imported


@pytest.mark.parametrize("run", ["published", "faked"])
def test_published_rows_pass_datagen_verify_code(run, request, tmp_path: Path) -> None:
    """The rows as a user gets them: the reference passes both checks."""
    store, _, rows = request.getfixturevalue(run)
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


def test_the_chinese_export_asks_the_engine_written_question(faked, tmp_path: Path) -> None:
    store, _, rows = faked
    out = tmp_path / "verl-zh"
    datagen(
        "export", "ifevalcode@1", "--format", "verl", "--out", str(out), "--split", "train=1",
        "--question-language", "zh", store=store,
    )  # fmt: skip
    chinese = {row["id"]: row["chinese_question"] for row in rows}
    for item in pq.read_table(out / "train.parquet").to_pylist():
        assert item["prompt"][0]["content"].startswith(chinese[item["extra_info"]["id"]])


def test_a_rerun_resumes_every_shard_and_publishes_the_same_rows(published) -> None:
    store, _, rows = published
    done = datagen(*EMBEDDED_RUN, store=store)
    for stage in ("backward", "pick", "chinese"):
        assert f"{stage}: 1 of 1 shards resumed" in done.stdout + done.stderr
    assert read_rows(store, "ifevalcode@2") == rows
