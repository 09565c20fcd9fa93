"""Storage and versions: Parquet shards, atomic publish, the DuckDB catalog, and exports."""

from datagen.catalog.catalog import Catalog, parse_ref
from datagen.catalog.connection import CatalogLockedError
from datagen.catalog.export import ExportError, export_hf, export_parquet, render_card
from datagen.catalog.models import ModelRecord
from datagen.catalog.records import (
    CatalogError,
    DatasetSummary,
    DeletedVersionError,
    GcReport,
    InvalidNameError,
    LineageEntry,
    PublishError,
    TaggedVersionError,
    TagMove,
    Tombstone,
    UnknownDatasetError,
    UnknownTagError,
    UnknownVersionError,
    VersionInfo,
)
from datagen.catalog.retention import PruneDecision, PruneReport
from datagen.catalog.shards import (
    CorruptShardError,
    ShardFile,
    read_parquet,
    table_content_hash,
    write_parquet_atomic,
)
from datagen.catalog.store import Store

__all__ = [
    "Catalog",
    "CatalogError",
    "CatalogLockedError",
    "CorruptShardError",
    "DatasetSummary",
    "DeletedVersionError",
    "ExportError",
    "GcReport",
    "InvalidNameError",
    "LineageEntry",
    "ModelRecord",
    "PruneDecision",
    "PruneReport",
    "PublishError",
    "ShardFile",
    "Store",
    "TagMove",
    "TaggedVersionError",
    "Tombstone",
    "UnknownDatasetError",
    "UnknownTagError",
    "UnknownVersionError",
    "VersionInfo",
    "export_hf",
    "export_parquet",
    "parse_ref",
    "read_parquet",
    "render_card",
    "table_content_hash",
    "write_parquet_atomic",
]
