"""The JSON-lines reading that every ``datagen verify`` command shares."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any


def decoded_lines(lines: Iterable[str]) -> Iterator[tuple[int, Any, str | None]]:
    """``(line number, value, None)`` for each non-blank line, or ``(line number, None,
    "invalid JSON: ...")`` for one that is not JSON: a bad line is answered, never fatal."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            yield number, json.loads(line), None
        except json.JSONDecodeError as exc:
            yield number, None, f"invalid JSON: {exc}"
