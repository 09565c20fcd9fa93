"""What every dataset's source does: read a file the user named, and keep the first N records.

A source that cannot be read at all is a ``SourceError`` naming the file and what is wrong
(the command line prints that one line and exits 2); rows that are merely unusable are each
dataset reader's to quarantine.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from datagen.schemas.records import Record, SourceError, SourceRead, StageOutcome

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
