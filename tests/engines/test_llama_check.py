"""The embedded engine's start-up self-check: a library that dies by a signal is a clear error.

The broken library is a real shared object named ``libllama.so`` whose load-time constructor
raises SIGILL, as a build for another CPU does on its first instruction this CPU lacks; it is
pointed at through ``LLAMA_CPP_LIB_PATH``, so the venv is never touched. Verdicts go to a
private cache folder per test.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from datagen.generators.engines import EngineError
from datagen.generators.engines.embedded import EmbeddedEngine, default_model_path
from datagen.generators.engines.llama_check import check_key, ensure_library_runs, library_dir

SIGNAL_AT_LOAD = """
#include <signal.h>
__attribute__((constructor)) static void built_for_another_cpu(void) {{ raise({signal}); }}
"""


@pytest.fixture
def verdicts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private cache folder, so every test starts with no remembered verdict."""
    monkeypatch.setenv("DATAGEN_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache" / "llama-check"


def _library_dying_by(signal: str, folder: Path) -> Path:
    folder.mkdir()
    source = folder / "dies.c"
    source.write_text(SIGNAL_AT_LOAD.format(signal=signal))
    subprocess.run(
        ["gcc", "-shared", "-fPIC", "-o", str(folder / "libllama.so"), str(source)], check=True
    )
    source.unlink()
    return folder


def test_a_library_killed_by_sigill_is_a_clear_error_and_is_remembered(
    tmp_path: Path, verdicts: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = _library_dying_by("SIGILL", tmp_path / "broken-lib")
    monkeypatch.setenv("LLAMA_CPP_LIB_PATH", str(broken))

    with pytest.raises(EngineError) as first:
        EmbeddedEngine(model_path=default_model_path(), n_threads=1)
    message = str(first.value)
    assert "killed by SIGILL (illegal instruction)" in message
    assert str(broken) in message and "checked just now" in message
    assert "scripts/setup" in message and "LLAMA_CPP_LIB_PATH" in message
    (remembered,) = verdicts.glob("*.json")
    assert json.loads(remembered.read_text())["ok"] is False

    with pytest.raises(EngineError, match="remembered from a check at"):
        EmbeddedEngine(model_path=default_model_path(), n_threads=1)


def test_a_library_that_is_no_library_is_reported_but_checked_again(
    tmp_path: Path, verdicts: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = tmp_path / "not-a-library"
    broken.mkdir()
    (broken / "libllama.so").write_text("not an ELF file")
    monkeypatch.setenv("LLAMA_CPP_LIB_PATH", str(broken))

    with pytest.raises(EngineError, match="exited with status 1"):
        ensure_library_runs(default_model_path(), threads=1)
    assert not list(verdicts.glob("*.json")), "a failure without a fault may pass: not kept"


def test_a_kill_from_outside_is_reported_but_checked_again(
    tmp_path: Path, verdicts: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    killed = _library_dying_by("SIGKILL", tmp_path / "killed-lib")  # as the OOM killer does
    monkeypatch.setenv("LLAMA_CPP_LIB_PATH", str(killed))

    with pytest.raises(EngineError, match="killed by SIGKILL"):
        ensure_library_runs(default_model_path(), threads=1)
    assert not list(verdicts.glob("*.json")), "SIGKILL says nothing about the build: not kept"


def test_the_installed_library_passes_and_its_verdict_is_kept(
    verdicts: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LLAMA_CPP_LIB_PATH", raising=False)
    verdict = ensure_library_runs(default_model_path(), threads=2)
    assert verdict.ok and verdict.detail.startswith("generated")
    (remembered,) = verdicts.glob("*.json")
    assert remembered.stem == check_key(library_dir())
    assert json.loads(remembered.read_text())["ok"] is True


def test_the_key_follows_the_library_files(tmp_path: Path) -> None:
    folder = tmp_path / "lib"
    shutil.copytree(library_dir(), folder)
    before = check_key(folder)
    assert check_key(folder) == before
    with (folder / "libllama.so").open("ab") as library:
        library.write(b"\0")
    assert check_key(folder) != before


def test_a_folder_without_a_library_is_refused(tmp_path: Path) -> None:
    with pytest.raises(EngineError, match=r"no llama.cpp library \(\*.so\)"):
        check_key(tmp_path)
