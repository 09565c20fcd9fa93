"""Each observer analyses a clip once: analyses kept per (tool, version, parameters, media sha256).

An analysis is a JSON-like dict. It is kept in memory (the most recent ``max_entries``) and, with
a folder, on disk as ``<folder>/<tool>/<sha256[:2]>/<key>.json`` (written to a temporary name and
renamed), so another process or a rerun answers from it too. Analyses that fail are not kept: a
corrupt file fails again, quickly, and a program installed since is used.

One analysis of a key runs at a time: a second asker waits for the first. ``start`` runs one in
a daemon thread, at most ``workers`` at once, and returns its future, so an observer can stop
waiting at its deadline while the analysis goes on and is kept for the next question; ``get``
computes one in the caller's thread (an analysis that needs another, OCR needing the cuts, calls
``get``). Only a thread that holds a worker slot, or runs inside one that does, computes, so an
asker never waits on an analysis that waits for its slot.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections import Counter, OrderedDict
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import Any

Analysis = dict[str, Any]


def analysis_key(tool: str, version: int, params: dict[str, Any], media_sha256: str) -> str:
    """``<sha256>-<tool>-<hash of the version and parameters>``."""
    settings = json.dumps({"version": version, "params": params}, sort_keys=True)
    return f"{media_sha256}-{tool}-{hashlib.sha256(settings.encode()).hexdigest()[:16]}"


class AnalysisCache:
    """Analyses in memory and, with ``folder``, on disk; ``computed`` counts the analyses run."""

    def __init__(
        self, folder: Path | str | None = None, *, workers: int = 2, max_entries: int = 256
    ) -> None:
        if workers < 1 or max_entries < 1:
            raise ValueError(
                f"workers and max_entries must be positive, got {workers}, {max_entries}"
            )
        self.folder = Path(folder) if folder is not None else None
        self.max_entries = max_entries
        self.computed: Counter[str] = Counter()
        """Analyses run, per tool (a cached one is not counted)."""
        self.loaded: Counter[str] = Counter()
        """Analyses read from the folder, per tool."""
        self._memory: OrderedDict[str, Analysis] = OrderedDict()
        self._owners: dict[str, Future] = {}
        self._started: dict[str, Future] = {}
        self._lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(workers)

    def get(
        self, tool: str, key: str, compute: Callable[[], Analysis], *, persist: bool = True
    ) -> Analysis:
        """The analysis of ``key``: kept, or being made by another thread (waited for), or made
        here by ``compute``; ``persist`` false keeps it in memory only."""
        with self._lock:
            if key in self._memory:
                self._memory.move_to_end(key)
                return self._memory[key]
            owner = self._owners.get(key)
            if owner is None:
                mine: Future = Future()
                self._owners[key] = mine
        if owner is not None:
            return owner.result()
        try:
            value = self._read(tool, key) if persist else None
            if value is None:
                value = compute()
                with self._lock:
                    self.computed[tool] += 1
                if persist:
                    self._write(tool, key, value)
        except BaseException as exc:
            with self._lock:
                del self._owners[key]
            mine.set_exception(exc)
            raise
        with self._lock:
            self._memory[key] = value
            while len(self._memory) > self.max_entries:
                self._memory.popitem(last=False)
            del self._owners[key]
        mine.set_result(value)
        return value

    def start(
        self, tool: str, key: str, compute: Callable[[], Analysis], *, persist: bool = True
    ) -> Future:
        """The future analysis of ``key``, made in a daemon thread once a worker slot is free."""
        with self._lock:
            if key in self._memory:
                done: Future = Future()
                done.set_result(self._memory[key])
                return done
            if key in self._started:
                return self._started[key]
            future: Future = Future()
            self._started[key] = future
        thread = threading.Thread(
            target=self._background,
            args=(tool, key, compute, persist, future),
            daemon=True,
            name=f"observer-{tool}",
        )
        thread.start()
        return future

    def _background(
        self, tool: str, key: str, compute: Callable[[], Analysis], persist: bool, future: Future
    ) -> None:
        try:
            with self._slots:
                value = self.get(tool, key, compute, persist=persist)
        except BaseException as exc:  # the asker observes it
            future.set_exception(exc)
        else:
            future.set_result(value)
        finally:
            with self._lock:
                self._started.pop(key, None)

    def _path(self, tool: str, key: str) -> Path | None:
        """Where ``key`` is kept on disk (two hex digits of fan-out), or ``None`` in memory only."""
        return None if self.folder is None else self.folder / tool / key[:2] / f"{key}.json"

    def _read(self, tool: str, key: str) -> Analysis | None:
        path = self._path(tool, key)
        if path is None or not path.is_file():
            return None
        try:
            value = json.loads(path.read_text())["analysis"]
        except (OSError, ValueError, KeyError, TypeError):
            return None  # a damaged entry is made again
        with self._lock:
            self.loaded[tool] += 1
        return value

    def _write(self, tool: str, key: str, value: Analysis) -> None:
        path = self._path(tool, key)
        if path is None:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        temporary.write_text(json.dumps({"tool": tool, "key": key, "analysis": value}))
        os.replace(temporary, path)
