"""Sources that cannot be read at all: one clear ``SourceError`` per case, for every reader;
``datagen run`` turns it into one line and exit status 2. And the shared ``source_stage``."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from datagen.generators.sources import source_stage
from datagen.generators.tear.seeds import read_topics
from datagen.generators.tear.sources import read_functions
from datagen.generators.toolpref.sources import read_source
from datagen.schemas.records import Quarantined, SourceError, SourceRead

BAD_FILES: dict[str, tuple[bytes | None, str]] = {
    # name: (content, or None for no file; what the message says)
    "missing": (None, "no such file"),
    "empty": (b"", "the file is empty"),
    "blank": (b"\n  \n", "the file is empty"),
    "not-json": (b"just some words\nand more\n", r"no line is JSON \(line 1: Expecting value"),
    "not-utf8": (b'{"a": "\xff\xfe"}\n', r"not UTF-8 text \(byte 0xff at offset 7\)"),
    "truncated": (b'{"messages": [{"role": "user"', r"no line is JSON \(line 1: Expecting"),
}
SHAPES: dict[str, tuple[Callable[[Path], object], str]] = {
    "toolpref": (lambda p: read_source(str(p)), "is a tool-calling chat"),
    "tear": (lambda p: read_functions(str(p), inputs_per_function=3), "is a function JSONL"),
}
READERS: dict[str, Callable[[Path], object]] = {
    "toolpref": lambda p: read_source(str(p)),
    "tear": lambda p: read_functions(str(p), inputs_per_function=3),
    "tear-topics": read_topics,
}


def _write(folder: Path, name: str, content: bytes | None) -> Path:
    path = folder / f"{name}.jsonl"
    if content is not None:
        path.write_bytes(content)
    return path


PLAIN_TEXT = {"not-json", "truncated"}
"""Not errors for a topic file, which is plain text: any line is a topic."""
CASES = [
    (reader, case)
    for reader in sorted(READERS)
    for case in sorted(BAD_FILES)
    if not (reader == "tear-topics" and case in PLAIN_TEXT)
]


@pytest.mark.parametrize(("reader", "case"), CASES)
def test_an_unreadable_source_is_a_source_error_naming_the_file(
    tmp_path: Path, reader: str, case: str
) -> None:
    content, message = BAD_FILES[case]
    path = _write(tmp_path, case, content)
    with pytest.raises(SourceError, match=message) as raised:
        READERS[reader](path)
    assert str(raised.value).startswith(f"{path}: ")


@pytest.mark.parametrize("reader", sorted(SHAPES))
@pytest.mark.parametrize("rows", [b"[1, 2, 3]\n", b'{"foo": 1}\n{"bar": 2}\n', b'"a string"\n'])
def test_rows_of_another_shape_are_a_source_error(tmp_path: Path, reader: str, rows: bytes) -> None:
    read, message = SHAPES[reader]
    path = _write(tmp_path, "shape", rows)
    with pytest.raises(SourceError, match=message):
        read(path)


def test_a_source_with_some_bad_rows_quarantines_them_and_goes_on(tmp_path: Path) -> None:
    good = '{"code": "def f(x):\\n    return x\\n", "entry_point": "f", "inputs": [[1]]}'
    path = _write(tmp_path, "mixed", f'{good}\nnot json\n{{"code": 3}}\n'.encode())
    read = read_functions(str(path), inputs_per_function=3)
    assert len(read.records) == 1
    assert [r.reason.split(":")[0] for r in read.rejects] == ["invalid_json", "missing_code"]


RUNS = {
    "toolpref": ["run", "toolpref", "--engine", "fake:toolpref"],
    "tear": ["run", "tear", "--engine", "fake:tear"],
}


@pytest.mark.parametrize("dataset", sorted(RUNS))
def test_datagen_run_prints_one_line_and_exits_2(tmp_path: Path, dataset: str) -> None:
    path = _write(tmp_path, "bytes", b"\xff\xfe")
    done = subprocess.run(
        [sys.executable, "-m", "datagen.flows.cli", *RUNS[dataset], "--source", str(path)],
        env=os.environ | {"DATAGEN_STORE": str(tmp_path / "store")},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 2, done.stderr[-3000:]
    expected = f"error: cannot read the source: {path}: not UTF-8 text (byte 0xff at offset 0)"
    assert done.stderr.strip() == expected
    assert "Traceback" not in done.stdout + done.stderr


def _read(*names: str, rejects: int = 0) -> SourceRead:
    records = [{"id": name, "group": name[0]} for name in names]
    bad = [Quarantined(f"bad{i}", "invalid_json: x", {}) for i in range(rejects)]
    return SourceRead(records, bad, {})


@pytest.mark.parametrize(
    ("limit", "kept", "filtered"), [(None, 4, 0), (0, 0, 4), (2, 2, 2), (9, 4, 0)]
)
def test_source_stage_keeps_the_first_limit_records_and_counts_the_rest(
    limit: int | None, kept: int, filtered: int
) -> None:
    outcome = source_stage(_read("a1", "b1", "a2", "b2", rejects=1), limit=limit)
    assert [r["id"] for r in outcome.records] == ["a1", "b1", "a2", "b2"][:kept]
    assert (outcome.n_in, outcome.n_filtered, len(outcome.quarantined)) == (5, filtered, 1)


def test_source_stage_orders_before_it_limits() -> None:
    by_group = lambda records: sorted(records, key=lambda r: r["group"])  # noqa: E731
    outcome = source_stage(_read("b1", "a1", "b2", "a2"), limit=2, order=by_group)
    assert [r["id"] for r in outcome.records] == ["a1", "a2"]


def test_source_stage_refuses_a_negative_limit() -> None:
    with pytest.raises(ValueError, match=re.escape("limit must be >= 0 or None, got -1")):
        source_stage(_read("a"), limit=-1)
