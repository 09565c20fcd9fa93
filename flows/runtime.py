"""Prefect settings that datagen's commands need before Prefect is imported.

- No network here or on many clusters: telemetry off.
- Without ``PREFECT_API_URL`` Prefect starts an ephemeral API on one SQLite file in
  ``PREFECT_HOME``; two ``datagen run`` processes on one machine then contend for that file
  and one can fail with "database is locked" (PrefectHQ/prefect#19771). When no server is
  configured, each run gets its own Prefect home under the store's ``_prefect/`` folder, so
  concurrent runs never share a database (it is removed when the run exits). Point
  ``PREFECT_API_URL`` at a ``prefect server start`` to keep every run's history in one place.
"""

from __future__ import annotations

import atexit
import os
import shutil
import uuid
from pathlib import Path


def prepare_prefect(store_root: Path) -> Path | None:
    """Set Prefect's environment for this process; returns the private home if one was made."""
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    if os.environ.get("PREFECT_API_URL") or os.environ.get("DATAGEN_SHARED_PREFECT_HOME"):
        return None
    home = store_root / "_prefect" / f"run-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    home.mkdir(parents=True, exist_ok=True)
    os.environ["PREFECT_HOME"] = str(home)
    os.environ["PREFECT_MEMO_STORE_PATH"] = str(home / "memo_store.toml")
    atexit.register(shutil.rmtree, home, ignore_errors=True)
    return home
