"""Stage outputs keyed by their inputs' content: the unit of resume.

An entry is ``<store>/_work/<stage>/<key>/`` holding ``data.parquet``, ``quarantine.parquet``
and ``meta.json``, written into a temporary folder and renamed into place, so an entry either
exists whole or not at all. The key hashes the stage name, its config, the content hashes of
its inputs and a fingerprint of the code that computes it: after a crash the same command
finds every finished shard and recomputes only the rest; change the code or the config and
the entries no longer match.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

QUARANTINE_SCHEMA = pa.schema(
    [("record_id", pa.string()), ("reason", pa.string()), ("record", pa.string())]
)


@dataclass(frozen=True)
class WorkEntry:
    """A finished stage output: its rows, its quarantined records and its counts."""

    path: Path
    meta: dict[str, Any]

    @property
    def data_path(self) -> Path:
        return self.path / "data.parquet"

    @property
    def quarantine_path(self) -> Path:
        return self.path / "quarantine.parquet"


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def work_key(*, stage: str, config: dict[str, Any], inputs: list[str], code: str) -> str:
    """The content key of a stage output (sha256 hex, first 32 characters)."""
    payload = json.dumps(
        {"stage": stage, "config": config, "inputs": inputs, "code": code},
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(payload.encode()).hexdigest()[:32]


class WorkCache:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def entry_path(self, stage: str, key: str) -> Path:
        return self.root / stage / key

    def get(self, stage: str, key: str) -> WorkEntry | None:
        """The finished entry, or ``None`` if absent or unreadable (then it is recomputed)."""
        path = self.entry_path(stage, key)
        try:
            meta = json.loads((path / "meta.json").read_text())
            pq.read_metadata(path / "data.parquet")
            pq.read_metadata(path / "quarantine.parquet")
        except (OSError, ValueError, pa.ArrowException):
            return None
        return WorkEntry(path, meta)

    def put(
        self,
        stage: str,
        key: str,
        *,
        table: pa.Table,
        quarantine: list[tuple[str, str, dict[str, Any]]],
        meta: dict[str, Any],
    ) -> WorkEntry:
        """Write an entry atomically; if another process finished it first, keep theirs."""
        final = self.entry_path(stage, key)
        final.parent.mkdir(parents=True, exist_ok=True)
        temp = final.parent / f".tmp-{key}-{uuid.uuid4().hex[:8]}"
        temp.mkdir()
        try:
            pq.write_table(table, temp / "data.parquet", compression="zstd")
            rows = [
                {"record_id": rid, "reason": reason, "record": json.dumps(rec, default=str)}
                for rid, reason, rec in quarantine
            ]
            pq.write_table(
                pa.Table.from_pylist(rows, schema=QUARANTINE_SCHEMA), temp / "quarantine.parquet"
            )
            (temp / "meta.json").write_text(json.dumps(meta, sort_keys=True, default=str))
            for name in ("data.parquet", "quarantine.parquet", "meta.json"):
                with open(temp / name, "rb") as handle:
                    os.fsync(handle.fileno())
            if final.exists():
                if self.get(stage, key) is not None:
                    shutil.rmtree(temp)
                    return WorkEntry(final, json.loads((final / "meta.json").read_text()))
                shutil.rmtree(final)  # a corrupted entry: replace it
            os.replace(temp, final)
        except BaseException:
            shutil.rmtree(temp, ignore_errors=True)
            raise
        return WorkEntry(final, meta)
