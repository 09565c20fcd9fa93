"""Exports: Parquet parts with a card, and a Hugging Face ``datasets`` folder."""

from __future__ import annotations

from pathlib import Path

import datasets
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from datagen.catalog import Catalog, ExportError, LineageEntry, export_hf, export_parquet


@pytest.fixture
def published(publish, make_rows) -> str:
    tables = [make_rows(4), make_rows(6, start=4, label="bad")]
    lineage = [LineageEntry(kind="source", ref="bfcl-eval:live_multiple", license="Apache-2.0")]
    return publish("toolpref-pairwise", tables=tables, lineage=lineage).ref


def test_parquet_export_copies_parts_and_writes_a_card(
    catalog: Catalog, published: str, tmp_path: Path
) -> None:
    out = tmp_path / "export"
    parts = export_parquet(catalog, published, out)

    assert [p.name for p in parts] == ["part-00000.parquet", "part-00001.parquet"]
    assert pa.concat_tables([pq.read_table(p) for p in parts]).equals(catalog.read(published))
    card = (out / "README.md").read_text()
    assert card.startswith("---\npretty_name: toolpref-pairwise\nlicense: apache-2.0\n")
    assert "# toolpref-pairwise (toolpref-pairwise@1)\n" in card
    assert "- rows: 10" in card
    assert "| source | bfcl-eval:live_multiple | Apache-2.0 |" in card
    assert "| seed | `1` |" in card
    assert "| validate | 11 | 10 | 0 | 1 |" in card
    assert not (out / "card.md").exists()
    builder = datasets.load_dataset_builder(str(out), cache_dir=str(tmp_path / "hf-cache"))
    assert sorted(Path(f).name for f in builder.config.data_files["train"]) == [
        "part-00000.parquet", "part-00001.parquet"
    ]  # fmt: skip


def test_hf_export_reads_back_equal(catalog: Catalog, published: str, tmp_path: Path) -> None:
    out = export_hf(catalog, published, tmp_path / "hf")

    loaded = datasets.load_from_disk(str(out))

    assert loaded.num_rows == 10
    assert loaded.to_list() == catalog.read(published).to_pylist()
    readme = (out / "README.md").read_text()
    assert "# toolpref-pairwise (toolpref-pairwise@1)\n" in readme
    assert "configs:" not in readme and "load_from_disk" in readme


def test_hf_export_needs_a_label_column(
    catalog: Catalog, publish, make_rows, tmp_path: Path
) -> None:
    ref = publish("unlabelled", tables=[make_rows(3).drop_columns(["label"])]).ref
    with pytest.raises(ExportError, match=r"no 'label' column.*row_id, prompt, score"):
        export_hf(catalog, ref, tmp_path / "hf")
    assert not (tmp_path / "hf").exists()


@pytest.mark.parametrize("export", [export_parquet, export_hf])
def test_exports_refuse_a_folder_with_files(
    catalog: Catalog, published: str, tmp_path: Path, export
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "old.txt").write_text("keep me")
    with pytest.raises(ExportError, match="not empty"):
        export(catalog, published, out)
    assert [p.name for p in out.iterdir()] == ["old.txt"]
