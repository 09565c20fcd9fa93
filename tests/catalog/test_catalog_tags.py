"""Tags: ``NAME@prod`` names one version wherever ``NAME@3`` does, and every move is kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from datagen.catalog import (
    Catalog,
    InvalidNameError,
    UnknownDatasetError,
    UnknownTagError,
    UnknownVersionError,
    export_parquet,
    read_parquet,
)


@pytest.fixture
def three(publish, make_rows) -> None:
    """``ds`` at versions 1, 2, 3 of 1, 2 and 3 rows (so each version is told by its size)."""
    for n in (1, 2, 3):
        publish("ds", tables=[make_rows(n, start=10 * n)])


def test_a_tag_resolves_wherever_a_number_does(
    catalog: Catalog, three, make_rows, tmp_path: Path
) -> None:
    move = catalog.tag("ds@2", "prod")

    assert (move.version, move.previous_version) == (2, None)
    assert catalog.resolve("ds@prod").version == 2
    assert catalog.read("ds@prod").equals(make_rows(2, start=20))
    shown = catalog.show("ds@prod")
    assert (shown["ref"], shown["tags"]) == ("ds@2", ["prod"])
    assert catalog.show("ds@3")["tags"] == []
    assert catalog.diff("ds@prod", "ds@latest")["row_count"] == {"a": 2, "b": 3}
    export_parquet(catalog, "ds@prod", tmp_path / "out")
    exported = sorted((tmp_path / "out").rglob("*.parquet"))
    assert sum(read_parquet(p).num_rows for p in exported) == 2


def test_a_tag_can_be_given_by_number_latest_or_another_tag(catalog: Catalog, three) -> None:
    catalog.tag("ds", "newest")
    catalog.tag("ds@1", "prod")
    catalog.tag("ds@prod", "stable")
    assert catalog.tags("ds") == {"newest": 3, "prod": 1, "stable": 1}


def test_moving_and_removing_a_tag_is_recorded(catalog: Catalog, three) -> None:
    catalog.tag("ds@1", "prod")
    catalog.tag("ds@1", "prod")  # already there: no move
    moved = catalog.tag("ds@3", "prod")
    removed = catalog.untag("ds", "prod")

    assert (moved.version, moved.previous_version) == (3, 1)
    assert (removed.version, removed.previous_version) == (None, 3)
    history = [(m.tag, m.version, m.previous_version) for m in catalog.tag_history("ds")]
    assert history == [("prod", 1, None), ("prod", 3, 1), ("prod", None, 3)]
    assert [m.moved_at for m in catalog.tag_history("ds")] == sorted(
        m.moved_at for m in catalog.tag_history("ds")
    )
    assert catalog.tags("ds") == {}
    rows = catalog.sql("SELECT tag, version, previous_version FROM tag_history").to_pylist()
    assert len(rows) == 3


def test_an_unknown_tag_lists_the_datasets_tags(catalog: Catalog, three, publish) -> None:
    publish("other")
    catalog.tag("ds@1", "staging")
    catalog.tag("ds@2", "prod")
    catalog.tag("other@1", "canary")
    with pytest.raises(UnknownTagError, match=r"'ds' has no tag 'canary'; its tags: prod, staging"):
        catalog.resolve("ds@canary")
    with pytest.raises(UnknownTagError, match="its tags: prod, staging"):
        catalog.untag("ds", "canary")
    assert catalog.tags("other") == {"canary": 1}


@pytest.mark.parametrize(
    ("tag", "message"),
    [
        ("3", "looks like a version number"),
        ("03", "looks like a version number"),
        ("1.5", "looks like a version number"),
        ("2024-01", "looks like a version number"),
        ("latest", "'latest' cannot be a tag"),
        ("Prod", "invalid tag"),
        ("", "invalid tag"),
        ("-x", "invalid tag"),
        ("a b", "invalid tag"),
        ("p" * 65, "invalid tag"),
    ],
)
def test_a_tag_that_looks_like_a_version_is_refused(
    catalog: Catalog, three, tag: str, message: str
) -> None:
    with pytest.raises(InvalidNameError, match=message):
        catalog.tag("ds@1", tag)
    assert catalog.tags("ds") == {}
    assert catalog.tag_history("ds") == []


def test_tagging_what_does_not_exist_is_refused(catalog: Catalog, three) -> None:
    with pytest.raises(UnknownVersionError, match="no version 9"):
        catalog.tag("ds@9", "prod")
    with pytest.raises(UnknownDatasetError):
        catalog.tag("nope@1", "prod")
    assert catalog.tags("ds") == {}


def test_each_tag_is_a_sql_view(catalog: Catalog, publish, make_rows) -> None:
    publish("toolpref-pairwise", tables=[make_rows(2)])
    publish("toolpref-pairwise", tables=[make_rows(5)])
    catalog.tag("toolpref-pairwise@1", "rc-1.2")

    counts = catalog.sql(
        "SELECT (SELECT count(*) FROM toolpref_pairwise__rc_1_2) AS tagged, "
        "(SELECT count(*) FROM toolpref_pairwise) AS latest"
    ).to_pylist()

    assert counts == [{"tagged": 2, "latest": 5}]
    catalog.untag("toolpref-pairwise", "rc-1.2")
    with pytest.raises(Exception, match="toolpref_pairwise__rc_1_2"):
        catalog.sql("SELECT * FROM toolpref_pairwise__rc_1_2")
