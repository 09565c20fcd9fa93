"""Typed records that go into and come out of the catalog, and the catalog's errors."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

NAME_RE = re.compile(r"[a-z0-9][a-z0-9._-]*")
MAX_NAME = 128
# Names that would shadow a catalog table in ``Catalog.sql`` or the catalog file on disk.
CATALOG_TABLES = (
    "datasets",
    "versions",
    "files",
    "lineage",
    "quarantine",
    "stage_counts",
    "evaluations",
    "tags",
    "tag_history",
    "tombstones",
    "runs",
    "token_counts",
    "models",
    "schema_migrations",
)
RESERVED_NAMES = frozenset(
    {*CATALOG_TABLES, "version_tokens", "catalog.duckdb", "catalog.duckdb.wal"}
)
LINEAGE_KINDS = ("parent", "source")


class CatalogError(Exception):
    """Base of every error the catalog raises on purpose."""


class InvalidNameError(CatalogError, ValueError):
    """A dataset name or reference that the catalog cannot accept."""


class UnknownDatasetError(CatalogError, KeyError):
    def __init__(self, name: str, known: list[str]) -> None:
        self.name, self.known = name, known
        listed = ", ".join(known) if known else "none yet"
        super().__init__(f"unknown dataset {name!r}; known datasets: {listed}")

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0])


class UnknownVersionError(CatalogError, KeyError):
    def __init__(self, name: str, version: int | None, existing: list[int]) -> None:
        self.name, self.version, self.existing = name, version, existing
        if version is None:
            message = f"dataset {name!r} has no versions left (all were deleted)"
        else:
            listed = ", ".join(str(v) for v in existing) if existing else "none"
            message = f"dataset {name!r} has no version {version}; existing versions: {listed}"
        super().__init__(message)

    def __str__(self) -> str:
        return str(self.args[0])


class DeletedVersionError(UnknownVersionError):
    """A version that was deleted or pruned: its tombstone says when and why."""

    def __init__(self, tombstone: Tombstone, existing: list[int]) -> None:
        super().__init__(tombstone.dataset, tombstone.version, existing)
        listed = ", ".join(str(v) for v in existing) if existing else "none"
        self.tombstone = tombstone
        self.args = (
            f"dataset {tombstone.dataset!r}: version {tombstone.version} was deleted at "
            f"{tombstone.deleted_at.isoformat(sep=' ', timespec='seconds')} "
            f"({tombstone.reason}); existing versions: {listed}",
        )


class UnknownTagError(CatalogError, KeyError):
    def __init__(self, name: str, tag: str, known: list[str]) -> None:
        self.name, self.tag, self.known = name, tag, known
        listed = ", ".join(known) if known else "none"
        super().__init__(f"dataset {name!r} has no tag {tag!r}; its tags: {listed}")

    def __str__(self) -> str:
        return str(self.args[0])


class TaggedVersionError(CatalogError):
    """Deleting a tagged version without ``force``."""


class PublishError(CatalogError):
    """A publish refused before anything became visible."""


def check_name(name: str) -> str:
    """Return ``name`` if it is a valid dataset name, else raise ``InvalidNameError``."""
    if not isinstance(name, str) or not NAME_RE.fullmatch(name) or len(name) > MAX_NAME:
        raise InvalidNameError(
            f"invalid dataset name {name!r}: use lower-case letters, digits, '.', '_' and '-', "
            f"starting with a letter or digit, at most {MAX_NAME} characters"
        )
    if name in RESERVED_NAMES:
        raise InvalidNameError(f"dataset name {name!r} is reserved by the catalog")
    return name


def view_name(name: str) -> str:
    """The SQL view name of a dataset in ``Catalog.sql``: ``-`` and ``.`` become ``_``."""
    return name.replace("-", "_").replace(".", "_")


@dataclass(frozen=True, kw_only=True)
class LineageEntry:
    """Where a version came from: a ``parent`` dataset version or an external ``source``."""

    kind: str
    ref: str
    license: str | None = None
    details: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.kind not in LINEAGE_KINDS:
            raise ValueError(f"lineage kind must be one of {LINEAGE_KINDS}, got {self.kind!r}")
        if not self.ref:
            raise ValueError("lineage ref must not be empty")


@dataclass(frozen=True, kw_only=True)
class VersionInfo:
    """A published, immutable version of a dataset."""

    dataset: str
    version: int
    created_at: datetime
    row_count: int
    bytes: int
    content_hash: str
    schema_id: str
    code_version: str
    params: dict[str, Any]
    flow_run_id: str | None
    stats: dict[str, Any]
    paths: tuple[Path, ...]
    deployment: str | None = None
    """The Prefect deployment (``datagen schedule``) whose run published it, if one did."""

    @property
    def ref(self) -> str:
        return f"{self.dataset}@{self.version}"


@dataclass(frozen=True, kw_only=True)
class TagMove:
    """One move of a tag: it now names ``version`` (``None``: removed), before ``previous``."""

    dataset: str
    tag: str
    version: int | None
    previous_version: int | None
    moved_at: datetime


@dataclass(frozen=True, kw_only=True)
class Tombstone:
    """What is left of a deleted or pruned version: its number stays taken."""

    dataset: str
    version: int
    created_at: datetime
    row_count: int
    content_hash: str
    deleted_at: datetime
    reason: str


@dataclass(frozen=True, kw_only=True)
class DatasetSummary:
    name: str
    versions: int
    latest_version: int
    latest_rows: int
    created_at: datetime


@dataclass(frozen=True, kw_only=True)
class GcReport:
    """What ``gc`` removed, and how many bytes of files went with it."""

    removed: tuple[Path, ...]
    bytes_freed: int
