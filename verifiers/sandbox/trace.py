"""A bounded line trace of the untrusted code: which lines ran, with which locals.

Code-execution reasoning data (TeaR) wants the steps a program took, not only its answer.
``sys.settrace`` sees every line of every frame whose code came from the job (file name
``CODE_FILENAME``); library frames are skipped. Each step keeps the line number and a short
``repr`` of every local, so a step's size is bounded, and the trace stops after
``max_steps`` steps, so its length is too.
"""

from __future__ import annotations

import reprlib
import sys
from types import FrameType
from typing import Any

CODE_FILENAME = "<sandbox>"

_short = reprlib.Repr()
_short.maxstring = 80
_short.maxother = 80
_short.maxlist = _short.maxtuple = _short.maxset = _short.maxdict = 10


class LineTracer:
    """Records ``{"line": n, "locals": {name: repr}}`` per executed line of the job's code."""

    def __init__(self, *, max_steps: int):
        self.max_steps = max_steps
        self.steps: list[dict[str, Any]] = []
        self.truncated = False

    def __enter__(self) -> LineTracer:
        sys.settrace(self._on_call)
        return self

    def __exit__(self, *exc_info: object) -> None:
        sys.settrace(None)

    def _on_call(self, frame: FrameType, event: str, arg: object):
        if frame.f_code.co_filename != CODE_FILENAME or self.truncated:
            return None
        return self._on_line

    def _on_line(self, frame: FrameType, event: str, arg: object):
        if event != "line":
            return self._on_line
        if len(self.steps) >= self.max_steps:
            self.truncated = True
            sys.settrace(None)
            return None
        local_reprs = {name: _safe_repr(value) for name, value in frame.f_locals.items()}
        self.steps.append({"line": frame.f_lineno, "locals": local_reprs})
        return self._on_line


def _safe_repr(value: object) -> str:
    try:
        return _short.repr(value)
    except Exception as exc:  # a user-defined __repr__ may raise anything
        return f"<repr failed: {type(exc).__name__}>"
