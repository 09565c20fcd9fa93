"""A store with two real versions of the worked example, and their report written by the CLI.

``example@1`` and ``example@2`` hold rows made by the example's own stages on
``fake:example`` (two seeds), validated against ``example/rl.v1``: the rows the validator
rejects are quarantined with its reason, as the flow's validate step does. ``example@2`` names
``example@1`` as its lineage parent and carries a row and a rejected record with ``<script>``
in their text, which the page must show as text. Each version's card is written as the
flow's publish step writes it (``publish_card`` with the example recipe's card spec).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from datagen.catalog import Catalog, LineageEntry, Store, write_parquet_atomic
from datagen.catalog.card import publish_card
from datagen.generators.recipes import card_spec
from datagen.schemas import first_error, records_to_table
from datagen.schemas.records import Quarantined, StageCounts

SCHEMA = "example/rl.v1"
SCRIPT_QUESTION = "What is <script>alert('row')</script> 2 + 2?"
SCRIPT_REJECT = "<script>alert('quarantine')</script>"


@pytest.fixture(scope="session", autouse=True)
def prefect_server() -> Iterator[None]:
    """No Prefect server here: these tests run no flow, and ``datagen catalog`` commands never
    import Prefect (``tests/conftest.py`` starts one for the other tests, about 12 s)."""
    yield None


@dataclass(frozen=True)
class ReportStore:
    store: Store
    catalog: Catalog
    first: str
    second: str


def example_rows(seed: int) -> tuple[list[dict[str, Any]], dict[str, Any], int]:
    """The example's rows for ``seed`` (its own stages on ``fake:example``), its source's
    lineage, and how many questions the difficulty band filtered."""
    from datagen.generators.engines import open_engine
    from datagen.generators.example import stages

    read = stages.make_problems(12, seed=seed)
    attempts = stages.solve_stage(
        read.records, engines=open_engine, engine="fake:example", samples=4, seed=seed
    ).records
    difficulty, balanced = stages.select_stage(
        read.records, attempts, low=0.0, high=0.99, share=1.0, seed=seed
    )
    return balanced.records, read.lineage, difficulty.n_filtered


def publish_example(
    store: Store,
    *,
    seed: int,
    extra: list[dict[str, Any]],
    parent: str | None = None,
    dataset: str = "example",
) -> str:
    """Validate the rows (``extra`` first) as the flow's validate step does, quarantine the
    rejects with the validator's reason, publish the rest; the version's ref."""
    rows, source, filtered = example_rows(seed)
    candidates = extra + rows  # first: a sample of the version's rows starts at its first row
    kept, rejected = [], []
    for row in candidates:
        reason = first_error(SCHEMA, row)
        if reason is None:
            kept.append(row)
        else:
            rejected.append(Quarantined(str(row.get("problem_id", "?")), reason, row))
    part = write_parquet_atomic(
        records_to_table(SCHEMA, kept), store.staging_dir() / "part-00000.parquet"
    )
    lineage = [
        LineageEntry(kind="source", ref="example", license=source["license"], details=source),
        LineageEntry(kind="source", ref="engine:fake:example", details={"role": "solver"}),
    ]
    if parent:
        lineage.append(LineageEntry(kind="parent", ref=parent))
    info = Catalog(store, lock_timeout=10).publish(
        dataset=dataset,
        files=[part.path],
        schema_id=SCHEMA,
        params={"problems": 12, "samples": 4, "seed": seed, "engine": "fake:example"},
        code_version="test",
        flow_run_id=None,
        stats={"pass_buckets": dict(Counter(row["pass_bucket"] for row in kept))},
        lineage=lineage,
        quarantine={"validate": rejected},
        stage_counts=[
            StageCounts("difficulty_filter", len(rows) + filtered, len(rows), filtered),
            StageCounts("validate", len(candidates), len(kept), 0, len(rejected)),
        ],
    )
    # as the flow's publish step does: the dataset's own card, written beside the version
    publish_card(Catalog(store, lock_timeout=10), info.ref, spec=card_spec("example"))
    return info.ref


def changed(row: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """``row`` with ``changes``; a change to ``None`` drops the field."""
    merged = row | changes
    return {k: v for k, v in merged.items() if v is not None}


@pytest.fixture(scope="session")
def report_store(tmp_path_factory: pytest.TempPathFactory) -> ReportStore:
    store = Store.resolve(tmp_path_factory.mktemp("report-store"))
    template = {"problem_id": "x", "question": "What is 2 + 2?", "answer": 4}
    template |= {"pass_rate": 0.5, "pass_bucket": "0.50"}
    first = publish_example(
        store,
        seed=3,
        extra=[
            changed(template, problem_id="bad-rate", pass_rate=1.5),
            changed(template, problem_id="bad-answer", answer="four"),
            changed(template, problem_id="no-answer", answer=None),
        ],
    )
    second = publish_example(
        store,
        seed=4,
        parent=first,
        extra=[
            changed(template, problem_id="script-row", question=SCRIPT_QUESTION),
            changed(template, problem_id="a-script-reject", question=SCRIPT_REJECT, answer="x"),
            changed(template, problem_id="bad-rate", pass_rate=-1),
            changed(template, problem_id="no-answer", answer=None),
        ],
    )
    return ReportStore(store=store, catalog=Catalog(store, lock_timeout=10), first=first,
                       second=second)  # fmt: skip


def datagen(*args: str, store: Store, timeout: float = 120) -> subprocess.CompletedProcess:
    """The real ``datagen`` command line in a fresh process."""
    return subprocess.run(
        [sys.executable, "-m", "datagen.flows.cli", *args],
        env=os.environ | {"DATAGEN_STORE": str(store.root), "COLUMNS": "200"},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@dataclass(frozen=True)
class WrittenReport:
    path: Path
    html: str
    rows: int
    per_reason: int


@pytest.fixture(scope="session")
def written_report(
    report_store: ReportStore, tmp_path_factory: pytest.TempPathFactory
) -> WrittenReport:
    """``datagen catalog report example@2 --out .../report.html --rows 5 --per-reason 2``."""
    path = tmp_path_factory.mktemp("report") / "report.html"
    done = datagen(
        "catalog", "report", report_store.second, "--out", str(path), "--rows", "5",
        "--per-reason", "2", store=report_store.store,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert f"wrote the report of {report_store.second} to {path}" in done.stdout
    return WrittenReport(path=path, html=path.read_text(encoding="utf-8"), rows=5, per_reason=2)
