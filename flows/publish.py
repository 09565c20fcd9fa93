"""The publish and report end of every dataset flow.

Rows are written to a staging folder inside the store first; only then does the publish task
open the catalog, for one short transaction (DuckDB allows one writer process at a time). The
version's dataset card (``README.md`` and ``plots/`` in its folder) is written right after the
commit, from the recipe's card spec; a card that fails is logged and leaves the version as
committed (``datagen catalog card`` writes it again).
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from importlib.resources import files
from pathlib import Path
from typing import Any

from prefect import task
from prefect.artifacts import create_link_artifact
from prefect.cache_policies import NO_CACHE
from prefect.runtime import deployment, flow_run

from datagen.catalog import Catalog, LineageEntry, Store, VersionInfo
from datagen.catalog.card import card_file, publish_card
from datagen.catalog.publish import UnchangedVersionError
from datagen.catalog.shards import fsync_dir, write_parquet_atomic
from datagen.catalog.tokens import TokenUse
from datagen.flows.stages import artifact_key
from datagen.generators.recipes import card_spec
from datagen.generators.report import counts_table
from datagen.schemas import records_to_table
from datagen.schemas.records import Quarantined, Record, StageCounts

log = logging.getLogger(__name__)


class EmptyDatasetError(RuntimeError):
    """The filters left nothing: no version is published, and the counts say why."""

    def __init__(self, dataset: str, counts: Sequence[StageCounts]) -> None:
        self.dataset, self.counts = dataset, list(counts)
        super().__init__(
            f"nothing to publish for {dataset}: the stages left no rows\n{counts_table(counts)}"
        )


def code_version() -> str:
    """The package version plus a hash of its installed sources (so edits show in lineage)."""
    try:
        base = version("datagen")
    except PackageNotFoundError:
        base = "0+unknown"
    digest = hashlib.sha256()
    for layer in ("schemas", "verifiers", "generators", "catalog", "flows"):
        root = files(f"datagen.{layer}")
        for path in sorted(Path(str(root)).rglob("*")):
            if path.suffix in {".py", ".json"}:
                digest.update(path.read_bytes())
    return f"{base}+{digest.hexdigest()[:12]}"


@dataclass(frozen=True, kw_only=True)
class StagedVersion:
    """Everything a publish needs, by path or as small metadata (cheap for Prefect to pass)."""

    store_root: Path
    dataset: str
    schema_id: str
    files: tuple[Path, ...]
    params: dict[str, Any]
    lineage: tuple[LineageEntry, ...]
    counts: tuple[StageCounts, ...]
    quarantine: dict[str, tuple[Quarantined, ...]]
    stats: dict[str, Any]
    token_counts: tuple[TokenUse, ...] = ()


def stage_version(
    *,
    store: Store,
    dataset: str,
    schema_id: str,
    rows: Sequence[Record] = (),
    parts: Sequence[Path] = (),
    params: dict[str, Any],
    lineage: Sequence[LineageEntry],
    counts: Sequence[StageCounts],
    quarantine: Mapping[str, Sequence[Quarantined]],
    stats: dict[str, Any],
    token_counts: Sequence[TokenUse] = (),
    rows_per_file: int = 50_000,
) -> StagedVersion:
    """Put the version's rows into a staging folder of the store, ready for ``publish_version``.

    ``rows`` are encoded and written here; ``parts`` are Parquet files a stage already wrote
    in the schema's encoding (validated rows, as ``records_to_table`` encodes them), moved
    into place rather than decoded and written again.
    """
    if bool(rows) == bool(parts):
        raise ValueError("stage_version takes either rows or parts, and not both")
    staging = store.staging_dir()
    paths = []
    for part, start in enumerate(range(0, len(rows), rows_per_file)):
        table = records_to_table(schema_id, rows[start : start + rows_per_file])
        paths.append(write_parquet_atomic(table, staging / f"part-{part:05d}.parquet").path)
    for number, source in enumerate(parts):
        paths.append(staging / f"part-{number:05d}.parquet")
        os.replace(source, paths[-1])
    fsync_dir(staging)
    return StagedVersion(
        store_root=store.root,
        dataset=dataset,
        schema_id=schema_id,
        files=tuple(paths),
        params=params,
        lineage=tuple(lineage),
        counts=tuple(counts),
        quarantine={stage: tuple(entries) for stage, entries in quarantine.items()},
        stats=stats,
        token_counts=tuple(token_counts),
    )


@task(cache_policy=NO_CACHE)
def open_catalog(store_root: Path) -> None:
    """Open the store's catalog (creating or migrating it) while the engine works, so that a
    new store's catalog is not created in the run's tail, where nothing else overlaps it."""
    with Catalog(Store(store_root)).connect():
        pass


@task(cache_policy=NO_CACHE, retries=2, retry_delay_seconds=5)
def publish_version(staged: StagedVersion) -> dict[str, Any]:
    """Register the staged files as the dataset's next version, atomically.

    A run of a deployment (``datagen schedule``) stores the deployment's name in the version,
    and publishes nothing when its rows are the latest version's (that one, ``reused``).
    """
    catalog, made_by = Catalog(Store(staged.store_root)), deployment.name
    try:
        info, reused = _publish(catalog, staged, made_by=made_by), False
    except UnchangedVersionError as exc:
        info, reused = catalog.resolve(f"{exc.dataset}@{exc.version}"), True
    shutil.rmtree(Path(staged.files[0]).parent, ignore_errors=True)  # only its pid file is left
    card = ensure_card(catalog, info)
    return (
        {
            "dataset": info.dataset,
            "version": info.version,
            "ref": f"{info.dataset}@{info.version}",
            "rows": info.row_count,
            "content_hash": info.content_hash,
        }
        | ({"reused": True} if reused else {})
        | ({"card": str(card)} if card else {})
    )


def ensure_card(catalog: Catalog, info: VersionInfo) -> Path | None:
    """Write the version's card unless it has one, and link it from the run (artifact
    ``<dataset>-card``); ``None`` when the card failed, which is logged and fails nothing."""
    folder = catalog.store.version_dir(info.dataset, info.version)
    try:
        path = card_file(folder) or publish_card(catalog, info.ref, spec=card_spec(info.dataset))
    except Exception:  # the version is committed: a card must not undo that
        log.exception(
            "the card of %s failed; `datagen catalog card %s` retries", info.ref, info.ref
        )
        return None
    create_link_artifact(
        link=path.as_uri(),
        link_text=f"{info.dataset}@{info.version} dataset card",
        key=artifact_key(info.dataset, "card"),
        description=f"README.md and plots of {info.dataset}@{info.version}",
    )
    return path


def _publish(catalog: Catalog, staged: StagedVersion, *, made_by: str | None) -> VersionInfo:
    return catalog.publish(
        dataset=staged.dataset,
        files=list(staged.files),
        schema_id=staged.schema_id,
        params=staged.params,
        code_version=code_version(),
        flow_run_id=str(flow_run.id) if flow_run.id else None,
        stats=staged.stats,
        lineage=list(staged.lineage),
        quarantine=staged.quarantine,
        stage_counts=staged.counts,
        token_counts=staged.token_counts,
        deployment=made_by,
        unless_unchanged=made_by is not None,
    )
