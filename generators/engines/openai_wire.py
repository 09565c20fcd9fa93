"""The OpenAI-compatible HTTP API as plain dicts: request bodies out, completions in.

Pure functions without I/O, so the mapping is tested without a server and the transport
(``openai.py``) without a mapping.

Servers agree on the core fields (prompt or messages, sampling, ``n``, ``seed``, ``tools``)
but not on constraints, and a server that does not know a constraint field ignores it
silently, returning unconstrained text. Hence one option, the *dialect*:

- ``vllm`` (default): JSON Schema as OpenAI's standard ``response_format: json_schema``
  (also read by SGLang, llama.cpp's C++ ``llama-server`` and hosted OpenAI); choice and
  regex as vLLM's ``structured_outputs`` (vLLM >= 0.12; the older ``guided_*`` names are
  ignored by new servers).
- ``llamacpp``: every constraint as a GBNF ``grammar``, the one field that both
  llama-cpp-python's server and llama.cpp's ``llama-server`` honour on both endpoints
  (llama-cpp-python's server refuses ``response_format: json_schema`` and has no
  ``response_format`` at all on ``/completions``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from datagen.generators.engines.base import (
    Completion,
    EngineError,
    Request,
    ResponseFormat,
    ToolCall,
)

DIALECTS = ("vllm", "llamacpp")
CHAT_PATH = "/chat/completions"
COMPLETIONS_PATH = "/completions"


class MalformedResponse(ValueError):
    """The server answered 200 with a body that is not an OpenAI completion."""


def build_call(request: Request, *, model: str, dialect: str) -> tuple[str, dict[str, Any]]:
    """The endpoint path and JSON body for ``request`` (``n`` and ``seed`` included).

    Raises ``EngineError`` for requests no server of the dialect can serve as asked, before
    anything is sent.
    """
    if dialect not in DIALECTS:
        raise EngineError(f"unknown dialect {dialect!r}; use one of {', '.join(DIALECTS)}")
    sampling = request.sampling
    body: dict[str, Any] = {
        "model": model,
        "temperature": sampling.temperature,
        "top_p": sampling.top_p,
        "max_tokens": sampling.max_tokens,
        "n": sampling.n,
        "seed": sampling.seed,
    }
    if sampling.stop:
        body["stop"] = list(sampling.stop)
    if request.messages:
        path = CHAT_PATH
        body["messages"] = list(request.messages)
        if request.tools:
            body["tools"] = list(request.tools)
    else:
        if request.tools:
            raise EngineError(
                f"request {request.request_id!r}: tools need messages (the chat endpoint); "
                "/completions has no tools"
            )
        path = COMPLETIONS_PATH
        body["prompt"] = request.prompt
    if request.response_format is not None:
        try:
            body.update(constraint_fields(request.response_format, dialect=dialect))
        except ValueError as exc:
            raise EngineError(f"request {request.request_id!r}: {exc}") from exc
    return path, body


def constraint_fields(fmt: ResponseFormat, *, dialect: str) -> dict[str, Any]:
    """The body fields that make a server of ``dialect`` enforce ``fmt``."""
    if dialect == "llamacpp":
        return {"grammar": gbnf_for(fmt)}
    if fmt.kind == "json_schema":
        schema = {"name": "response", "schema": fmt.json_schema, "strict": True}
        return {"response_format": {"type": "json_schema", "json_schema": schema}}
    if fmt.kind == "choice":
        return {"structured_outputs": {"choice": list(fmt.choice)}}
    return {"structured_outputs": {"regex": fmt.regex}}


def gbnf_for(fmt: ResponseFormat) -> str:
    """A GBNF grammar accepting exactly the texts ``fmt`` allows (llama.cpp's converter)."""
    if fmt.kind == "choice":
        return "root ::= " + " | ".join(gbnf_literal(choice) for choice in fmt.choice)
    from llama_cpp import llama_grammar

    # llama.cpp's converter raises bare Exceptions and AssertionErrors on what it cannot map.
    if fmt.kind == "json_schema":
        try:
            return llama_grammar.json_schema_to_gbnf(json.dumps(fmt.json_schema))
        except Exception as exc:
            raise ValueError(f"JSON Schema has no GBNF form ({exc})") from exc
    pattern = fmt.regex or ""
    try:
        re.compile(pattern)
    except re.error as exc:
        raise ValueError(f"invalid regex {pattern!r} ({exc})") from exc
    # A regex constrains the whole text, as vLLM's does: anchor it, then convert the
    # pattern without the JSON string quotes (llama.cpp's --raw-pattern).
    inner = pattern.removeprefix("^").removesuffix("$")
    converter = llama_grammar.SchemaConverter(
        prop_order={}, allow_fetch=False, dotall=False, raw_pattern=True
    )
    try:
        converter.visit({"type": "string", "pattern": f"^({inner})$"}, "")
    except Exception as exc:
        raise ValueError(f"regex {pattern!r} has no GBNF form ({exc})") from exc
    return converter.format_grammar()


def gbnf_literal(text: str) -> str:
    """``text`` as a GBNF string literal (escapes quotes, backslashes and control bytes)."""
    named = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}
    out = []
    for char in text:
        if char in named:
            out.append(named[char])
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\x{ord(char):02X}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def parse_response(payload: Any, *, chat: bool) -> tuple[list[Completion], int, str | None]:
    """Completions (in choice order), prompt tokens and served model name of one response.

    Servers report ``usage.completion_tokens`` for all choices together; it is split across
    the choices in proportion to their text length (exact when there is one choice).
    """
    if not isinstance(payload, dict) or not isinstance(payload.get("choices"), list):
        raise MalformedResponse(f"no 'choices' list in response: {_preview(payload)}")
    choices = payload["choices"]
    if not all(isinstance(choice, dict) for choice in choices):
        raise MalformedResponse(f"a choice is not an object: {_preview(choices)}")
    choices = sorted(choices, key=lambda choice: _as_int(choice.get("index")))
    parsed = [_parse_chat_choice(c) if chat else (_text_of(c.get("text")), ()) for c in choices]
    usage = payload.get("usage") if isinstance(payload.get("usage"), dict) else {}
    counts = split_tokens(_as_int(usage.get("completion_tokens")), [text for text, _ in parsed])
    completions = [
        Completion(
            text=text,
            finish_reason=str(choice.get("finish_reason") or "unknown"),
            completion_tokens=count,
            tool_calls=calls,
        )
        for choice, (text, calls), count in zip(choices, parsed, counts, strict=True)
    ]
    model = payload.get("model")
    return (
        completions,
        _as_int(usage.get("prompt_tokens")),
        model if isinstance(model, str) else None,
    )


def _parse_chat_choice(choice: dict[str, Any]) -> tuple[str, tuple[ToolCall, ...]]:
    message = choice.get("message")
    if not isinstance(message, dict):
        raise MalformedResponse(f"chat choice without a message: {_preview(choice)}")
    calls, unparsed = parse_tool_calls(message.get("tool_calls"))
    text = _text_of(message.get("content"))
    return "\n".join([text, *unparsed] if text else unparsed), calls


def parse_tool_calls(raw: Any) -> tuple[tuple[ToolCall, ...], list[str]]:
    """Decoded calls, and the raw JSON of calls that could not be decoded.

    A call whose name is missing or whose arguments are not a JSON object is not dropped
    silently: its raw form goes back into the completion text, where a verifier sees it.
    Empty arguments (``""``) mean a call without arguments.
    """
    calls: list[ToolCall] = []
    unparsed: list[str] = []
    for item in raw if isinstance(raw, list) else []:
        function = item.get("function") if isinstance(item, dict) else None
        name = function.get("name") if isinstance(function, dict) else None
        arguments = function.get("arguments") if isinstance(function, dict) else None
        if arguments in (None, ""):
            arguments = {}
        elif isinstance(arguments, str):
            try:
                arguments = json.loads(arguments)
            except ValueError:
                arguments = None
        if isinstance(name, str) and name and isinstance(arguments, dict):
            calls.append(ToolCall(name=name, arguments=arguments))
        else:
            unparsed.append(json.dumps(item, ensure_ascii=False))
    return tuple(calls), unparsed


def split_tokens(total: int, texts: Sequence[str]) -> list[int]:
    """Split ``total`` over ``texts`` in proportion to their length; the parts sum to ``total``.

    Largest remainders get the leftover tokens; all-empty texts share evenly.
    """
    if not texts:
        return []
    weights = [len(text) for text in texts]
    if sum(weights) == 0:
        weights = [1] * len(texts)
    shares = [total * weight / sum(weights) for weight in weights]
    counts = [int(share) for share in shares]
    by_remainder = sorted(range(len(texts)), key=lambda i: counts[i] - shares[i])
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return counts


def _text_of(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _as_int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _preview(value: Any, limit: int = 300) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[:limit] + "..."
