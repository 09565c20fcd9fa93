"""Progress of long work (generation, verification), reported to whoever listens.

Engines and stage functions call ``expect``/``advance``; nothing listens by default. The CLI
subscribes a rich progress bar, so plain library use and tests stay silent.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

Listener = Callable[[str, int, int], None]
"""``(label, newly_expected, newly_done)``: totals grow as shards start, done as work ends."""

_listeners: list[Listener] = []
_lock = threading.Lock()


@contextmanager
def listening(listener: Listener) -> Iterator[None]:
    with _lock:
        _listeners.append(listener)
    try:
        yield
    finally:
        with _lock:
            _listeners.remove(listener)


def expect(label: str, count: int) -> None:
    """Announce ``count`` more units of work under ``label``."""
    _notify(label, count, 0)


def advance(label: str, count: int = 1) -> None:
    """Mark ``count`` units of ``label`` as done."""
    _notify(label, 0, count)


def _notify(label: str, expected: int, done: int) -> None:
    for listener in list(_listeners):
        listener(label, expected, done)
