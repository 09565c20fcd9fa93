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
PREFECT = "_prefect"
PID_FILE = "pid"


def _marked_dir(parent: Path, name: str) -> Path:
    """Create ``parent/name`` marked with this process's id and host (``PID_FILE``).

    The mark lets ``gc`` tell a folder that a live process still uses from one that a
    crashed run left behind.
    """
    path = parent / name
    path.mkdir(parents=True)
    (path / PID_FILE).write_text(f"{os.getpid()} {socket.gethostname()}\n")
    return path


@dataclass(frozen=True)
class Store:
    """A store folder: ``catalog.duckdb``, ``<dataset>/<version>/``, ``_staging/``, ``_work/``,
    ``_prefect/``."""

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

    @property
    def prefect_root(self) -> Path:
        """Private Prefect homes of runs that have no Prefect server (owned by flows)."""
        return self.root / PREFECT

    def version_dir(self, name: str, version: int) -> Path:
        return self.root / name / str(version)

    def staging_dir(self) -> Path:
        """Create a fresh staging folder, marked for ``gc`` as this process's."""
        return _marked_dir(self.staging_root, uuid.uuid4().hex)

    def prefect_home(self) -> Path:
        """Create a private Prefect home for this process's run, marked for ``gc`` likewise."""
        return _marked_dir(self.prefect_root, f"run-{os.getpid()}-{uuid.uuid4().hex[:8]}")
