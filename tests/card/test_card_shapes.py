"""Each dataset's own card, the exports' README that ``datasets`` and the Hub read, and a card
that fails after its version committed.

Versions are published by hand (``tests/card/rows.py``) in each dataset's real record shape: no
flow runs, so each card costs a publish and a few plots.
"""

from __future__ import annotations

import io
import logging
from dataclasses import replace
from pathlib import Path

import datasets
import matplotlib.image
import pytest
from huggingface_hub import DatasetCard

from datagen.catalog import Catalog, LineageEntry, Store, export_parquet
from datagen.catalog.card import build_card, publish_card, read_card
from datagen.catalog.plots import bar_png, hist_png
from datagen.flows.export import export_for_trainer
from datagen.flows.publish import ensure_card, publish_version, stage_version
from datagen.generators.recipes import PlotSpec, card_spec
from tests.card.rows import ROWS, ifevalcode_quarantine, omni_rows, publish_rows

PNG = b"\x89PNG\r\n\x1a\n"
SIZE = (360, 640)  # plots.SIZE at plots.DPI, rows by columns


def _pass_rates() -> list[float]:
    return [(i % 5) / 4 for i in range(8)]  # tear_rows' pass_rate column


HEADLINE = {
    # dataset → (its own plot, the PNG that plot must be: drawn from the rows' known values)
    "toolpref-pairwise": (
        "intensity",
        lambda title: bar_png([("clear", len(ROWS["toolpref-pairwise"][1]()))], title=title),
    ),
    "tear": (
        "pass-rates",
        lambda title: hist_png(_pass_rates(), title=title, bins=10, xlabel="pass_rate"),
    ),
    "a2search": (
        "alternatives",
        lambda title: bar_png([("0", 2), ("1", 2), ("2", 2)], title=title),
    ),
    "a2search-trajectories": (
        "finish-reasons",
        lambda title: bar_png([("answer", 2), ("malformed", 2), ("max_turns", 2)], title=title),
    ),
    "ifevalcode": (
        # cpp 2 kept of 2; java 2 of 3 (one lost at pick); python 2 of 4 (two lost backward);
        # the pick record without a direction is no checked row
        "pass-rate-per-language",
        lambda title: bar_png(
            [("cpp", 1.0), ("java", 2 / 3), ("python", 0.5)],
            title=title,
            ylabel="kept / checked",
            notes=["2/2", "2/3", "2/4"],
        ),
    ),
    "omni-detective": (
        "hallucination",
        lambda title: hist_png(
            [0.0, 0.25, 0.5, 0.1], title=title, bins=10, xlabel="hallucination.flagged_share"
        ),
    ),
}


def _publish(tmp_path: Path, dataset: str, **kwargs) -> tuple[Catalog, str]:
    store = Store.resolve(tmp_path / "store")
    schema_id, make_rows = ROWS[dataset]
    quarantine = ifevalcode_quarantine() if dataset == "ifevalcode" else None
    ref = publish_rows(
        store,
        dataset=dataset,
        schema_id=schema_id,
        rows=kwargs.pop("rows", None) or make_rows(),
        quarantine=quarantine,
        **kwargs,
    )
    return Catalog(store, lock_timeout=10), ref


def _assert_png(png: bytes) -> None:
    assert png.startswith(PNG)
    assert matplotlib.image.imread(io.BytesIO(png)).shape[:2] == SIZE


@pytest.mark.parametrize("dataset", sorted(HEADLINE))
def test_each_datasets_card_shows_its_own_plots(tmp_path: Path, dataset: str) -> None:
    catalog, ref = _publish(tmp_path, dataset)
    spec = card_spec(dataset)
    assert spec.title  # the dataset's own spec, not the generic one

    card = build_card(catalog, ref, spec=spec)

    # every plot of the spec has its column in these rows, so every one is drawn
    assert [p.name for p in card.plots] == [p.name for p in spec.plots]
    for plot in card.plots:
        _assert_png(plot.png)
        assert f"![{plot.title}](plots/{plot.name}.png)" in card.body
    name, expected = HEADLINE[dataset]
    (headline,) = [p for p in card.plots if p.name == name]
    (headline_spec,) = [p for p in spec.plots if p.name == name]
    assert headline.title == headline_spec.title
    assert headline.png == expected(headline.title)  # drawn from the rows' values
    assert card.front_matter["pretty_name"] == spec.title
    assert card.front_matter["task_categories"] == list(spec.task_categories)
    assert card.body.startswith(f"# {spec.title} ({ref})\n")


def test_a2search_trajectories_have_their_own_spec() -> None:
    assert card_spec("a2search-trajectories") != card_spec("a2search")
    assert "finish-reasons" in {p.name for p in card_spec("a2search-trajectories").plots}
    assert "alternatives" not in {p.name for p in card_spec("a2search-trajectories").plots}


@pytest.mark.parametrize("dataset", sorted(HEADLINE))
def test_a_plot_whose_column_is_absent_is_left_out(
    tmp_path: Path, dataset: str, caplog: pytest.LogCaptureFixture
) -> None:
    catalog, ref = _publish(tmp_path, dataset)
    spec = card_spec(dataset)
    absent = (
        PlotSpec(name="absent", title="No such column", kind="hist", column="no_such_column"),
        PlotSpec(name="absent-field", title="No such field", kind="bar",
                 column="no_such_column.field"),
    )  # fmt: skip
    caplog.set_level(logging.WARNING, logger="datagen.catalog.card")

    card = build_card(catalog, ref, spec=replace(spec, plots=(*absent, *spec.plots)))

    names = [p.name for p in card.plots]
    assert names == [p.name for p in spec.plots]  # the others are all still there
    assert "plots/absent" not in card.body and "No such" not in card.body
    logged = [r for r in caplog.records if r.name.startswith("datagen")]
    assert not logged  # a missing column is no failure: nothing is logged


def test_omni_without_judge_or_flags_leaves_those_plots_out(tmp_path: Path) -> None:
    """An Omni version whose check flagged nothing measurable (``flagged_share`` null) and
    that ran without ``--judge`` (no ``hallucination.judge``) has no data for those plots."""
    catalog, ref = _publish(tmp_path, "omni-detective", rows=omni_rows(flagged=(None, None)))
    spec = card_spec("omni-detective")
    judged = PlotSpec(name="judged", title="Judged share", kind="hist",
                      column="hallucination.judge.judged_share")  # fmt: skip

    card = build_card(catalog, ref, spec=replace(spec, plots=(*spec.plots, judged)))

    names = {p.name for p in card.plots}
    assert "hallucination" not in names and "judged" not in names
    assert {"modalities", "durations", "evidence", "finish-reasons", "funnel"} <= names
    assert "plots/hallucination.png" not in card.body


EXPORTS = [("toolpref-pairwise", "preference"), ("tear", "rl")]


@pytest.mark.parametrize(("dataset", "view"), EXPORTS)
def test_load_dataset_reads_an_exports_front_matter(
    tmp_path: Path, dataset: str, view: str
) -> None:
    source = LineageEntry(kind="source", ref="handmade:seed", license="Apache-2.0")
    catalog, ref = _publish(tmp_path, dataset, lineage=[source])
    spec = card_spec(dataset)
    publish_card(catalog, ref, spec=spec)  # as the publish step does after the commit
    cache = str(tmp_path / "hf-cache")

    out = tmp_path / "trl"
    done = export_for_trainer(
        catalog, ref, trainer="trl", view=view, out_dir=out, split="train=0.5,val=0.5"
    )

    assert set(done.counts) == {"train", "val"} and all(done.counts.values())
    loaded = datasets.load_dataset(str(out), cache_dir=cache)
    assert {split: loaded[split].num_rows for split in loaded} == done.counts
    data = DatasetCard.load(out / "README.md").data
    assert data.license == "apache-2.0"
    assert data.task_categories == list(spec.task_categories)
    assert data.pretty_name == spec.title
    text = (out / "README.md").read_text()
    assert f"## {ref}: {view} view for trl" in text
    assert "| train | 0.5 |" in text and "| val | 0.5 |" in text
    exported = read_card(out)
    assert exported.plots and all((out / "plots" / f"{p.name}.png").is_file()
                                  for p in exported.plots)  # fmt: skip
    assert {p.name for p in exported.plots} == {p.name for p in read_card(
        catalog.store.version_dir(dataset, 1)).plots}  # fmt: skip

    parquet = tmp_path / "parquet"
    export_parquet(catalog, ref, parquet)
    loaded = datasets.load_dataset(str(parquet), cache_dir=cache)
    assert list(loaded) == ["train"]
    assert loaded["train"].num_rows == catalog.resolve(ref).row_count
    data = DatasetCard.load(parquet / "README.md").data
    assert data.license == "apache-2.0"
    assert data.task_categories == list(spec.task_categories)


def _block_the_readme(catalog: Catalog, ref: str) -> Path:
    """A real fault in the version's folder: a directory where README.md must go, so the card's
    final rename fails (as root, a read-only folder would not stop it)."""
    info = catalog.resolve(ref)
    blocker = catalog.store.version_dir(info.dataset, info.version) / "README.md"
    blocker.mkdir()
    (blocker / "keep").write_text("not a card")
    return blocker


def test_a_card_that_fails_leaves_the_committed_version(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    catalog, ref = _publish(tmp_path, "tear")
    info = catalog.resolve(ref)
    blocker = _block_the_readme(catalog, ref)
    caplog.set_level(logging.ERROR, logger="datagen.flows.publish")

    assert ensure_card(catalog, info) is None  # logged, not raised

    (record,) = [r for r in caplog.records if r.name == "datagen.flows.publish"]
    assert record.levelno == logging.ERROR and record.exc_info is not None
    assert f"the card of {ref} failed" in record.getMessage()
    assert f"datagen catalog card {ref}" in record.getMessage()
    assert blocker.is_dir() and (blocker / "keep").read_text() == "not a card"
    again = Catalog(catalog.store, lock_timeout=10)
    assert again.resolve(ref).content_hash == info.content_hash
    assert again.read(ref).num_rows == len(ROWS["tear"][1]())
    assert again.show(ref)["card"] is None


def inject_card_fault(*args, **kwargs):
    """Stands in for ``publish_card``: the disk fills while the card is written."""
    raise OSError(28, "No space left on device (injected)")


def test_publish_version_commits_when_its_card_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    store = Store.resolve(tmp_path / "store")
    schema_id, make_rows = ROWS["a2search"]
    rows = make_rows()
    staged = stage_version(
        store=store, dataset="a2search", schema_id=schema_id, rows=rows, params={},
        lineage=[], counts=[], quarantine={}, stats={},
    )  # fmt: skip
    monkeypatch.setattr("datagen.flows.publish.publish_card", inject_card_fault)
    caplog.set_level(logging.ERROR, logger="datagen.flows.publish")

    result = publish_version.fn(staged)

    assert result["ref"] == "a2search@1" and result["rows"] == len(rows)
    assert "card" not in result
    assert any("the card of a2search@1 failed" in r.getMessage() for r in caplog.records)
    catalog = Catalog(store, lock_timeout=10)
    assert catalog.read("a2search@1").num_rows == len(rows)
    assert catalog.resolve("a2search@1").content_hash == result["content_hash"]
    assert read_card(store.version_dir("a2search", 1)) is None

    monkeypatch.undo()  # the fault is gone: the card can be written again, from the recipe
    path = publish_card(catalog, "a2search@1", spec=card_spec("a2search"))
    assert read_card(path.parent).front_matter["pretty_name"] == card_spec("a2search").title


def test_whole_numbers_far_apart_are_a_histogram_not_a_bar_per_integer(tmp_path: Path) -> None:
    """AST nodes from 10 to 2000 would be 1,991 bars (seconds to draw, unreadable)."""
    rows = ROWS["tear"][1]()
    for row, nodes in zip(rows, (10, 2000, 40, 900, 10, 55, 300, 1200), strict=True):
        row["ast_nodes"] = nodes
    catalog, ref = _publish(tmp_path, "tear", rows=rows)
    spec = card_spec("tear")
    (complexity,) = [p for p in spec.plots if p.name == "complexity"]

    card = build_card(catalog, ref, spec=spec)

    (plot,) = [p for p in card.plots if p.name == "complexity"]
    nodes = [10.0, 2000.0, 40.0, 900.0, 10.0, 55.0, 300.0, 1200.0]
    assert plot.png == hist_png(nodes, title=plot.title, bins=complexity.bins, xlabel="ast_nodes")
    (steps,) = [p for p in card.plots if p.name == "trace-steps"]  # 2..9: one bar per value
    assert steps.png == bar_png([(str(k), 1) for k in range(2, 10)], title=steps.title)
