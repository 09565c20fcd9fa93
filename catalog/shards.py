"""Parquet shards: atomic writes, checked reads, and content hashes.

A shard is either fully written or absent: it is written under a temporary name in its final
folder, flushed to disk, then renamed. Readers therefore never see half a file from a crashed
writer, and a damaged file (disk fault, manual truncation) is reported with its path instead
of an Arrow stack trace.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

COMPRESSION = "zstd"
_CHUNK = 1 << 20


class CorruptShardError(Exception):
    """A Parquet shard is missing, truncated or not Parquet at all."""

    def __init__(self, path: Path, problem: str) -> None:
        self.path = path
        super().__init__(f"shard {path} cannot be read: {problem}")


@dataclass(frozen=True, kw_only=True)
class ShardFile:
    """A written shard: where it is, how many rows, its size, and the sha256 of its bytes."""

    path: Path
    rows: int
    bytes: int
    sha256: str


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_parquet_atomic(table: pa.Table, path: Path) -> ShardFile:
    """Write ``table`` to ``path`` (zstd) so that the file appears complete or not at all."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        pq.write_table(table, tmp, compression=COMPRESSION)
        with tmp.open("rb") as f:
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)
    return ShardFile(
        path=path, rows=table.num_rows, bytes=path.stat().st_size, sha256=file_sha256(path)
    )


def _readable(path: Path) -> None:
    if not path.exists():
        raise CorruptShardError(path, "the file does not exist")
    if not path.is_file():
        raise CorruptShardError(path, "the path is not a regular file")


def read_parquet(path: Path) -> pa.Table:
    """Read a whole shard; any damage becomes a ``CorruptShardError`` naming the file."""
    path = Path(path)
    _readable(path)
    try:
        return pq.read_table(path)
    except (pa.ArrowException, OSError) as exc:
        raise CorruptShardError(path, f"{type(exc).__name__}: {exc}") from exc


def read_parquet_metadata(path: Path) -> pq.FileMetaData:
    """The footer of a shard (row count, schema) without reading its data."""
    path = Path(path)
    _readable(path)
    try:
        return pq.read_metadata(path)
    except (pa.ArrowException, OSError) as exc:
        raise CorruptShardError(path, f"{type(exc).__name__}: {exc}") from exc


def table_content_hash(table: pa.Table) -> str:
    """sha256 of the table's Arrow IPC stream, after merging chunks and dropping metadata.

    Two tables with the same schema and rows in the same order hash equal however they were
    chunked, compressed or split into row groups on disk; schema-level metadata (which pandas
    and Parquet writers add) is ignored.
    """
    table = table.replace_schema_metadata(None).combine_chunks()
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return hashlib.sha256(sink.getvalue()).hexdigest()
