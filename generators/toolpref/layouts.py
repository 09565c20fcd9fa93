"""Released tool-calling datasets' row layouts, each turned into the shape the readers share.

Every reader here takes one decoded row and returns its conversations as ``(messages, tools)``:
OpenAI chat messages (assistant ``tool_calls`` whose ``arguments`` are an object or JSON text,
``tool`` results) and function docs with JSON-Schema parameters, which ``segment`` cuts into
tasks. Layouts (fields as released):

- ``xlam`` (Salesforce xlam-function-calling-60k): ``{"id", "query", "tools", "answers"}``,
  ``tools`` and ``answers`` JSON text; parameters are ``{name: {"type": "str", ...}}`` with
  Python type names, converted to JSON Schema (``python_type_schema``).
- ``apigen_mt`` (Salesforce APIGen-MT-5k): ShareGPT ``conversations`` whose ``from`` is
  ``human``/``gpt``/``function_call``/``observation``, a ``system`` text and ``tools`` JSON text.
- ``glaive`` (glaive-function-calling-v2): ``system`` text listing function docs as JSON
  objects one after another, ``chat`` text of ``USER:``/``ASSISTANT:``/``FUNCTION RESPONSE:``
  turns, calls as ``<functioncall> {"name": ..., "arguments": '<JSON>'}``.
- ``toolace`` (Team-ACE ToolACE): ``system`` text holding a JSON list of docs, ``conversations``
  from ``user``/``assistant``/``tool``, calls as Python-call text ``[f(a=1), g(b="x")]`` (read
  with ``ast``, never evaluated).

The experimental layouts (ToolAlpaca, BUTTON, ComplexFuncBench) are in
``layouts_experimental``. A row that cannot be read raises ``MalformedRow``.
"""

from __future__ import annotations

import ast
import json
import re
from typing import Any

from datagen.generators.toolpref.formats import MalformedRow, _literal, _tools_block

Conversation = tuple[list[dict[str, Any]], list[dict[str, Any]]]

PYTHON_TYPES = {
    "str": "string",
    "string": "string",
    "int": "integer",
    "integer": "integer",
    "float": "number",
    "number": "number",
    "bool": "boolean",
    "boolean": "boolean",
    "list": "array",
    "array": "array",
    "tuple": "array",
    "set": "array",
    "dict": "object",
    "object": "object",
}
ANY_TYPES = {"any", "object?", ""}
_GENERIC = re.compile(r"(\w+)\s*\[(.*)\]", re.DOTALL)


def python_type_schema(text: str) -> tuple[dict[str, Any], bool]:
    """A Python type name as JSON Schema, and whether it says the value is optional.

    Reads ``str``/``int``/``float``/``bool``/``list``/``dict`` (and their JSON names),
    ``List[int]``, ``Dict[str, int]``, ``Tuple[...]``, ``Union[a, b]``, ``Optional[str]``,
    ``"str, optional"`` and ``Any``; anything else raises ``MalformedRow("invalid_tool")``.
    """
    kind = text.strip()
    optional = False
    if kind.lower().endswith(", optional"):
        kind, optional = kind[: -len(", optional")].strip(), True
    if kind.lower() in ANY_TYPES:
        return {}, optional
    if kind.lower() in PYTHON_TYPES:
        return {"type": PYTHON_TYPES[kind.lower()]}, optional
    generic = _GENERIC.fullmatch(kind)
    if not generic:
        raise MalformedRow("invalid_tool", f"unknown parameter type {text!r}")
    outer, args = generic.group(1).lower(), [python_type_schema(a)[0] for a in _split(generic[2])]
    if outer == "optional" and len(args) == 1:
        return args[0], True
    if outer == "union":
        return {"anyOf": args}, optional
    if outer in ("list", "set", "sequence") and len(args) == 1:
        return {"type": "array", "items": args[0]}, optional
    if outer == "tuple":
        return {"type": "array"}, optional
    if outer in ("dict", "mapping") and len(args) == 2:
        return {"type": "object", "additionalProperties": args[1]}, optional
    raise MalformedRow("invalid_tool", f"unknown parameter type {text!r}")


def _split(text: str) -> list[str]:
    """Comma-separated type arguments, commas inside brackets kept."""
    parts, depth, start = [], 0, 0
    for index, char in enumerate(text):
        depth += {"[": 1, "]": -1}.get(char, 0)
        if char == "," and depth == 0:
            parts.append(text[start:index])
            start = index + 1
    return [*parts, text[start:]]


def xlam_tool(tool: object) -> dict[str, Any]:
    """An xlam doc (``parameters: {name: {"type": "str", "default"?: ...}}``) in JSON Schema;
    a parameter with a default, or typed optional, is not required."""
    if not isinstance(tool, dict) or not isinstance(tool.get("name"), str):
        raise MalformedRow("invalid_tool", f"not a named function doc: {str(tool)[:80]}")
    parameters = tool.get("parameters") or {}
    if not isinstance(parameters, dict):
        raise MalformedRow("invalid_tool", f"{tool['name']}: parameters is not an object")
    if parameters.get("type") == "object" and "properties" in parameters:
        return tool  # already JSON Schema
    properties, required = {}, []
    for name, spec in parameters.items():
        if not isinstance(spec, dict):
            raise MalformedRow("invalid_tool", f"{tool['name']}.{name}: not a parameter object")
        schema, optional = python_type_schema(str(spec.get("type", "any")))
        extra = {k: spec[k] for k in ("description", "default", "enum") if k in spec}
        properties[name] = schema | extra
        if not optional and "default" not in spec:
            required.append(name)
    parameters = {"type": "object", "properties": properties, "required": required}
    description = tool.get("description", "")
    return {"name": tool["name"], "description": description, "parameters": parameters}


def read_xlam(row: dict[str, Any]) -> list[Conversation]:
    """One user query and the assistant turn calling ``answers``.

    The released rows all call (their calls were verified by execution); an empty ``answers``
    has no text answer either, so it is ``no_answers`` rather than a no-call task.
    """
    _require(row, "query", "tools", "answers")
    tools = [xlam_tool(tool) for tool in _json_list(row["tools"], "invalid_tools", "tools")]
    answers = _json_list(row["answers"], "invalid_answers", "answers")
    if not answers:
        raise MalformedRow("no_answers", "answers is an empty list")
    calls = [_call(answer, "answers") for answer in answers]
    assistant = {"role": "assistant", "content": "", "tool_calls": calls}
    return [([{"role": "user", "content": str(row["query"])}, assistant], tools)]


APIGEN_ROLES = {"system": "system", "human": "user", "user": "user", "gpt": "assistant"}


def read_apigen_mt(row: dict[str, Any]) -> list[Conversation]:
    """ShareGPT turns; consecutive ``function_call`` turns are one assistant turn's calls."""
    _require(row, "conversations", "tools")
    messages: list[dict[str, Any]] = []
    if str(row.get("system") or "").strip():
        messages.append({"role": "system", "content": row["system"]})
    for index, (role, text) in enumerate(_sharegpt(row["conversations"])):
        if role == "function_call":
            call = _call(_literal(text, "invalid_tool_call", f"turn {index}"), f"turn {index}")
            last = messages[-1] if messages else None
            if last and last["role"] == "assistant" and last.get("tool_calls") is not None:
                last["tool_calls"].append(call)
            else:
                messages.append({"role": "assistant", "content": "", "tool_calls": [call]})
        elif role == "observation":
            messages.append({"role": "tool", "content": text})
        elif role in APIGEN_ROLES:
            messages.append({"role": APIGEN_ROLES[role], "content": text})
        else:
            raise MalformedRow("invalid_message", f"turn {index}: unknown role {role!r}")
    return [(messages, _json_list(row["tools"], "invalid_tools", "tools"))]


GLAIVE_TURN = re.compile(r"(?:^|\n+)\s*(USER|ASSISTANT|FUNCTION RESPONSE):\s?")
GLAIVE_CALL = re.compile(r"<functioncall>\s*(.*)", re.DOTALL)
GLAIVE_QUOTED_ARGUMENTS = re.compile(
    r'^\{\s*"name"\s*:\s*"([^"]+)"\s*,\s*"arguments"\s*:\s*\'(.*)\'\s*\}$', re.DOTALL
)
GLAIVE_ROLES = {"USER": "user", "ASSISTANT": "assistant", "FUNCTION RESPONSE": "tool"}


def read_glaive(row: dict[str, Any]) -> list[Conversation]:
    """The ``chat`` text's turns; the docs are the JSON objects after the system's prose."""
    _require(row, "system", "chat")
    system, chat = str(row["system"]), str(row["chat"])
    start = system.find("{")
    if start < 0:
        raise MalformedRow("missing_tools", "the system text lists no function")
    tools = _tools_block(system[start:])
    parts = GLAIVE_TURN.split(chat)
    if parts[0].strip():
        raise MalformedRow("invalid_message", "chat text before its first USER: turn")
    messages: list[dict[str, Any]] = []
    for index, (role, text) in enumerate(zip(parts[1::2], parts[2::2], strict=True)):
        text = text.replace("<|endoftext|>", "").strip()
        if GLAIVE_ROLES[role] == "assistant" and (found := GLAIVE_CALL.search(text)):
            call = _glaive_call(found.group(1).strip(), index)
            content = text[: found.start()].strip()
            messages.append({"role": "assistant", "content": content, "tool_calls": [call]})
        else:
            messages.append({"role": GLAIVE_ROLES[role], "content": text})
    return [(messages, tools if isinstance(tools, list) else [tools])]


def _glaive_call(text: str, index: int) -> dict[str, Any]:
    """``{"name": ..., "arguments": '<JSON>'}`` (arguments single-quoted), or plain JSON."""
    if quoted := GLAIVE_QUOTED_ARGUMENTS.match(text):
        try:
            arguments = json.loads(quoted.group(2))
        except json.JSONDecodeError as error:
            raise MalformedRow("invalid_arguments", f"{quoted.group(1)}: {error}") from None
        return _call({"name": quoted.group(1), "arguments": arguments}, f"turn {index}")
    return _call(_literal(text, "invalid_tool_call", f"turn {index}"), f"turn {index}")


TOOLACE_ROLES = {"user": "user", "assistant": "assistant", "tool": "tool", "system": "system"}


def read_toolace(row: dict[str, Any]) -> list[Conversation]:
    """Assistant text that is a list of Python calls becomes ``tool_calls``; other text stays."""
    _require(row, "system", "conversations")
    tools = _docs_in_text(str(row["system"]))
    messages: list[dict[str, Any]] = []
    for index, (role, text) in enumerate(_sharegpt(row["conversations"])):
        if role not in TOOLACE_ROLES:
            raise MalformedRow("invalid_message", f"turn {index}: unknown role {role!r}")
        calls = python_calls(text) if role == "assistant" else None
        if calls is not None:
            messages.append({"role": "assistant", "content": "", "tool_calls": calls})
        else:
            messages.append({"role": TOOLACE_ROLES[role], "content": text})
    return [(messages, tools)]


def python_calls(text: str) -> list[dict[str, Any]] | None:
    """``[f(a=1), pkg.g(b="x")]`` as OpenAI calls; ``None`` when the text is not such a list.

    Parsed with ``ast`` and read with ``ast.literal_eval`` per argument: nothing is evaluated.
    A list of calls whose arguments are not literals (or positional) is ``invalid_arguments``.
    """
    stripped = text.strip()
    if not (stripped.startswith("[") and stripped.endswith("]") and "(" in stripped):
        return None
    try:
        tree = ast.parse(stripped, mode="eval").body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    if not isinstance(tree, ast.List) or not all(isinstance(e, ast.Call) for e in tree.elts):
        return None
    if not all(_dotted(call.func) for call in tree.elts):
        return None  # a call of something that is not a function name: text, not a call
    calls = []
    for node in tree.elts:
        name = ast.unparse(node.func)
        if node.args or any(keyword.arg is None for keyword in node.keywords):
            raise MalformedRow("invalid_arguments", f"{name}: positional or ** arguments")
        try:
            arguments = {kw.arg: ast.literal_eval(kw.value) for kw in node.keywords}
        except (ValueError, TypeError, SyntaxError, RecursionError):
            detail = f"{name}: an argument is not a literal"
            raise MalformedRow("invalid_arguments", detail) from None
        calls.append(_call({"name": name, "arguments": json.loads(json.dumps(arguments))}, name))
    return calls


def _dotted(node: ast.expr) -> bool:
    """``f`` or ``pkg.mod.f``: a name, not an expression that computes the function."""
    while isinstance(node, ast.Attribute):
        node = node.value
    return isinstance(node, ast.Name)


def _docs_in_text(text: str) -> list[Any]:
    """The first JSON (or Python-literal) list of named docs inside prose."""
    decoder = json.JSONDecoder()
    for found in re.finditer(r"\[", text):
        try:
            value, _ = decoder.raw_decode(text, found.start())
        except json.JSONDecodeError:
            continue
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            return value
    raise MalformedRow("missing_tools", "no JSON list of function docs in the system text")


def _sharegpt(turns: object) -> list[tuple[str, str]]:
    if not isinstance(turns, list) or not turns:
        raise MalformedRow("invalid_messages", "conversations is not a non-empty list")
    read = []
    for index, turn in enumerate(turns):
        if not isinstance(turn, dict) or not isinstance(turn.get("from"), str):
            raise MalformedRow("invalid_message", f"turn {index}: no 'from'")
        value = turn.get("value")
        if not isinstance(value, str | None):
            raise MalformedRow("invalid_message", f"turn {index}: value is not text")
        read.append((turn["from"], value or ""))
    return read


def _call(value: object, where: str) -> dict[str, Any]:
    """``{"name", "arguments"}`` as an OpenAI call (arguments checked later, by segmentation)."""
    if not isinstance(value, dict) or not isinstance(value.get("name"), str):
        raise MalformedRow("invalid_tool_call", f"{where}: a call has no function name")
    arguments = value.get("arguments", value.get("parameters", {}))
    return {"type": "function", "function": {"name": value["name"], "arguments": arguments}}


def _json_list(value: object, reason: str, field: str) -> list[Any]:
    if isinstance(value, str):
        value = _literal(value, reason, field)
    if not isinstance(value, list):
        raise MalformedRow(reason, f"{field} is {type(value).__name__}, not a list")
    return value


def _require(row: dict[str, Any], *fields: str) -> None:
    if missing := [field for field in fields if field not in row]:
        raise MalformedRow("missing_field", ", ".join(missing))
