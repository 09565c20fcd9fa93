"""The report's lineage and diffs where the parent is another dataset, or is gone."""

from __future__ import annotations

from datagen.catalog import Catalog, Store
from datagen.catalog.report import build_report
from datagen.catalog.report_html import render_report_html
from tests.report.conftest import publish_example


def test_a_derived_dataset_is_compared_with_its_parent_and_drawn_back_two_generations(
    tmp_path,
) -> None:
    store = Store.resolve(tmp_path / "store")
    first = publish_example(store, seed=3, extra=[])
    second = publish_example(store, seed=4, extra=[], parent=first)
    derived = publish_example(store, seed=5, extra=[], parent=second, dataset="example-hard")
    catalog = Catalog(store, lock_timeout=10)

    report = build_report(catalog, derived, rows=2, per_reason=1)
    assert [(c.other, c.relation) for c in report.comparisons] == [(second, "lineage parent")]
    assert report.comparisons[0].diff == catalog.diff(second, derived)
    versions = [n.key for n in report.lineage.nodes if n.kind == "version"]
    assert versions == [derived, second, first]
    parents = [(e.source, e.target) for e in report.lineage.edges if e.kind == "parent"]
    assert parents == [(second, derived), (first, second)]
    assert len([n for n in report.lineage.nodes if n.kind == "source"]) == 6  # 2 per version

    shallow = build_report(catalog, derived, rows=0, per_reason=0, lineage_depth=1)
    assert [n.key for n in shallow.lineage.nodes if n.kind == "version"] == [derived, second]
    assert shallow.rows == () and shallow.quarantine == ()

    alone = build_report(catalog, first, rows=1, per_reason=1)
    assert alone.comparisons == ()
    assert "No earlier version and no lineage parent." in render_report_html(alone)


def test_a_deleted_parent_is_drawn_as_missing_with_its_tombstone(tmp_path) -> None:
    store = Store.resolve(tmp_path / "store")
    first = publish_example(store, seed=3, extra=[])
    second = publish_example(store, seed=4, extra=[], parent=first)
    catalog = Catalog(store, lock_timeout=10)
    catalog.delete(first, reason="pruned <old>")

    report = build_report(catalog, second, rows=1, per_reason=1)
    missing = [n for n in report.lineage.nodes if n.kind == "missing"]
    assert [n.key for n in missing] == [first] and "pruned <old>" in missing[0].detail
    (comparison,) = report.comparisons  # no previous version is left, only the parent
    assert (comparison.other, comparison.relation) == (first, "lineage parent")
    assert comparison.diff is None
    assert "was deleted" in comparison.error
    html = render_report_html(report)
    assert 'class="node missing"' in html and "pruned &lt;old&gt;" in html
