"""Publishing: numbered immutable versions, refusals that leave nothing behind, atomicity."""

from __future__ import annotations

import os
from pathlib import Path
from types import SimpleNamespace

import pyarrow as pa
import pytest

from datagen.catalog import (
    Catalog,
    CorruptShardError,
    InvalidNameError,
    LineageEntry,
    PublishError,
    Store,
    UnknownDatasetError,
    UnknownTagError,
    UnknownVersionError,
    table_content_hash,
)
from datagen.catalog.shards import file_sha256
from datagen.schemas.records import Quarantined, StageCounts


def test_publish_registers_and_places_the_files(
    catalog: Catalog, store: Store, make_rows, publish_kwargs
) -> None:
    tables = [make_rows(5), make_rows(3, start=5)]
    kwargs = publish_kwargs("toolpref-pairwise", tables)
    staged = kwargs["files"]

    info = catalog.publish(**kwargs)

    assert (info.dataset, info.version, info.ref) == ("toolpref-pairwise", 1, "toolpref-pairwise@1")
    assert info.row_count == 8
    assert info.paths == (
        store.root / "toolpref-pairwise/1/part-00000.parquet",
        store.root / "toolpref-pairwise/1/part-00001.parquet",
    )
    assert info.bytes == sum(p.stat().st_size for p in info.paths)
    assert info.content_hash == table_content_hash(pa.concat_tables(tables))
    assert (info.params, info.stats, info.flow_run_id) == (
        {"seed": 1, "n": 8},
        {"rows": 8},
        "run-1",
    )
    assert not any(p.exists() for p in staged)
    assert catalog.read("toolpref-pairwise").equals(pa.concat_tables(tables))
    assert catalog.resolve("toolpref-pairwise@1") == info


def test_publishing_again_makes_a_new_version_and_keeps_the_old(
    catalog: Catalog, publish, make_rows
) -> None:
    first = publish(tables=[make_rows(5)])
    first_bytes = [file_sha256(p) for p in first.paths]

    second = publish(tables=[make_rows(9)])

    assert second.version == 2
    assert catalog.resolve("toolpref-pairwise@1") == first
    assert [file_sha256(p) for p in first.paths] == first_bytes
    assert catalog.read("toolpref-pairwise@1").num_rows == 5
    assert catalog.read("toolpref-pairwise").num_rows == 9
    assert [v.version for v in catalog.list_versions("toolpref-pairwise")] == [1, 2]


@pytest.mark.parametrize(
    ("ref", "version"),
    [("ds", 2), ("ds@latest", 2), ("ds@1", 1), ("ds@2", 2)],
)
def test_resolve_forms(catalog: Catalog, publish, ref: str, version: int) -> None:
    publish("ds")
    publish("ds")
    assert catalog.resolve(ref).version == version


@pytest.mark.parametrize(
    "ref",
    ["", "DS", "ds@0", "ds@-1", "ds@1@2", "@1", "ds@", "_ds", "d s", "ds@LATEST", "ds@2x", "ds@_v"],
)
def test_malformed_refs_are_refused(catalog: Catalog, ref: str) -> None:
    with pytest.raises(InvalidNameError):
        catalog.resolve(ref)


def test_a_name_after_the_at_is_a_tag(catalog: Catalog, publish) -> None:
    publish("ds")
    with pytest.raises(UnknownTagError, match="'ds' has no tag 'v2'; its tags: none"):
        catalog.resolve("ds@v2")


def test_unknown_dataset_lists_the_known_ones(catalog: Catalog, publish) -> None:
    publish("alpha")
    publish("beta")
    with pytest.raises(UnknownDatasetError, match="'gamma'; known datasets: alpha, beta"):
        catalog.resolve("gamma")
    with pytest.raises(UnknownDatasetError, match="none yet"):
        Catalog(catalog.store.root / "empty").resolve("gamma")


def test_unknown_version_lists_the_existing_ones(catalog: Catalog, publish) -> None:
    publish("alpha")
    publish("alpha")
    with pytest.raises(UnknownVersionError, match="no version 7; existing versions: 1, 2"):
        catalog.resolve("alpha@7")


def _count(stage: str, n_in: int, n_out: int, n_filtered: int, n_quarantined: int) -> StageCounts:
    return StageCounts(
        stage=stage, n_in=n_in, n_out=n_out, n_filtered=n_filtered, n_quarantined=n_quarantined
    )


def _outside_staging(ctx: SimpleNamespace, kwargs: dict) -> dict:
    outside = ctx.store.root / "elsewhere.parquet"
    os.replace(kwargs["files"][0], outside)
    return {"files": [outside]}


def _schema_mismatch(ctx: SimpleNamespace, kwargs: dict) -> dict:
    other = ctx.make_rows(2).drop_columns(["score"])
    return {"files": kwargs["files"] + ctx.stage([other])}


def _garbled(ctx: SimpleNamespace, kwargs: dict) -> dict:
    kwargs["files"][0].write_bytes(b"PAR1 not really")
    return {}


REFUSALS = {
    "no-rows": (
        lambda c, k: {"files": c.stage([c.make_rows(0)])},
        PublishError,
        "empty version",
    ),
    "no-files": (lambda c, k: {"files": []}, PublishError, "without files"),
    "upper-case-name": (lambda c, k: {"dataset": "Toolpref"}, InvalidNameError, "invalid dataset"),
    "slash-in-name": (lambda c, k: {"dataset": "a/b"}, InvalidNameError, "invalid dataset"),
    "reserved-name": (lambda c, k: {"dataset": "versions"}, InvalidNameError, "reserved"),
    "counts-lost-records": (
        lambda c, k: {"stage_counts": [_count("verify", 10, 6, 2, 1)]},
        PublishError,
        "verify: in=10 but out\\+filtered\\+quarantined=6\\+2\\+1=9",
    ),
    "counts-invented-records": (
        lambda c, k: {"stage_counts": [_count("select", 4, 5, 0, 0)]},
        PublishError,
        "do not add up",
    ),
    "counts-negative": (
        lambda c, k: {"stage_counts": [_count("select", 0, 2, -2, 0)]},
        PublishError,
        "do not add up",
    ),
    "stage-twice": (
        lambda c, k: {"stage_counts": [_count("a", 1, 1, 0, 0), _count("a", 1, 1, 0, 0)]},
        PublishError,
        "repeat",
    ),
    "outside-staging": (_outside_staging, PublishError, "staging area"),
    "same-file-twice": (lambda c, k: {"files": k["files"] * 2}, PublishError, "twice"),
    "schema-mismatch": (_schema_mismatch, PublishError, "different schema"),
    "corrupt-file": (_garbled, CorruptShardError, "cannot be read"),
    "params-not-json": (lambda c, k: {"params": {"f": object()}}, PublishError, "params must be"),
    "quarantine-not-json": (
        lambda c, k: {
            "quarantine": {"v": [Quarantined(record_id="1", reason="r", record={"x": {1}})]}
        },
        PublishError,
        "quarantined record 1",
    ),
    "parent-unpinned": (
        lambda c, k: {"lineage": [LineageEntry(kind="parent", ref="other")]},
        InvalidNameError,
        "exact version",
    ),
    "parent-unknown": (
        lambda c, k: {"lineage": [LineageEntry(kind="parent", ref="other@3")]},
        PublishError,
        "not a version in this catalog",
    ),
    "empty-schema-id": (lambda c, k: {"schema_id": ""}, PublishError, "schema_id"),
}


@pytest.mark.parametrize(("change", "error", "message"), REFUSALS.values(), ids=REFUSALS.keys())
def test_refused_publish_leaves_nothing(
    catalog: Catalog,
    store: Store,
    stage,
    make_rows,
    publish_kwargs,
    change,
    error: type[Exception],
    message: str,
) -> None:
    kwargs = publish_kwargs("toolpref-pairwise", [make_rows(5)])
    ctx = SimpleNamespace(store=store, stage=stage, make_rows=make_rows)
    kwargs.update(change(ctx, kwargs))

    with pytest.raises(error, match=message):
        catalog.publish(**kwargs)

    assert catalog.list_datasets() == []
    assert not (store.root / "toolpref-pairwise").exists()
    assert all(Path(f).exists() for f in kwargs["files"])


def test_view_names_may_not_collide(publish) -> None:
    publish("tool-pref")
    with pytest.raises(PublishError, match="share the SQL view name 'tool_pref'"):
        publish("tool.pref")


def test_lineage_entry_checks_its_kind() -> None:
    with pytest.raises(ValueError, match="lineage kind"):
        LineageEntry(kind="grandparent", ref="x@1")


class FailOnThirdPlace:
    """A file mover that moves two files, then fails like a full disk would."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, source: Path, dest: Path) -> None:
        self.calls += 1
        if self.calls == 3:
            raise OSError(28, "No space left on device (injected)")
        os.replace(source, dest)


def test_failure_mid_publish_leaves_no_version(store: Store, make_rows, publish_kwargs) -> None:
    failing = Catalog(store, place_file=FailOnThirdPlace())
    tables = [make_rows(2, start=i * 2) for i in range(4)]
    kwargs = publish_kwargs("toolpref-pairwise", tables)

    with pytest.raises(OSError, match="injected"):
        failing.publish(**kwargs)

    healthy = Catalog(store)
    assert healthy.list_datasets() == []
    with pytest.raises(UnknownDatasetError):
        healthy.resolve("toolpref-pairwise")
    assert not store.version_dir("toolpref-pairwise", 1).exists()
    assert all(f.exists() for f in kwargs["files"])  # moved back for a retry

    retried = healthy.publish(**kwargs)
    assert retried.version == 1
    assert healthy.read(retried.ref).equals(pa.concat_tables(tables))


def test_show_reports_lineage_counts_and_quarantine(catalog: Catalog, publish) -> None:
    parent = publish("toolpref-candidates")
    info = publish(
        lineage=[
            LineageEntry(kind="parent", ref=parent.ref),
            LineageEntry(
                kind="source",
                ref="bfcl-eval:live_multiple",
                license="Apache-2.0",
                details={"rows": 10},
            ),
        ],
        quarantine={
            "validate": [
                Quarantined(record_id="r9", reason="schema_invalid", record={"prompt": "x"})
            ]
        },
    )

    shown = catalog.show(info.ref)

    assert shown["ref"] == "toolpref-pairwise@1"
    assert [f["path"] for f in shown["files"]] == ["toolpref-pairwise/1/part-00000.parquet"]
    assert shown["lineage"] == [
        {"kind": "parent", "ref": "toolpref-candidates@1", "license": None, "details": {}},
        {
            "kind": "source",
            "ref": "bfcl-eval:live_multiple",
            "license": "Apache-2.0",
            "details": {"rows": 10},
        },
    ]
    assert [c["stage"] for c in shown["stage_counts"]] == ["generate", "validate"]
    assert shown["stage_counts"][1] == {
        "stage": "validate",
        "n_in": 6,
        "n_out": 5,
        "n_filtered": 0,
        "n_quarantined": 1,
    }
    assert shown["quarantine"] == [{"stage": "validate", "reason": "schema_invalid", "count": 1}]
