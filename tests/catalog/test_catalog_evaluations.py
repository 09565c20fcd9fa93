"""Evaluations stored beside a version: added, listed, shown, queried, deleted with it."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from datagen.catalog import Catalog, Store, UnknownVersionError
from datagen.catalog.evaluations import Evaluation, EvaluationInput
from datagen.catalog.migrations import migrate

STARTED = datetime(2026, 3, 1, 12, 0, 0, 250000, tzinfo=UTC)
INPUT = EvaluationInput(role="captions", path="/data/c.jsonl", bytes=10, sha256="ab" * 32)


def evaluation(ref: str = "toolpref-pairwise@1", **changes) -> Evaluation:
    dataset, version = ref.split("@")
    fields = {
        "dataset": dataset,
        "version": int(version),
        "kind": "cloze",
        "engine": "fake:example",
        "model": "fake-scripted-example",
        "inputs": (INPUT,),
        "params": {"seed": 0},
        "started_at": STARTED,
        "finished_at": STARTED + timedelta(seconds=3),
        "figures": {"overall": 0.5, "per_tag": {"visual": 1.0, "auditory": None}},
        "counts": {"blanks": 2, "reasons": {"correct": 1, "wrong": 1}},
    }
    return Evaluation(**(fields | changes))


def test_an_evaluation_round_trips_and_is_listed_oldest_first(catalog: Catalog, publish) -> None:
    publish()
    hour = timedelta(hours=1)
    later = evaluation(
        started_at=STARTED + hour, finished_at=STARTED + 2 * hour, kind="critic", engine=None
    )
    catalog.add_evaluation(later)
    first = catalog.add_evaluation(evaluation())
    assert catalog.evaluations("toolpref-pairwise@1") == [first, later]
    assert catalog.evaluations("toolpref-pairwise@latest") == [first, later]
    assert first.started_at == STARTED and first.started_at.tzinfo is UTC
    assert len(first.eval_id) == 16 and first.eval_id != later.eval_id


def test_show_lists_a_versions_evaluations_as_json(catalog: Catalog, publish) -> None:
    publish()
    publish()
    stored = catalog.add_evaluation(evaluation())
    assert catalog.show("toolpref-pairwise@2")["evaluations"] == []
    (shown,) = catalog.show("toolpref-pairwise@1")["evaluations"]
    assert shown == {
        "eval_id": stored.eval_id,
        "ref": "toolpref-pairwise@1",
        "kind": "cloze",
        "engine": "fake:example",
        "model": "fake-scripted-example",
        "inputs": [{"role": "captions", "path": "/data/c.jsonl", "bytes": 10, "sha256": "ab" * 32}],
        "params": {"seed": 0},
        "started_at": "2026-03-01T12:00:00.250000+00:00",
        "finished_at": "2026-03-01T12:00:03.250000+00:00",
        "figures": {"overall": 0.5, "per_tag": {"visual": 1.0, "auditory": None}},
        "counts": {"blanks": 2, "reasons": {"correct": 1, "wrong": 1}},
    }
    assert json.loads(json.dumps(shown)) == shown


def test_an_evaluation_of_a_missing_version_is_refused(catalog: Catalog, publish) -> None:
    publish()
    with pytest.raises(UnknownVersionError, match="has no version 4"):
        catalog.add_evaluation(evaluation("toolpref-pairwise@4"))
    assert catalog.sql("SELECT count(*) AS n FROM evaluations").to_pylist() == [{"n": 0}]


def test_evaluations_are_sql_tables_and_go_with_their_version(catalog: Catalog, publish) -> None:
    publish()
    publish()
    catalog.add_evaluation(evaluation("toolpref-pairwise@1"))
    kept = catalog.add_evaluation(evaluation("toolpref-pairwise@2"))
    query = "SELECT version, figures->>'$.overall' AS overall FROM evaluations ORDER BY version"
    assert catalog.sql(query).to_pylist() == [
        {"version": 1, "overall": "0.5"},
        {"version": 2, "overall": "0.5"},
    ]
    catalog.delete("toolpref-pairwise@1")
    assert catalog.sql("SELECT eval_id FROM evaluations").to_pylist() == [{"eval_id": kept.eval_id}]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"kind": "Cloze Eval"}, "evaluation kind must be a lower-case name"),
        ({"finished_at": STARTED - timedelta(seconds=1)}, "finished .* before it started"),
    ],
)
def test_bad_evaluations_are_refused_when_built(changes: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        evaluation(**changes)


def test_input_of_bytes_hashes_what_was_read(tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl"
    made = EvaluationInput.of_bytes("captions", path, b"{}\n")
    assert made == EvaluationInput(
        role="captions",
        path=str(path.resolve()),
        bytes=3,
        sha256="ca3d163bab055381827226140568f3bef7eaac187cebd76878e0b63e9e442356",
    )


def test_a_catalog_from_before_evaluations_gets_the_table(store: Store, publish) -> None:
    store.root.mkdir(parents=True)
    con = duckdb.connect(str(store.catalog_path))
    migrate(con, upto=2)
    assert not con.execute(
        "SELECT * FROM duckdb_tables() WHERE table_name = 'evaluations'"
    ).fetchall()
    con.close()
    catalog = Catalog(store)
    publish()
    stored = catalog.add_evaluation(evaluation())
    assert catalog.evaluations("toolpref-pairwise@1") == [stored]
