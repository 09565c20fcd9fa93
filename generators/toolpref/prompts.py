"""Prompts that ask for function calls, the JSON Schema that constrains the answer, and the
parser that turns the answer back into calls.

A prompt asks in one of two ways: as text (the tools listed in the system prompt, the calls
written as a JSON array, which a grammar can constrain) or natively (the tools as OpenAI
function tools on the request, ``openai_tools``; the engine's tool parser reads the calls).
Either way a reply without calls is allowed, since some tasks expect none.

Building and parsing are separate functions (distilabel's ``format_input``/``format_output``):
a failed parse keeps the raw text and says why, so the verifier scores it instead of crashing.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from typing import Any

from datagen.generators.engines.base import Message

MAX_CALLS = 5
"""Upper bound on calls in one constrained answer; BFCL's parallel tasks need at most 4."""

EXTRA_CALLS = 1
"""Calls a constrained answer may add beyond the ground truth's count. One extra call keeps
"called too often" mistakes in the data; more only lets a small model repeat itself until
the token budget runs out (measured: most of the embedded model's length-capped answers)."""

MAX_STRING = 160
"""Longest string value a constrained answer may write: small models otherwise loop inside a
string until the token budget runs out, which costs time and teaches nothing."""

SYSTEM_PROMPTS: dict[str, str] = {
    "direct": (
        "You are a function-calling assistant. Answer the user's last request by calling "
        "the available functions. Reply with a JSON array of calls, each "
        '{{"name": <function name>, "arguments": {{...}}}}, and nothing else; reply [] if '
        "no function fits.\n\n"
        "Available functions:\n{tools}"
    ),
    "careful": (
        "You have access to the functions described below. Read the conversation, decide "
        "which functions answer the user's request and with which argument values, using "
        "only values stated or implied by the user. Output the calls as a JSON array of "
        '{{"name": ..., "arguments": {{...}}}} objects, or [] if no function fits.\n\n'
        "Functions (JSON):\n{tools}"
    ),
}
"""Text prompts, by sampling-plan variant: the tools in the prompt, the calls as JSON."""

NATIVE_PROMPTS: dict[str, str] = {
    "direct": (
        "You are a function-calling assistant. Answer the user's last request by calling "
        "the available functions; if no function fits, answer in words."
    ),
    "careful": (
        "Read the conversation, decide which of the available functions answer the user's "
        "request and with which argument values, using only values stated or implied by the "
        "user. If no function fits, answer without calling one."
    ),
}
"""Prompts for engines with native tools, by the same variants: the tools go on the request."""

_JSON_SCHEMA_TYPES = {
    "string": "string",
    "integer": "integer",
    "float": "number",
    "number": "number",
    "boolean": "boolean",
    "array": "array",
    "tuple": "array",
    "dict": "object",
    "object": "object",
}


def order_tools(tools: list[dict], *, order: str, seed: int) -> list[dict]:
    """The tool list as one sampling dimension shows it: ``given`` or ``shuffled`` (seeded)."""
    if order == "given":
        return list(tools)
    if order == "shuffled":
        shuffled = list(tools)
        random.Random(seed).shuffle(shuffled)
        return shuffled
    raise ValueError(f"unknown tool order {order!r}; use 'given' or 'shuffled'")


def build_messages(
    *, messages: list[Message], tools: list[dict], variant: str, native: bool = False
) -> tuple[Message, ...]:
    """System prompt of the chosen variant followed by the conversation.

    The text prompt lists ``tools``; the ``native`` one does not, since the request carries
    them (``openai_tools``).
    """
    if variant not in SYSTEM_PROMPTS:
        raise ValueError(f"unknown prompt variant {variant!r}; known: {sorted(SYSTEM_PROMPTS)}")
    if native:
        content = NATIVE_PROMPTS[variant]
    else:
        tool_text = json.dumps(tools, ensure_ascii=False, indent=1)
        content = SYSTEM_PROMPTS[variant].format(tools=tool_text)
    system = {"role": "system", "content": content}
    conversation = [m for m in messages if m.get("role") != "system"]
    task_system = [m["content"] for m in messages if m.get("role") == "system" and m.get("content")]
    if task_system:
        system["content"] = "\n\n".join([*task_system, system["content"]])
    return (system, *conversation)


def openai_tools(tools: list[dict]) -> tuple[dict[str, Any], ...]:
    """A task's function docs as OpenAI function tools, for engines with native tools.

    Parameter types are made JSON Schema's (BFCL's ``dict``, ``float``, ``tuple``), as BFCL
    does for OpenAI models; a type JSON Schema lacks (``any``) leaves the value free.
    """
    return tuple(
        {
            "type": "function",
            "function": {
                "name": tool["name"],
                "description": str(tool.get("description") or ""),
                "parameters": _json_schema(tool.get("parameters") or {}) | {"type": "object"},
            },
        }
        for tool in tools
    )


def _json_schema(spec: dict) -> dict[str, Any]:
    if not isinstance(spec, dict):
        return {}
    schema = {k: v for k, v in spec.items() if k not in ("type", "properties", "items")}
    if kind := _JSON_SCHEMA_TYPES.get(str(spec.get("type"))):
        schema["type"] = kind
    if isinstance(spec.get("properties"), dict):
        schema["properties"] = {name: _json_schema(p) for name, p in spec["properties"].items()}
    if "items" in spec:
        schema["items"] = _json_schema(spec["items"])
    return schema


def calls_schema(
    tools: list[dict], *, max_calls: int = MAX_CALLS, min_calls: int = 1
) -> dict[str, Any]:
    """A JSON Schema whose instances are call lists naming only the given functions.

    Used as a grammar for the embedded base model: it cannot invent function names or
    parameters, but picks values, optional arguments and the number of calls freely, which
    is where the preference signal comes from. ``min_calls=0`` lets the answer be ``[]`` (a
    task whose ground truth is no call).
    """
    variants = [
        {
            "type": "object",
            "properties": {
                "name": {"const": tool["name"]},
                "arguments": _object_schema(tool.get("parameters") or {}),
            },
            "required": ["name", "arguments"],
            "additionalProperties": False,
        }
        for tool in tools
    ]
    call = variants[0] if len(variants) == 1 else {"anyOf": variants}
    return {
        "type": "array",
        "items": call,
        "minItems": min_calls,
        "maxItems": min(max_calls, MAX_CALLS),
    }


def _object_schema(spec: dict) -> dict[str, Any]:
    properties = spec.get("properties") or {}
    schema: dict[str, Any] = {
        "type": "object",
        "properties": {name: _value_schema(p) for name, p in properties.items()},
        "additionalProperties": False,
    }
    required = [r for r in spec.get("required") or [] if r in properties]
    if required:
        schema["required"] = required
    return schema


def _value_schema(spec: dict) -> dict[str, Any]:
    if not isinstance(spec, dict):
        return {}
    kind = _JSON_SCHEMA_TYPES.get(str(spec.get("type")))
    if kind is None:  # BFCL's "any" and unknown types: leave the value free
        return {}
    schema: dict[str, Any] = {"type": kind}
    if isinstance(spec.get("enum"), list) and spec["enum"]:
        schema["enum"] = spec["enum"]
    elif kind == "string":
        schema["maxLength"] = MAX_STRING
    if kind == "array":
        schema["items"] = _value_schema(spec.get("items") or {})
    elif kind == "object" and spec.get("properties"):
        schema = _object_schema(spec)
    return schema


@dataclass(frozen=True)
class ParsedCalls:
    """Calls decoded from a model's text, or why they could not be."""

    calls: list[dict[str, Any]] | None
    error: str | None = None


def parse_calls(text: str) -> ParsedCalls:
    """Decode ``[{"name", "arguments"}, ...]`` (also a single call object or ``{"calls": [...]}``).

    Shape problems inside the list (a call without a name, arguments that are not an object)
    are left to the verifier, which scores them with a reason.
    """
    try:
        value = json.loads(text)
    except (json.JSONDecodeError, TypeError) as exc:
        return ParsedCalls(None, f"not_json: {exc}")
    if isinstance(value, dict) and isinstance(value.get("calls"), list):
        value = value["calls"]
    elif isinstance(value, dict) and "name" in value:
        value = [value]
    if not isinstance(value, list):
        return ParsedCalls(
            None, f"wrong_shape: expected a list of calls, got {type(value).__name__}"
        )
    return ParsedCalls(value)


def render_calls(calls: list[dict[str, Any]] | None, raw_text: str) -> str:
    """How a response is shown to a critic: canonical JSON when it parsed, else the raw text."""
    if calls is None:
        return raw_text
    return json.dumps(calls, ensure_ascii=False, sort_keys=True)
