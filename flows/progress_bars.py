"""Rich progress bars for the CLI, fed by ``datagen.generators.progress``."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from datagen.generators import progress


@contextmanager
def progress_bars(console: Console) -> Iterator[None]:
    """Show one bar per progress label (e.g. ``generate``) while the block runs.

    The display starts with the first label: a run that fails before any progress (a source
    that cannot be read) leaves no empty line above its error.
    """
    bars = Progress(
        TextColumn("{task.description:>10}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
    )
    ids: dict[str, TaskID] = {}
    lock = threading.Lock()

    def listener(label: str, expected: int, done: int) -> None:
        with lock:
            if not ids:
                bars.start()
            if label not in ids:
                ids[label] = bars.add_task(label, total=0)
            task = ids[label]
            total = (bars.tasks[task].total or 0) + expected
            bars.update(task, total=total, advance=done)

    try:
        with progress.listening(listener):
            yield
    finally:
        with lock:
            if ids:
                bars.stop()
