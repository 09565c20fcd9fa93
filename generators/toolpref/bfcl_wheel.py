"""BFCL's data, read straight from the pinned ``bfcl-eval`` wheel.

bfcl-eval is never installed or imported: its checker imports every vendor SDK and pins old
packages. The wheel is fetched once with ``pip download --no-deps`` into datagen's cache and
its JSON files are read from the zip.
"""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

from filelock import FileLock

from datagen.generators.cache import cache_dir

BFCL_VERSION = "2026.3.23"
BFCL_LICENSE = "Apache-2.0"
BFCL_PACKAGE = "bfcl-eval"
WHEEL_NAME = f"bfcl_eval-{BFCL_VERSION}-py3-none-any.whl"
DATA_PREFIX = "bfcl_eval/data/"


def bfcl_wheel() -> Path:
    """The pinned wheel's path, downloaded on first use (under a lock: runs may race)."""
    folder = cache_dir() / "wheels"
    folder.mkdir(parents=True, exist_ok=True)
    wheel = folder / WHEEL_NAME
    with FileLock(str(folder / ".bfcl.lock")):
        if not wheel.exists():
            command = [
                sys.executable, "-m", "pip", "download", "--no-deps", "--quiet",
                "--dest", str(folder), f"{BFCL_PACKAGE}=={BFCL_VERSION}",
            ]  # fmt: skip
            done = subprocess.run(command, capture_output=True, text=True, check=False)
            if done.returncode != 0 or not wheel.exists():
                raise RuntimeError(
                    f"could not download {BFCL_PACKAGE}=={BFCL_VERSION} with pip "
                    f"(is PyPI reachable?): {done.stderr.strip()[-500:]}"
                )
    return wheel


def read_jsonl(member: str, wheel: Path | None = None) -> Iterator[dict]:
    """Yield the JSON lines of ``bfcl_eval/data/<member>`` from the wheel."""
    with (
        zipfile.ZipFile(wheel or bfcl_wheel()) as archive,
        archive.open(DATA_PREFIX + member) as handle,
    ):
        for line in handle:
            if line.strip():
                yield json.loads(line)


def read_category(category: str, wheel: Path | None = None) -> list[tuple[dict, dict]]:
    """``(question_row, possible_answer_row)`` pairs of one BFCL v4 category, joined on id."""
    name = f"BFCL_v4_{category}.json"
    answers = {row["id"]: row for row in read_jsonl(f"possible_answer/{name}", wheel)}
    return [(row, answers[row["id"]]) for row in read_jsonl(name, wheel) if row["id"] in answers]
