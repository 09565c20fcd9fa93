"""Where a store lives on disk, and the layout inside it.

One folder holds everything: the DuckDB catalog, one folder per published version, a staging
area for files written before a publish, and the flows' resume cache. Publishing moves staged
files with a rename, so staging must sit on the same file system as the versions: that is why
it lives inside the store rather than in the system's temporary folder.
"""

from __future__ import annotations

import os
import socket
import uuid
from dataclasses import dataclass
from pathlib import Path

STORE_ENV = "DATAGEN_STORE"
DEFAULT_STORE = Path("datagen-store")
CATALOG_FILE = "catalog.duckdb"
STAGING = "_staging"
WORK = "_work"
PID_FILE = "pid"


@dataclass(frozen=True)
class Store:
    """A store folder: ``catalog.duckdb``, ``<dataset>/<version>/``, ``_staging/``, ``_work/``."""

    root: Path

    @classmethod
    def resolve(cls, store: str | Path | None = None) -> Store:
        """The store named by the argument, else by ``$DATAGEN_STORE``, else ``./datagen-store``."""
        chosen = store if store is not None else os.environ.get(STORE_ENV) or DEFAULT_STORE
        return cls(root=Path(chosen).expanduser().absolute())

    @property
    def catalog_path(self) -> Path:
        return self.root / CATALOG_FILE

    @property
    def staging_root(self) -> Path:
        return self.root / STAGING

    @property
    def work_dir(self) -> Path:
        """The flows' resume cache of stage outputs (owned by flows; ``gc`` may age it out)."""
        return self.root / WORK

    def version_dir(self, name: str, version: int) -> Path:
        return self.root / name / str(version)

    def staging_dir(self) -> Path:
        """Create a fresh staging folder marked with this process's id and host.

        The mark lets ``gc`` tell a folder that a live writer is still filling from one that
        a crashed run left behind.
        """
        path = self.staging_root / uuid.uuid4().hex
        path.mkdir(parents=True)
        (path / PID_FILE).write_text(f"{os.getpid()} {socket.gethostname()}\n")
        return path
