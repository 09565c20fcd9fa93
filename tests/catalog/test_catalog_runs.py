"""The ``runs`` table of scheduled runs, and a schedule's publish: the deployment kept in the
version, rows equal to the latest version's published no more."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import duckdb
import pytest

from datagen.catalog import Catalog, VersionInfo
from datagen.catalog.publish import UnchangedVersionError
from datagen.catalog.runs import RunRecord, count_outcomes

T0 = datetime(2026, 12, 6, 2, 0, tzinfo=UTC)


def _run(run_id: str, outcome: str, *, at: int = 0, **more: object) -> RunRecord:
    return RunRecord(
        flow_run_id=run_id,
        dataset=str(more.pop("dataset", "example")),
        deployment="nightly",
        started_at=T0 + timedelta(seconds=at),
        finished_at=T0 + timedelta(seconds=at + 3),
        outcome=outcome,
        **more,  # type: ignore[arg-type]
    )


def test_runs_are_kept_oldest_first_and_a_second_record_of_one_replaces_it(
    catalog: Catalog,
) -> None:
    catalog.record_run(_run("b", "failed", at=10, detail="boom"))
    catalog.record_run(_run("a", "published", at=0, version=1))
    catalog.record_run(_run("b", "unchanged", at=10, version=1))
    catalog.record_run(_run("c", "published", at=20, version=1, dataset="other"))

    runs = catalog.runs("example")
    assert [(r.flow_run_id, r.outcome, r.version) for r in runs] == [
        ("a", "published", 1),
        ("b", "unchanged", 1),
    ]
    assert runs[0].started_at == T0 and runs[0].finished_at == T0 + timedelta(seconds=3)
    assert len(catalog.runs()) == 3
    assert count_outcomes(catalog.runs()) == {
        "published": 2,
        "unchanged": 1,
        "skipped": 0,
        "failed": 0,
    }


def test_skipped_runs_found_again_are_recorded_once(catalog: Catalog) -> None:
    catalog.record_run(_run("a", "published", version=1))
    skipped = [_run("s1", "skipped", at=5), _run("s2", "skipped", at=10)]
    assert catalog.record_new_runs(skipped) == 2
    assert catalog.record_new_runs([*skipped, _run("a", "skipped")]) == 0
    assert [r.outcome for r in catalog.runs()] == ["published", "skipped", "skipped"]
    assert catalog.record_new_runs([]) == 0


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"outcome": "running"}, "outcome must be one of"),
        ({"flow_run_id": ""}, "needs its flow run id"),
    ],
)
def test_a_run_record_refuses_what_the_table_would(fields: dict, message: str) -> None:
    values = {"flow_run_id": "x", "outcome": "published"} | fields
    with pytest.raises(ValueError, match=message):
        _run(values.pop("flow_run_id"), values.pop("outcome"))


def test_the_table_itself_checks_outcomes(catalog: Catalog) -> None:
    with catalog.connect() as con, pytest.raises(duckdb.ConstraintException):
        con.execute(
            "INSERT INTO runs (flow_run_id, dataset, started_at, outcome) "
            "VALUES ('x', 'example', now(), 'running')"
        )


def test_a_version_keeps_the_deployment_that_made_it(
    publish: Callable[..., VersionInfo], catalog: Catalog
) -> None:
    made = publish(deployment="nightly")
    assert made.deployment == "nightly"
    assert catalog.show(made.ref)["deployment"] == "nightly"
    assert publish().deployment is None


def test_unchanged_rows_publish_nothing_when_asked(
    publish: Callable[..., VersionInfo], catalog: Catalog, make_rows: Callable
) -> None:
    first = publish(unless_unchanged=True)  # no version yet: published
    with pytest.raises(UnchangedVersionError) as caught:
        publish(unless_unchanged=True)  # the same rows
    assert (caught.value.dataset, caught.value.version) == (first.dataset, first.version)
    assert [v.version for v in catalog.list_versions(first.dataset)] == [1]
    assert publish(tables=[make_rows(6)], unless_unchanged=True).version == 2
    assert publish(tables=[make_rows(6)]).version == 3  # not asked: published again
