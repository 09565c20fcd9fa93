"""Chat rows with tool calls, in the shapes users bring, cut into ToolPref task records.

Two row shapes are read:

- OpenAI chat: ``{"messages": [...], "tools": [{"type": "function", "function": {...}}]}``,
  assistant turns carrying ``tool_calls`` whose ``arguments`` are JSON text or an object.
- Hermes function calling (NousResearch hermes-function-calling-v1): ShareGPT
  ``{"conversations": [{"from": "system"|"human"|"gpt"|"tool", "value": ...}]}`` with the tools
  in the system prompt's ``<tools>...</tools>`` block (or a row-level ``"tools"``), or
  ``{"messages": [...], "tools": [...]}``; calls are ``<tool_call>{...}</tool_call>`` blocks in
  the assistant text and results ``<tool_response>...</tool_response>`` blocks. The v1 data
  writes many of these blocks as Python literals (``{'name': ..., 'arguments': {...}}``,
  ``True``), so a block is read as JSON first and as a Python literal second.

Both shapes are first turned into OpenAI messages; ``segment.segment`` then cuts them into
tasks (``segment_conversation`` here: one per tool-calling assistant turn). A row that cannot
be read raises ``MalformedRow`` with a stable snake_case reason, which the readers turn into a
reject instead of stopping the run.
"""

from __future__ import annotations

import ast
import json
import re
from typing import Any, Literal

Format = Literal["openai", "hermes"]

# OpenAI's "developer" role is its newer name for "system"; the task schema knows four roles.
ROLES = {
    "system": "system",
    "developer": "system",
    "user": "user",
    "assistant": "assistant",
    "tool": "tool",
}
HERMES_ROLES = {
    "system": "system",
    "human": "user",
    "user": "user",
    "gpt": "assistant",
    "assistant": "assistant",
    "tool": "tool",
}

TOOL_CALL = re.compile(r"<tool_call>(.*?)</tool_call>", re.DOTALL)
TOOL_RESPONSE = re.compile(r"<tool_response>(.*?)</tool_response>", re.DOTALL)
TOOLS_BLOCK = re.compile(r"<tools>(.*?)</tools>", re.DOTALL)


class MalformedRow(ValueError):
    """A row that cannot become tasks; ``reason`` is a stable snake_case code."""

    def __init__(self, reason: str, detail: str = "") -> None:
        self.reason = reason
        super().__init__(f"{reason}: {detail}" if detail else reason)


def row_format(row: object) -> Format | None:
    """The shape one row is in, or ``None`` when this row alone cannot tell."""
    if not isinstance(row, dict):
        return None
    if isinstance(row.get("conversations"), list):
        return "hermes"
    messages = row.get("messages")
    for message in messages if isinstance(messages, list) else ():
        if not isinstance(message, dict) or message.get("role") != "assistant":
            continue
        if message.get("tool_calls"):
            return "openai"
        if "<tool_call>" in str(message.get("content") or ""):
            return "hermes"
    return None


def infer_category(n_calls: int, n_tools: int) -> str:
    """BFCL's category rule, so file tasks balance like BFCL's own categories."""
    if n_calls > 1 and n_tools > 1:
        return "parallel_multiple"
    if n_calls > 1:
        return "parallel"
    return "multiple" if n_tools > 1 else "simple"


def function_docs(tools: object) -> list[dict[str, Any]]:
    """BFCL-shaped function docs from OpenAI tools or bare docs (JSON text accepted).

    Parameter schemas keep the source's types (``object`` or BFCL's ``dict``); only missing
    ``type``/``properties``/``required`` are filled so every doc has BFCL's keys.
    """
    if isinstance(tools, str):
        tools = _literal(tools, "invalid_tools", "tools")
    if not isinstance(tools, list):
        raise MalformedRow("invalid_tools", f"tools is {type(tools).__name__}, not a list")
    if not tools:
        raise MalformedRow("empty_tools")
    docs = [_function_doc(tool) for tool in tools]
    names = [doc["name"] for doc in docs]
    if duplicates := sorted({name for name in names if names.count(name) > 1}):
        raise MalformedRow("duplicate_tool", ", ".join(duplicates))
    return docs


def _function_doc(tool: object) -> dict[str, Any]:
    if isinstance(tool, dict) and isinstance(tool.get("function"), dict):
        tool = tool["function"]
    if not isinstance(tool, dict) or not isinstance(tool.get("name"), str) or not tool["name"]:
        raise MalformedRow("invalid_tool", f"not a named function doc: {str(tool)[:80]}")
    parameters = tool.get("parameters")
    parameters = {} if parameters is None else parameters
    if not isinstance(parameters, dict):
        raise MalformedRow("invalid_tool", f"{tool['name']}: parameters is not an object")
    return {
        "name": tool["name"],
        "description": str(tool.get("description") or ""),
        "parameters": {"type": "object", "properties": {}, "required": [], **parameters},
    }


def check_calls_known(ground_truth: list[dict[str, Any]], tools: list[dict[str, Any]]) -> None:
    """Raise ``unknown_function`` when a ground-truth call names no function in ``tools``."""
    names = {tool.get("name") for tool in tools if isinstance(tool, dict)}
    for call in ground_truth:
        if not isinstance(call, dict) or len(call) != 1:
            raise MalformedRow("invalid_ground_truth", f"not a one-key call: {str(call)[:80]}")
        if (name := next(iter(call))) not in names:
            raise MalformedRow("unknown_function", name)


def segment_conversation(
    messages: object, tools: object, *, record_id: str, source: str | None = None
) -> list[dict[str, Any]]:
    """One task per assistant turn that calls tools, with every message before it as context
    (``segment.segment`` without ``every_turn``; a row none of whose turns is kept raises
    the first dropped turn's reason)."""
    from datagen.generators.toolpref.segment import segment  # segment builds on this module

    cut = segment(messages, tools, record_id=record_id, source=source)
    if not cut.tasks:
        code, _, detail = cut.drops[0].reason.partition(": ")
        raise MalformedRow(code, detail)
    return cut.tasks


def _chat_message(
    raw: object, index: int
) -> tuple[dict[str, Any], list[tuple[str, dict[str, Any]]]]:
    """An OpenAI message normalised, and its decoded ``(name, arguments)`` calls."""
    if not isinstance(raw, dict) or raw.get("role") not in ROLES:
        role = raw.get("role") if isinstance(raw, dict) else type(raw).__name__
        raise MalformedRow("invalid_message", f"message {index}: unknown role {role!r}")
    message: dict[str, Any] = {"role": ROLES[raw["role"]], "content": _text(raw, index)}
    calls = []
    if message["role"] == "assistant" and raw.get("tool_calls"):
        if not isinstance(raw["tool_calls"], list):
            raise MalformedRow("invalid_tool_call", f"message {index}: tool_calls is not a list")
        calls = [_decode_call(call, index) for call in raw["tool_calls"]]
        message["tool_calls"] = [
            {
                "id": str(call.get("id") or f"call_{index}_{n}"),
                "type": "function",
                "function": {"name": name, "arguments": json.dumps(args, ensure_ascii=False)},
            }
            for n, (call, (name, args)) in enumerate(zip(raw["tool_calls"], calls, strict=True))
        ]
    if message["role"] == "tool":
        message |= {key: str(raw[key]) for key in ("tool_call_id", "name") if raw.get(key)}
    return message, calls


def _text(raw: dict[str, Any], index: int) -> str:
    content = raw.get("content")
    if content is None or isinstance(content, str):
        return content or ""
    if isinstance(content, list) and all(
        isinstance(part, dict) and part.get("type") == "text" for part in content
    ):
        return "".join(str(part.get("text", "")) for part in content)
    raise MalformedRow("invalid_message", f"message {index}: content is not text")


def _decode_call(call: object, index: int) -> tuple[str, dict[str, Any]]:
    function = call.get("function") if isinstance(call, dict) else None
    if not isinstance(function, dict) or not isinstance(function.get("name"), str):
        raise MalformedRow("invalid_tool_call", f"message {index}: a call has no function name")
    name, arguments = function["name"], function.get("arguments")
    if isinstance(arguments, str):
        try:
            arguments = json.loads(arguments)
        except json.JSONDecodeError as error:
            raise MalformedRow("invalid_arguments", f"{name}: {error}") from None
    if not isinstance(arguments, dict):
        kind = type(arguments).__name__
        raise MalformedRow("invalid_arguments", f"{name}: arguments are {kind}, not an object")
    return name, arguments


def hermes_conversation(row: dict[str, Any]) -> tuple[list[dict[str, Any]], object]:
    """A Hermes row as ``(OpenAI messages, tools)``.

    Tools come from the row's ``"tools"`` if present, else from the last system message's
    ``<tools>`` block. System messages that declare tools are dropped from the context: they
    only wrap the tool list, which travels in the task's ``tools`` and is rendered by the
    prompt builder.
    """
    turns = _hermes_turns(row)
    tools: object = row.get("tools")
    messages: list[dict[str, Any]] = []
    pending: list[str] = []  # call ids awaiting a tool response, in call order
    for index, (role, text) in enumerate(turns):
        if role == "system" and (blocks := [b for b in TOOLS_BLOCK.findall(text) if b.strip()]):
            if "tools" not in row:
                tools = _tools_block(blocks[-1])
            continue
        if role == "assistant":
            content, calls = _hermes_calls(text, index)
            pending = [f"call_{index}_{n}" for n in range(len(calls))]
            message: dict[str, Any] = {"role": "assistant", "content": content}
            if calls:
                message["tool_calls"] = [
                    {"id": call_id, "type": "function", "function": call}
                    for call_id, call in zip(pending, calls, strict=True)
                ]
            messages.append(message)
        elif role == "tool":
            for result in TOOL_RESPONSE.findall(text) or [text]:
                message = {"role": "tool", "content": result.strip()}
                if pending:
                    message["tool_call_id"] = pending.pop(0)
                messages.append(message)
        else:
            messages.append({"role": role, "content": text})
    if tools is None:
        raise MalformedRow(
            "missing_tools", 'no "tools" field and no <tools> block in a system turn'
        )
    return messages, tools


def _hermes_turns(row: dict[str, Any]) -> list[tuple[str, str]]:
    """``(role, text)`` of each turn, from ShareGPT ``conversations`` or chat ``messages``."""
    if isinstance(row.get("conversations"), list):
        items, role_key, text_key = row["conversations"], "from", "value"
    elif isinstance(row.get("messages"), list):
        items, role_key, text_key = row["messages"], "role", "content"
    else:
        raise MalformedRow("missing_field", "conversations or messages")
    turns = []
    for index, item in enumerate(items):
        role = item.get(role_key) if isinstance(item, dict) else None
        text = item.get(text_key) if isinstance(item, dict) else None
        if role not in HERMES_ROLES:
            raise MalformedRow("invalid_message", f"turn {index}: unknown role {role!r}")
        if not isinstance(text, str | None):
            raise MalformedRow("invalid_message", f"turn {index}: {text_key} is not text")
        turns.append((HERMES_ROLES[role], text or ""))
    return turns


def _hermes_calls(text: str, index: int) -> tuple[str, list[dict[str, Any]]]:
    """The text outside ``<tool_call>`` blocks, and the blocks as OpenAI ``function`` parts."""
    calls = []
    for block in TOOL_CALL.findall(text):
        call = _literal(block.strip(), "invalid_tool_call", f"turn {index}")
        if not isinstance(call, dict) or not isinstance(call.get("name"), str):
            raise MalformedRow("invalid_tool_call", f"turn {index}: block has no function name")
        calls.append({"name": call["name"], "arguments": call.get("arguments")})
    rest = TOOL_CALL.sub("", text)
    if "<tool_call>" in rest or "</tool_call>" in rest:
        raise MalformedRow("invalid_tool_call", f"turn {index}: unclosed <tool_call> block")
    return rest.strip(), calls


def _tools_block(text: str) -> object:
    """A ``<tools>`` block: one list or object, or several objects one after another."""
    try:
        value = _literal(text.strip(), "invalid_tools", "<tools> block")
    except MalformedRow:
        value, decoder, position, text = [], json.JSONDecoder(), 0, text.strip()
        while position < len(text):
            try:
                item, position = decoder.raw_decode(text, position)
            except json.JSONDecodeError as error:
                raise MalformedRow("invalid_tools", f"<tools> block: {error}") from None
            value.append(item)
            while position < len(text) and text[position] in " \t\r\n,":
                position += 1
    return [value] if isinstance(value, dict) else value


def _literal(text: str, reason: str, where: str) -> object:
    """JSON, else a Python literal (Hermes v1 writes ``{'name': ..., 'flag': True}``)."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        try:  # through JSON again: tuples become lists, and sets (not JSON) are refused
            return json.loads(json.dumps(ast.literal_eval(text)))
        except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
            raise MalformedRow(reason, f"{where}: {error}") from None
