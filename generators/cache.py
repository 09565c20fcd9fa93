"""Where datagen keeps downloaded and assembled artefacts (datasets live in the store)."""

from __future__ import annotations

import os
from pathlib import Path


def cache_dir() -> Path:
    """``$DATAGEN_CACHE``, else ``$XDG_CACHE_HOME/datagen``, else ``~/.cache/datagen``."""
    if env := os.environ.get("DATAGEN_CACHE"):
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "datagen"
