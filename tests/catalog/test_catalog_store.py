"""Where the store is, and what its staging folders carry."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from datagen.catalog import Store


@pytest.mark.parametrize(
    ("argument", "env", "expected"),
    [
        ("given", "from-env", "given"),
        (None, "from-env", "from-env"),
        (None, None, "datagen-store"),
        (None, "", "datagen-store"),  # an empty variable is unset, not the current folder
    ],
)
def test_resolve_precedence(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, argument, env, expected
) -> None:
    monkeypatch.chdir(tmp_path)
    if env is None:
        monkeypatch.delenv("DATAGEN_STORE", raising=False)
    else:
        monkeypatch.setenv("DATAGEN_STORE", env)
    store = Store.resolve(argument)
    assert store.root == tmp_path / expected
    assert store.root.is_absolute()


def test_layout(tmp_path: Path) -> None:
    store = Store.resolve(tmp_path)
    assert store.catalog_path == tmp_path / "catalog.duckdb"
    assert store.version_dir("toolpref-pairwise", 3) == tmp_path / "toolpref-pairwise" / "3"
    assert store.work_dir == tmp_path / "_work"


def test_staging_dirs_are_fresh_and_marked_with_this_process(tmp_path: Path) -> None:
    store = Store.resolve(tmp_path)
    first, second = store.staging_dir(), store.staging_dir()
    assert first != second
    assert first.parent == second.parent == tmp_path / "_staging"
    pid, host = (first / "pid").read_text().split()
    assert int(pid) == os.getpid()
    assert host == os.uname().nodename
