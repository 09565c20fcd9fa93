"""A version's dataset card: written by ``datagen catalog card``, read by ``datasets``."""

from __future__ import annotations

import io
from pathlib import Path

import datasets
import matplotlib.image
from typer.testing import CliRunner

from datagen.catalog import Catalog, Store
from datagen.catalog.card import GenericSpec, read_card, version_card
from datagen.flows.cli import app
from datagen.generators.recipes import GENERIC_CARD
from tests.export.handmade import publish_toolpref

PNG = b"\x89PNG\r\n\x1a\n"


def test_catalog_card_writes_a_card_that_datasets_reads(tmp_path: Path) -> None:
    store = Store.resolve(tmp_path / "store")
    ref = publish_toolpref(store)
    catalog = Catalog(store)
    assert catalog.show(ref)["card"] is None
    content_hash = catalog.show(ref)["content_hash"]

    result = CliRunner().invoke(app, ["catalog", "card", ref, "--store", str(store.root)])

    assert result.exit_code == 0, result.output
    folder = store.version_dir("toolpref-pairwise", 1)
    assert catalog.show(ref)["card"] == str(folder / "README.md")
    assert catalog.show(ref)["content_hash"] == content_hash  # the card is not data
    card = read_card(folder)
    assert card == version_card(catalog, ref)
    assert (folder / "README.md").read_text() == card.text()
    assert card.front_matter["size_categories"] == ["n<1K"]
    names = {p.name for p in card.plots}
    assert {"labels", "intensity", "complexity", "funnel"} <= names
    for plot in card.plots:
        assert plot.png.startswith(PNG)
        assert matplotlib.image.imread(io.BytesIO(plot.png)).shape[:2] == (360, 640)
        assert f"![{plot.title}](plots/{plot.name}.png)" in card.body
    loaded = datasets.load_dataset(str(folder), cache_dir=str(tmp_path / "cache"))
    assert loaded["train"].num_rows == catalog.resolve(ref).row_count


def test_the_catalogs_generic_spec_is_the_recipes() -> None:
    fields = ("name", "title", "kind", "column", "stages", "having", "bins")
    ours = [tuple(getattr(p, f) for f in fields) for p in GenericSpec().plots]
    assert ours == [tuple(getattr(p, f) for f in fields) for p in GENERIC_CARD.plots]
    assert GenericSpec().task_categories == GENERIC_CARD.task_categories


def test_a_published_version_has_its_recipes_card(tmp_path: Path) -> None:
    from datagen.flows.example import example  # after the session's Prefect server is set
    from datagen.generators.example.recipe import ExampleConfig

    store = Store.resolve(tmp_path / "store")
    info = example(ExampleConfig(problems=12, samples=2, shard_size=4, max_pass_rate=1.0),
                   store=str(store.root))  # fmt: skip
    folder = store.version_dir("example", info["version"])
    assert info["card"] == str(folder / "README.md")
    card = read_card(folder)
    assert card.front_matter["pretty_name"] == "Worked example: arithmetic by pass rate"
    assert card.front_matter["license"] == "apache-2.0"
    assert {"pass-rates", "funnel"} <= {p.name for p in card.plots}
    assert "## Tokens" in card.body and "fake:example" in card.body
