"""The row layouts ToolPref reads, by name, and how one row tells which it is in.

``LAYOUTS`` maps a layout's name (the values of ``--source-format``) to its row reader: a
row in, its conversations out as ``(OpenAI messages, tools)``. ``row_layout`` reads a layout
off one row's fields, or says ``None`` when the row alone cannot tell.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from datagen.generators.toolpref.formats import MalformedRow, hermes_conversation, row_format
from datagen.generators.toolpref.layouts import (
    Conversation,
    read_apigen_mt,
    read_glaive,
    read_toolace,
    read_xlam,
)
from datagen.generators.toolpref.layouts_experimental import (
    read_button,
    read_complexfuncbench,
    read_toolalpaca,
)

Layout = Literal[
    "openai",
    "hermes",
    "xlam",
    "apigen_mt",
    "glaive",
    "toolace",
    "toolalpaca",
    "button",
    "complexfuncbench",
]
EXPERIMENTAL: tuple[Layout, ...] = ("toolalpaca", "button", "complexfuncbench")
"""Written from the datasets' cards, not checked on released rows (see layouts_experimental)."""


def read_openai(row: dict[str, Any]) -> list[Conversation]:
    """``{"messages": [...], "tools": [...]}`` as it is."""
    if missing := [key for key in ("messages", "tools") if key not in row]:
        raise MalformedRow("missing_field", ", ".join(missing))
    return [(row["messages"], row["tools"])]


def read_hermes(row: dict[str, Any]) -> list[Conversation]:
    """Hermes function calling (``formats.hermes_conversation``)."""
    messages, tools = hermes_conversation(row)
    return [(messages, tools)]  # type: ignore[list-item]  # tools are checked by segmentation


LAYOUTS: dict[str, Callable[[dict[str, Any]], list[Conversation]]] = {
    "openai": read_openai,
    "hermes": read_hermes,
    "xlam": read_xlam,
    "apigen_mt": read_apigen_mt,
    "glaive": read_glaive,
    "toolace": read_toolace,
    "toolalpaca": read_toolalpaca,
    "button": read_button,
    "complexfuncbench": read_complexfuncbench,
}


def row_layout(row: object) -> Layout | None:
    """The layout one row's fields say it is in, or ``None``."""
    if not isinstance(row, dict):
        return None
    if {"query", "tools", "answers"} <= row.keys():
        return "xlam"
    if isinstance(row.get("chat"), str) and isinstance(row.get("system"), str):
        return "glaive"
    if isinstance(row.get("Instances"), list) and "Function_Description" in row:
        return "toolalpaca"
    turns = row.get("conversations")
    if isinstance(turns, list) and turns and all(isinstance(t, dict) for t in turns):
        if "functions" in row and all("role" in t for t in turns):
            return "complexfuncbench"
        senders = {t.get("from") for t in turns}
        if senders & {"function_call", "observation"}:
            return "apigen_mt"
        if (
            isinstance(row.get("system"), str)
            and "assistant" in senders
            and not any("<tool_call>" in str(t.get("value")) for t in turns)
        ):
            return "toolace"
    messages = row.get("messages", turns)
    if (
        "tools" in row
        and isinstance(messages, list)
        and any(
            isinstance(m, dict) and (m.get("role") == "function" or m.get("function_call"))
            for m in messages
        )
    ):
        return "button"
    return row_format(row)
