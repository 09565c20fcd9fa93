"""Session-wide fixtures: the real embedded engine and one Prefect test harness."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")


@pytest.fixture(scope="session")
def embedded_engine():
    """The real llama.cpp engine with the packaged Gemma 3 270M GGUF, loaded once."""
    from datagen.generators.engines import open_engine

    return open_engine("embedded")


@pytest.fixture(scope="session")
def prefect_harness():
    """A temporary Prefect API for flows run in this process (about 20 s to start)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield
