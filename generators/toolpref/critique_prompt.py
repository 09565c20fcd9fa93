"""The critique prompt: one user message in ToolRM's shape, built-in or from a template file.

ToolRM (arXiv 2510.26167) asks its critic, in a single user turn, for a task statement, the
conversation, the tools, two candidate responses written as Hermes ``<tool_call>`` blocks,
and an answer ``<evaluation>…</evaluation>`` then ``<choice>\\nN\\n</choice>``. Its released
data comes in a *think* variant (the critic may reason first) and a *no_think* one (it answers
at once); for Qwen3-style chat templates the no-think prompt ends with the ``/no_think``
switch, which those templates read as "skip the thinking block".

A template file is plain text with these placeholders, each replaced by its rendering:

- ``{conversation}``: the chat before the judged turn, a ``[role]`` header per message and
  earlier calls as ``<tool_call>`` blocks;
- ``{tools}``: the functions, one JSON object per line (Hermes' ``<tools>`` body, no tags);
- ``{response_1}``, ``{response_2}``: the two candidates, calls as ``<tool_call>`` blocks, a
  reply that is not calls as its text.

All four must appear. Other braces (JSON examples, say) are left as written; a
``{word}`` that is not a placeholder is an error, so a typo is caught before the run.
"""

from __future__ import annotations

import contextlib
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

from datagen.generators.toolpref.prompts import parse_calls

PLACEHOLDERS = ("conversation", "tools", "response_1", "response_2")
NO_THINK_SWITCH = " /no_think"
"""Appended to a no-think prompt: Qwen3's chat templates turn thinking off on seeing it."""

_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")

_TASK = (
    "You are an expert judge of tool use. Below is a conversation between a user and an "
    "assistant that can call functions, the functions it may call, and two candidate "
    "responses for the assistant's next turn. Decide which response is better: the one that "
    "calls the right functions with correct argument values taken from the conversation (or, "
    "when no call fits, answers without calling), with no invented values, missing or "
    "redundant calls, or needless questions to the user.\n\n"
    "# Conversation\n{conversation}\n\n"
    "# Available functions\n<tools>\n{tools}\n</tools>\n\n"
    "# Response 1\n{response_1}\n\n"
    "# Response 2\n{response_2}\n\n"
)
_ANSWER_FORMAT = (
    "explain your judgement inside <evaluation></evaluation>, then give the number of the "
    "better response inside <choice></choice>, on its own line:\n"
    "<evaluation>...</evaluation>\n<choice>\n1 or 2\n</choice>"
)
BUILTIN_TEMPLATES = {
    "think": _TASK + "Think it through as much as you need; then " + _ANSWER_FORMAT,
    "no_think": _TASK + "Answer at once, without reasoning first: " + _ANSWER_FORMAT,
}
"""The prompt of each mode when no template file is given."""


class TemplateError(ValueError):
    """A template file that cannot make a critique prompt, with what to fix."""


@cache
def load_template(path: str) -> str:
    """The checked text of a template file (read once per process: a run uses one text).

    Raises ``TemplateError`` naming the file and the unknown or missing placeholders.
    """
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise TemplateError(f"cannot read prompt template {path}: {exc}") from None
    found = set(_PLACEHOLDER.findall(text))
    if unknown := sorted(found - set(PLACEHOLDERS)):
        raise TemplateError(
            f"prompt template {path} has unknown placeholders "
            f"{', '.join('{' + name + '}' for name in unknown)}; known: {_known()}"
        )
    if missing := [name for name in PLACEHOLDERS if name not in found]:
        raise TemplateError(
            f"prompt template {path} lacks {', '.join('{' + name + '}' for name in missing)}; "
            f"a critique prompt needs all of {_known()}"
        )
    return text


def _known() -> str:
    return ", ".join("{" + name + "}" for name in PLACEHOLDERS)


def fill_template(template: str, values: dict[str, str]) -> str:
    """``template`` with each placeholder replaced in one pass (a response that contains
    ``{tools}`` is not expanded again)."""
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), template)


def plain_call(call: dict[str, Any]) -> dict[str, Any]:
    """An OpenAI-style ``tool_calls`` entry as ``{"name", "arguments"}``, arguments decoded from
    JSON text when they parse (else kept as written)."""
    function = call.get("function") or {}
    arguments = function.get("arguments")
    if isinstance(arguments, str):
        with contextlib.suppress(json.JSONDecodeError):  # else keep the text as written
            arguments = json.loads(arguments)
    return {"name": function.get("name"), "arguments": arguments}


def tool_call_blocks(calls: list[Any]) -> str:
    """Calls as Hermes blocks, ``<tool_call>\\n{"name": ..., "arguments": ...}\\n</tool_call>``."""
    return "\n".join(
        f"<tool_call>\n{json.dumps(call, ensure_ascii=False)}\n</tool_call>" for call in calls
    )


def render_response(text: str) -> str:
    """A candidate as the critic sees it: its calls as ``<tool_call>`` blocks, an empty call
    list as a plain statement, and text that is not calls as the text itself."""
    calls = parse_calls(text).calls
    if calls is None or not all(isinstance(call, dict) for call in calls):
        return text
    if not calls:
        return "(The response calls no function.)"
    return tool_call_blocks(
        [{"name": c.get("name"), "arguments": c.get("arguments")} for c in calls]
    )


def render_conversation(messages: list[dict[str, Any]]) -> str:
    """The chat as ``[role]`` blocks; an assistant's calls follow its text as ``<tool_call>``
    blocks, the form the responses are shown in."""
    blocks = []
    for message in messages:
        content = message.get("content") or ""
        if message.get("tool_calls"):
            calls = tool_call_blocks([plain_call(call) for call in message["tool_calls"]])
            content = f"{content}\n{calls}" if content else calls
        blocks.append(f"[{message.get('role', 'unknown')}]\n{content}")
    return "\n\n".join(blocks)


def render_tools(tools: list[dict[str, Any]]) -> str:
    """One function per line, in Hermes' ``{"type": "function", "function": ...}`` form."""
    return "\n".join(
        json.dumps({"type": "function", "function": tool}, ensure_ascii=False) for tool in tools
    )
