"""Retention: ``prune --keep N`` and ``delete`` leave tombstones, never reuse a number, and
keep what tags and lineage still need."""

from __future__ import annotations

import pytest

from datagen.catalog import (
    Catalog,
    CatalogError,
    DeletedVersionError,
    LineageEntry,
    Store,
    TaggedVersionError,
    UnknownTagError,
    UnknownVersionError,
)


def _parent(ref: str) -> dict:
    return {"lineage": [LineageEntry(kind="parent", ref=ref)]}


def _kept(report) -> dict[str, str]:
    return {d.ref: d.why for d in report.kept}


def test_prune_keeps_the_newest_and_tombstones_the_rest(
    catalog: Catalog, store: Store, publish
) -> None:
    infos = [publish("ds") for _ in range(5)]

    report = catalog.prune(keep=2)

    assert [d.ref for d in report.removed] == ["ds@3", "ds@2", "ds@1"]
    assert _kept(report) == {"ds@5": "newest 2", "ds@4": "newest 2"}
    assert [v.version for v in catalog.list_versions("ds")] == [4, 5]
    assert report.bytes_freed == sum(i.bytes for i in infos[:3])
    for version in (1, 2, 3):
        assert not store.version_dir("ds", version).exists()
    assert store.version_dir("ds", 4).exists()
    stones = catalog.tombstones("ds")
    assert [(t.version, t.reason) for t in stones] == [
        (v, "pruned with --keep 2") for v in (1, 2, 3)
    ]
    assert stones[0].content_hash == infos[0].content_hash
    assert stones[0].row_count == infos[0].row_count
    with pytest.raises(DeletedVersionError, match=r"version 2 was deleted at \d{4}-.* \(pruned"):
        catalog.show("ds@2")
    with pytest.raises(UnknownVersionError, match="existing versions: 4, 5"):
        catalog.read("ds@2")
    assert catalog.prune(keep=2).removed == ()  # nothing more to do


def test_dry_run_removes_nothing(catalog: Catalog, store: Store, publish) -> None:
    for _ in range(3):
        publish("ds")
    report = catalog.prune(keep=1, dry_run=True)
    assert report.dry_run
    assert [d.ref for d in report.removed] == ["ds@2", "ds@1"]
    assert [v.version for v in catalog.list_versions("ds")] == [1, 2, 3]
    assert store.version_dir("ds", 1).exists()
    assert catalog.tombstones("ds") == []


def test_prune_keeps_tagged_versions_and_the_parents_of_kept_ones(
    catalog: Catalog, publish
) -> None:
    for _ in range(4):
        publish("base")  # base@1..4
    publish("derived", **_parent("base@1"))  # derived@1: pruned, so base@1 is not needed
    publish("derived", **_parent("base@2"))  # derived@2: kept (newest), keeps base@2
    publish("chain")  # chain@1 <- chain@2 <- chain@3: each the parent of the next
    publish("chain", **_parent("chain@1"))
    publish("chain", **_parent("chain@2"))
    catalog.tag("base@3", "prod")

    report = catalog.prune(keep=1)

    assert _kept(report) == {
        "base@4": "newest 1",
        "base@3": "tagged prod",
        "base@2": "parent of derived@2",
        "chain@3": "newest 1",
        "chain@2": "parent of chain@3",
        "chain@1": "parent of chain@2",
        "derived@2": "newest 1",
    }
    assert {d.ref for d in report.removed} == {"base@1", "derived@1"}
    assert catalog.resolve("base@prod").version == 3
    assert catalog.prune(keep=1).removed == ()


def test_numbers_are_never_reused_after_a_prune(catalog: Catalog, publish) -> None:
    for _ in range(3):
        publish("ds")
    catalog.tag("ds@1", "prod")

    report = catalog.prune(keep=0)  # only what a tag or a kept child needs

    assert {d.ref for d in report.removed} == {"ds@2", "ds@3"}
    assert catalog.resolve("ds").version == 1
    assert publish("ds").version == 4
    with pytest.raises(DeletedVersionError, match="version 3 was deleted"):
        catalog.resolve("ds@3")


def test_a_negative_keep_is_refused(catalog: Catalog, publish) -> None:
    publish("ds")
    with pytest.raises(CatalogError, match="at least 0"):
        catalog.prune(keep=-1)
    assert len(catalog.list_versions("ds")) == 1


def test_deleting_a_tagged_version_needs_force(catalog: Catalog, store: Store, publish) -> None:
    publish("ds")
    publish("ds")
    catalog.tag("ds@1", "prod")
    catalog.tag("ds@1", "stable")

    with pytest.raises(TaggedVersionError, match=r"ds@1 is tagged prod, stable.*--force"):
        catalog.delete("ds@1")
    assert catalog.resolve("ds@prod").version == 1
    assert store.version_dir("ds", 1).exists()

    deleted = catalog.delete("ds@prod", force=True, reason="bad labels")

    assert deleted.version == 1
    assert not store.version_dir("ds", 1).exists()
    assert catalog.tags("ds") == {}
    removals = [(m.tag, m.version, m.previous_version) for m in catalog.tag_history("ds")][-2:]
    assert sorted(removals) == [("prod", None, 1), ("stable", None, 1)]
    with pytest.raises(UnknownTagError, match="its tags: none"):
        catalog.resolve("ds@prod")
    with pytest.raises(DeletedVersionError, match=r"version 1 was deleted at .* \(bad labels\)"):
        catalog.resolve("ds@1")
    assert [(t.version, t.reason) for t in catalog.tombstones("ds")] == [(1, "bad labels")]


def test_deleting_a_deleted_version_says_so(catalog: Catalog, publish) -> None:
    publish("ds")
    publish("ds")
    catalog.delete("ds@1")
    with pytest.raises(DeletedVersionError, match=r"\(deleted with catalog delete\)"):
        catalog.delete("ds@1")
    assert catalog.sql("SELECT count(*) AS n FROM tombstones").to_pylist() == [{"n": 1}]


def test_gc_after_prune_keeps_the_kept_versions(catalog: Catalog, store: Store, publish) -> None:
    for _ in range(3):
        publish("ds")
    catalog.prune(keep=1)
    leftover = store.version_dir("ds", 1)  # as if prune had died after its commit
    leftover.mkdir(parents=True)
    (leftover / "part-00000.parquet").write_bytes(b"x")

    report = catalog.gc()

    assert report.removed == (leftover,)
    assert catalog.read("ds@3").num_rows == 5
