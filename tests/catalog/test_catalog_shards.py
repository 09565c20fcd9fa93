"""Parquet shards: atomic writes, damaged files named in errors, content hashes."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from datagen.catalog import (
    CorruptShardError,
    read_parquet,
    table_content_hash,
    write_parquet_atomic,
)
from datagen.catalog.shards import file_sha256


def test_write_is_complete_and_leaves_no_temporary_file(tmp_path: Path, make_rows) -> None:
    table = make_rows(100)
    shard = write_parquet_atomic(table, tmp_path / "deep" / "part.parquet")

    assert shard.path == tmp_path / "deep" / "part.parquet"
    assert shard.rows == 100
    assert shard.bytes == shard.path.stat().st_size
    assert shard.sha256 == file_sha256(shard.path)
    assert pq.read_metadata(shard.path).row_group(0).column(0).compression == "ZSTD"
    assert read_parquet(shard.path).equals(table)
    assert [p.name for p in shard.path.parent.iterdir()] == ["part.parquet"]


def test_rewrite_replaces_the_old_file(tmp_path: Path, make_rows) -> None:
    path = tmp_path / "part.parquet"
    write_parquet_atomic(make_rows(3), path)
    write_parquet_atomic(make_rows(7), path)
    assert read_parquet(path).num_rows == 7


def _truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _garble_footer(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[-40:-8] = b"\xff" * 32
    path.write_bytes(bytes(data))


def _garble_data(path: Path) -> None:
    data = bytearray(path.read_bytes())
    middle = len(data) // 3
    data[middle : middle + 64] = b"\x00" * 64
    path.write_bytes(bytes(data))


def _not_parquet(path: Path) -> None:
    path.write_text("prompt,label\nhello,good\n")


def _empty(path: Path) -> None:
    path.write_bytes(b"")


def _missing(path: Path) -> None:
    path.unlink()


def _directory(path: Path) -> None:
    path.unlink()
    path.mkdir()


@pytest.mark.parametrize(
    ("damage", "expected"),
    [
        (_truncate, "magic bytes not found"),
        (_garble_footer, "deserialize thrift"),
        (_garble_data, "cannot be read"),
        (_not_parquet, "magic bytes not found"),
        (_empty, "size is 0 bytes"),
        (_missing, "does not exist"),
        (_directory, "not a regular file"),
    ],
    ids=["truncated", "garbled-footer", "garbled-data", "csv", "empty", "missing", "directory"],
)
def test_damaged_shard_names_the_file(tmp_path: Path, make_rows, damage, expected: str) -> None:
    path = write_parquet_atomic(make_rows(50), tmp_path / "part.parquet").path
    damage(path)
    with pytest.raises(CorruptShardError) as err:
        read_parquet(path)
    assert err.value.path == path
    assert str(path) in str(err.value)
    assert expected in str(err.value)


def test_content_hash_ignores_chunks_row_groups_and_metadata(tmp_path: Path, make_rows) -> None:
    table = make_rows(40)
    rechunked = pa.concat_tables([table.slice(0, 13), table.slice(13)])
    pq.write_table(table, tmp_path / "small-groups.parquet", row_group_size=7, compression="snappy")
    reread = pq.read_table(tmp_path / "small-groups.parquet")
    tagged = table.replace_schema_metadata({"pandas": "{}"})

    reference = table_content_hash(table)
    assert rechunked.column(0).num_chunks == 2
    assert reread.column(0).num_chunks > 1
    assert {table_content_hash(t) for t in (rechunked, reread, tagged)} == {reference}


@pytest.mark.parametrize(
    "change",
    [
        lambda t: t.set_column(3, "label", pa.array(["bad"] * t.num_rows)),
        lambda t: t.slice(1),
        lambda t: t.take(list(range(t.num_rows - 1, -1, -1))),
        lambda t: t.rename_columns(["id", "prompt", "score", "label"]),
        lambda t: t.cast(t.schema.set(2, pa.field("score", pa.float32()))),
    ],
    ids=["values", "row-count", "order", "column-name", "column-type"],
)
def test_content_hash_changes_with_content(make_rows, change) -> None:
    table = make_rows(40)
    assert table_content_hash(change(table)) != table_content_hash(table)
