"""One real ToolPref run through the CLI, shared by the end-to-end tests.

Generation on the embedded model is the expensive part of these tests, so the reference run
happens once per session; the resume and concurrency tests compare against it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"
SOURCE = DATA / "tools_openai.jsonl"
RUN_ARGS = ["--source", str(SOURCE), "--samples", "3", "--shard-size", "2", "--max-tokens", "64"]


def datagen(
    *args: str, store: Path, check: bool = True, timeout: float = 900
) -> subprocess.CompletedProcess:
    """Run the real ``datagen`` command line in a fresh process."""
    env = os.environ | {"DATAGEN_STORE": str(store)}
    done = subprocess.run(
        [sys.executable, "-m", "datagen.flows.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if check and done.returncode != 0:
        raise AssertionError(
            f"datagen {' '.join(args)} exited {done.returncode}:\n{done.stderr[-3000:]}"
        )
    return done


@pytest.fixture(scope="session")
def reference_run(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:
    """One uninterrupted run into a fresh store: the store and what the command printed."""
    store = tmp_path_factory.mktemp("reference-store")
    return store, datagen("run", "toolpref", *RUN_ARGS, store=store)


@pytest.fixture(scope="session")
def reference_store(reference_run: tuple[Path, subprocess.CompletedProcess]) -> Path:
    """A store holding ``toolpref-pairwise@1`` from one uninterrupted run."""
    return reference_run[0]


@pytest.fixture
def copied_store(reference_store: Path, tmp_path: Path) -> Path:
    """A private copy of the reference store (work cache included)."""
    copy = tmp_path / "store"
    shutil.copytree(reference_store, copy)
    return copy
