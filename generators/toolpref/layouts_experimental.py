"""Experimental layouts: written from the datasets' cards and papers, not from released rows
checked here, so a field they name differently than assumed is a quarantined row, not a crash.

- ``toolalpaca`` (ToolAlpaca, Tang et al. 2023): one row per API, ``{"Name", "Description",
  "Function_Description": {function: text}, "Instances": [{"input", "output",
  "intermediate_steps": [[[action, action_input, log], observation], ...]}]}``; each instance is
  one conversation, its steps ReAct calls (``Action: name`` / ``Action Input: {...}``). The
  docs describe parameters in prose, so their schemas are open (any arguments pass).
- ``button`` (BUTTONInstruct, Chen et al. 2024): assumed ``{"tools": [...] or JSON text,
  "messages" | "conversations": [{"role", "content", "function_call"? | "tool_calls"?}]}``,
  results under role ``function`` or ``tool``.
- ``complexfuncbench`` (ComplexFuncBench, Zhong et al. 2025): ``{"id", "functions": [...],
  "conversations": [{"role": "user" | "assistant" | "observation", "content",
  "function_call"?: [{"name", "arguments"}]}]}``; an observation's content may be a list (one
  result per call).
"""

from __future__ import annotations

import json
import re
from typing import Any

from datagen.generators.toolpref.formats import MalformedRow, _literal
from datagen.generators.toolpref.layouts import Conversation, _call, _json_list, _require

REACT_ACTION = re.compile(r"Action:\s*(.+?)\s*\nAction Input:\s*(.*)", re.DOTALL)


def read_toolalpaca(row: dict[str, Any]) -> list[Conversation]:
    """Each instance: the user's input, one call and result per step, then the output."""
    _require(row, "Instances")
    described = row.get("Function_Description") or {}
    if not isinstance(described, dict) or not described:
        raise MalformedRow("missing_tools", "no Function_Description")
    tools = [
        {"name": name, "description": str(text), "parameters": {"type": "object"}}
        for name, text in described.items()
        if name != "components"
    ]
    conversations = []
    for instance in _json_list(row["Instances"], "invalid_messages", "Instances"):
        if not isinstance(instance, dict) or not isinstance(instance.get("input"), str):
            raise MalformedRow("invalid_message", "an instance has no input text")
        messages: list[dict[str, Any]] = [{"role": "user", "content": instance["input"]}]
        for index, step in enumerate(instance.get("intermediate_steps") or []):
            action, observation = _react_step(step, index)
            messages.append({"role": "assistant", "content": "", "tool_calls": [action]})
            messages.append({"role": "tool", "content": str(observation)})
        if instance.get("output"):
            messages.append({"role": "assistant", "content": str(instance["output"])})
        conversations.append((messages, tools))
    return conversations


def _react_step(step: object, index: int) -> tuple[dict[str, Any], object]:
    """``[[action, action_input, log], observation]``, or a ReAct log to read them from."""
    if not isinstance(step, list) or len(step) != 2:
        raise MalformedRow("invalid_tool_call", f"step {index}: not [action, observation]")
    action, observation = step
    if isinstance(action, list) and len(action) >= 2:
        name, text = str(action[0]), str(action[1])
    elif found := REACT_ACTION.search(str(action)):
        name, text = found.group(1), found.group(2).strip()
    else:
        raise MalformedRow("invalid_tool_call", f"step {index}: no Action / Action Input")
    try:
        arguments = json.loads(text) if text.strip() else {}
    except json.JSONDecodeError as error:
        raise MalformedRow("invalid_arguments", f"{name}: {error}") from None
    return _call({"name": name, "arguments": arguments}, f"step {index}"), observation


BUTTON_ROLES = {"system": "system", "user": "user", "assistant": "assistant"}


def read_button(row: dict[str, Any]) -> list[Conversation]:
    """Role messages; ``function_call`` (one or a list) or ``tool_calls`` on assistant turns."""
    _require(row, "tools")
    turns = row.get("messages", row.get("conversations"))
    if not isinstance(turns, list) or not turns:
        raise MalformedRow("missing_field", "messages or conversations")
    tools = _json_list(row["tools"], "invalid_tools", "tools")
    return [(_role_messages(turns, results=("function", "tool", "observation")), tools)]


def read_complexfuncbench(row: dict[str, Any]) -> list[Conversation]:
    """Role turns; an observation's list content is one tool message per call."""
    _require(row, "conversations", "functions")
    tools = _json_list(row["functions"], "invalid_tools", "functions")
    turns = row["conversations"]
    if not isinstance(turns, list) or not turns:
        raise MalformedRow("invalid_messages", "conversations is not a non-empty list")
    return [(_role_messages(turns, results=("observation", "tool", "function")), tools)]


def _role_messages(turns: list[Any], *, results: tuple[str, ...]) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = []
    for index, turn in enumerate(turns):
        role = turn.get("role") if isinstance(turn, dict) else None
        if role in results:
            content = turn.get("content")
            for item in content if isinstance(content, list) else [content]:
                text = item if isinstance(item, str) else json.dumps(item, ensure_ascii=False)
                messages.append({"role": "tool", "content": text})
            continue
        if role not in BUTTON_ROLES:
            raise MalformedRow("invalid_message", f"turn {index}: unknown role {role!r}")
        content = turn.get("content")
        message: dict[str, Any] = {
            "role": role,
            "content": content if isinstance(content, str) else "",
        }
        raw = turn.get("tool_calls") or turn.get("function_call")
        if role == "assistant" and raw:
            if isinstance(raw, str):
                raw = _literal(raw, "invalid_tool_call", f"turn {index}")
            raw = raw if isinstance(raw, list) else [raw]
            message["tool_calls"] = [
                call
                if isinstance(call, dict) and "function" in call
                else _call(call, f"turn {index}")
                for call in raw
            ]
        messages.append(message)
    return messages
