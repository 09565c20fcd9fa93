"""The three inputs of ``toolcall``, checked and put in shape before any scoring.

Model calls are untrusted: anything that is not a list of ``{"name": str, "arguments":
dict | JSON text}`` with JSON-like values becomes a :class:`Malformed` with a reason, never an
exception. Function docs and ground truth are the caller's data: a shape the checker cannot
read raises ``ValueError``, because scoring against a broken answer key would be silently wrong.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

_MAX_DEPTH = 64
_SCALARS = frozenset({str, int, float, bool, type(None)})
_STRING = frozenset({str})

Call = tuple[str, dict[str, Any]]
"""One decoded model call: ``(name, arguments)``."""

GroundTruthCall = tuple[Any, dict[str, list]]
"""One BFCL possible answer: ``(function name, {param: allowed values})``."""


@dataclass(frozen=True, slots=True)
class Malformed:
    """Why a model output is not a call list; ``error_type`` starts with ``malformed:``."""

    error_type: str
    reason: str


def parse_calls(calls: Any) -> list[Call] | Malformed:
    """Decode model calls; arguments may be a dict or a JSON object as text."""
    if type(calls) is not list and not isinstance(calls, list | tuple):
        return Malformed("malformed:calls", f"calls must be a list, got {type(calls).__name__}")
    parsed = []
    for number, call in enumerate(calls, start=1):
        if type(call) is not dict and not isinstance(call, dict):
            return Malformed(
                "malformed:call", f"call {number} must be a dict, got {type(call).__name__}"
            )
        name = call.get("name")
        if type(name) is not str:
            return Malformed(
                "malformed:name", f"call {number} needs a string name, got {type(name).__name__}"
            )
        arguments = call.get("arguments")
        if type(arguments) is not dict:
            if type(arguments) is str:
                try:
                    arguments = json.loads(arguments)
                except (ValueError, RecursionError) as exc:
                    return Malformed(
                        "malformed:arguments_json", f"call {number} ({name}) arguments: {exc}"
                    )
            if not isinstance(arguments, dict):
                return Malformed(
                    "malformed:arguments",
                    f"call {number} ({name}) arguments must be an object, "
                    f"got {type(arguments).__name__}",
                )
        if not (  # flat arguments are checked at C speed, nested ones walked
            _SCALARS.issuperset(map(type, arguments.values()))
            and _STRING.issuperset(map(type, arguments))
        ) and not _json_object(arguments, 0):
            return Malformed(
                "malformed:argument_value",
                f"call {number} ({name}) arguments hold a non-JSON key or value",
            )
        parsed.append((name, arguments))
    return parsed


def _json_object(value: dict, depth: int) -> bool:
    """String keys and JSON values all the way down (tuples allowed: BFCL accepts them)."""
    for key, item in value.items():
        if type(key) is not str or (type(item) not in _SCALARS and not _json_value(item, depth)):
            return False
    return True


def _json_value(value: Any, depth: int) -> bool:
    if depth >= _MAX_DEPTH:
        return False
    if isinstance(value, dict):
        return _json_object(value, depth + 1)
    if type(value) is list or type(value) is tuple:
        for item in value:
            if type(item) not in _SCALARS and not _json_value(item, depth + 1):
                return False
        return True
    return False


def unwrap_function(doc: Any) -> dict:
    """A BFCL function doc, unwrapped from OpenAI's ``{"type": "function", "function": doc}``.

    JSON-Schema vocabulary inside a doc (``object``, ``number``, no ``required``) is read as
    BFCL's when a parameter is checked, so docs are never copied.
    """
    if type(doc) is dict and doc.get("type") == "function" and "function" in doc:
        doc = doc["function"]
    if not isinstance(doc, dict) or type(doc.get("name")) is not str:
        raise ValueError(f"each function doc needs a string 'name', got {doc!r:.200}")
    return doc


def find_function(functions: list, name: Any) -> dict | None:
    """The first doc called ``name`` (BFCL's ``find_description``), or None."""
    for doc in functions:
        doc = unwrap_function(doc)
        if doc["name"] == name:
            return doc
    return None


def function_names(functions: Any) -> set[str]:
    """The distinct names the docs offer."""
    if not isinstance(functions, list):
        raise ValueError(f"functions must be a list of docs, got {type(functions).__name__}")
    return {unwrap_function(doc)["name"] for doc in functions}


def doc_schema(doc: dict) -> tuple[dict, list]:
    """``(properties, required)`` of a doc; a missing ``required`` means none."""
    parameters = doc.get("parameters") or {}
    if not isinstance(parameters, dict):
        raise ValueError(f"parameters of {doc['name']!r} must be an object")
    properties = parameters.get("properties") or {}
    required = parameters.get("required") or []
    if not isinstance(properties, dict) or not isinstance(required, list):
        raise ValueError(f"properties/required of {doc['name']!r} must be an object/list")
    for param in required:
        if type(param) is not str:
            raise ValueError(f"required of {doc['name']!r} must list parameter names")
    return properties, required


def ground_truth_call(entry: Any) -> GroundTruthCall:
    """One BFCL possible answer ``{name: {param: [allowed, ...]}}`` as a pair."""
    if not isinstance(entry, dict) or not entry:
        raise ValueError(f"each ground-truth call must be {{name: params}}, got {entry!r:.200}")
    name, answers = next(iter(entry.items()))
    if not isinstance(answers, dict):
        raise ValueError(f"ground truth of {name!r} must map parameters to lists of values")
    for values in answers.values():
        if type(values) is not list:
            raise ValueError(f"ground truth of {name!r} must map parameters to lists")
    return name, answers
