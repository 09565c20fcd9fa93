"""A conversation cut into ToolPref tasks: (history, ground-truth assistant turn) pairs.

``segment`` makes a task of each assistant turn that calls tools, or, with ``every_turn``, of
every assistant turn: a turn without a call is then a task whose ground truth is empty
(category ``no_call``, complexity bucket ``no_call``), which asks the model to answer without
calling. Whatever is wrong with the whole row raises ``MalformedRow`` (the readers quarantine
the row); what is wrong with one turn drops that turn's task with a counted reason and keeps
the others:

- ``schema_mismatch``: a ground-truth call's arguments fail its tool's parameter schema
  (jsonschema, BFCL's type names read as JSON Schema's);
- ``repeated_call``: the turn repeats a call (same name and arguments) made earlier in the
  conversation or twice in the turn;
- ``failed_call``: a result the turn's calls got back reads as an error;
- ``no_user_message`` (a turn without a call before any user turn) and ``empty_turn``
  (neither text nor calls), with ``every_turn`` only.

A tool result that no assistant call precedes is the row's ``role_order`` error.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass, field
from typing import Any

from datagen.generators.toolpref.formats import (
    MalformedRow,
    _chat_message,
    check_calls_known,
    function_docs,
    infer_category,
)
from datagen.schemas.records import Quarantined, Record

NO_CALL = "no_call"
FAILED_RESULT = re.compile(r"^\s*[\[{\"']*\s*(error|exception|traceback)\b", re.IGNORECASE)
BFCL_TYPES = {"dict": "object", "float": "number", "tuple": "array", "int": "integer"}


@dataclass
class Segments:
    """A conversation's tasks and the turns dropped from it, each with its reason."""

    tasks: list[Record] = field(default_factory=list)
    drops: list[Quarantined] = field(default_factory=list)


def segment(
    messages: object,
    tools: object,
    *,
    record_id: str,
    source: str | None = None,
    every_turn: bool = False,
) -> Segments:
    """The tasks of one conversation (OpenAI messages and function docs or OpenAI tools).

    A task's id is ``<record_id>-<k>`` for its k-th assistant turn that could be a task (a
    dropped turn uses its number too); ``source`` defaults to the part of ``record_id`` before
    its last ``/``. Earlier assistant turns keep their calls (arguments as JSON text).
    """
    docs = function_docs(tools)
    if not isinstance(messages, list) or not messages:
        raise MalformedRow("invalid_messages", "messages is not a non-empty list")
    read = [_chat_message(raw, index) for index, raw in enumerate(messages)]
    _check_role_order([message for message, _ in read])
    validators = _Validators(docs)
    source = source or record_id.rsplit("/", 1)[0]
    out, seen_calls, turn = Segments(), set(), 0
    for index, (message, calls) in enumerate(read):
        if message["role"] != "assistant" or not (calls or every_turn):
            continue
        turn += 1
        task_id = f"{record_id}-{turn}"
        history = [m for m, _ in read[:index]]
        ground_truth = [{name: {k: [v] for k, v in args.items()}} for name, args in calls]
        check_calls_known(ground_truth, docs)
        keys = [_call_key(name, args) for name, args in calls]
        if calls and not any(m["role"] == "user" for m in history):
            raise MalformedRow("no_user_message", f"message {index} calls tools unprompted")
        problem = _turn_problem(message, calls, history, read[index + 1 :], validators) or (
            _repeated(keys, seen_calls) if calls else None
        )
        seen_calls.update(keys)
        if problem:
            out.drops.append(Quarantined(task_id, problem, {"messages": [*history, message]}))
            continue
        first = not out.tasks  # no two tasks share a mutable object; the first takes fresh ones
        out.tasks.append(
            {
                "task_id": task_id,
                "source": source,
                "category": infer_category(len(calls), len(docs)) if calls else NO_CALL,
                "messages": history if first else copy.deepcopy(history),
                "tools": docs if first else copy.deepcopy(docs),
                "ground_truth": ground_truth,
            }
        )
    if not out.tasks and not out.drops:
        if every_turn:
            raise MalformedRow("no_assistant_turn", f"none of {len(messages)} messages is one")
        raise MalformedRow("no_tool_calls", f"none of {len(messages)} messages calls a tool")
    return out


def _check_role_order(messages: list[dict[str, Any]]) -> None:
    """A tool result must follow an assistant turn that called tools (or another result)."""
    previous: dict[str, Any] | None = None
    for index, message in enumerate(messages):
        if message["role"] == "tool" and not (
            previous and (previous["role"] == "tool" or previous.get("tool_calls"))
        ):
            after = previous["role"] if previous else "nothing"
            raise MalformedRow("role_order", f"message {index}: a tool result after {after}")
        previous = message


def _turn_problem(
    message: dict[str, Any],
    calls: list[tuple[str, dict[str, Any]]],
    history: list[dict[str, Any]],
    after: list[tuple[dict[str, Any], Any]],
    validators: _Validators,
) -> str | None:
    if not calls:
        if not any(m["role"] == "user" for m in history):
            return "no_user_message: an assistant turn before any user turn"
        return None if message["content"].strip() else "empty_turn"
    for name, arguments in calls:
        if error := validators.error(name, arguments):
            return f"schema_mismatch: {name}: {error}"
    for result, _ in after:
        if result["role"] != "tool":
            break
        if _failed(result["content"]):
            return f"failed_call: {result['content'][:120]}"
    return None


def _repeated(keys: list[str], seen: set[str]) -> str | None:
    for index, key in enumerate(keys):
        if key in seen or key in keys[:index]:
            return f"repeated_call: {key[:120]}"
    return None


def _call_key(name: str, arguments: dict[str, Any]) -> str:
    return f"{name}({json.dumps(arguments, sort_keys=True, ensure_ascii=False)})"


def _failed(content: str) -> bool:
    """A result that says it is an error: ``{"error": ...}`` or text starting ``Error``."""
    try:
        value = json.loads(content)
    except (json.JSONDecodeError, TypeError):
        return bool(FAILED_RESULT.match(content))
    if isinstance(value, dict):
        return bool(value.get("error")) and len(value) <= 2
    return isinstance(value, str) and bool(FAILED_RESULT.match(value))


class _Validators:
    """One jsonschema validator per function, built when a call first needs it."""

    def __init__(self, docs: list[dict[str, Any]]) -> None:
        self._docs = {doc["name"]: doc for doc in docs}
        self._built: dict[str, Any] = {}

    def error(self, name: str, arguments: dict[str, Any]) -> str | None:
        if name not in self._built:
            self._built[name] = _validator(self._docs[name])
        errors = sorted(self._built[name].iter_errors(arguments), key=lambda e: list(e.path))
        if not errors:
            return None
        where = ".".join(map(str, errors[0].path)) or "arguments"
        return f"{where}: {errors[0].message[:160]}"


def _validator(doc: dict[str, Any]) -> Any:
    from jsonschema import Draft202012Validator  # here: the CLI imports this module at start

    schema = as_json_schema(doc["parameters"])
    try:
        Draft202012Validator.check_schema(schema)
    except Exception as error:  # jsonschema's SchemaError and the errors of odd schemas
        raise MalformedRow("invalid_tool", f"{doc['name']}: {str(error)[:160]}") from None
    return Draft202012Validator(schema)


def as_json_schema(schema: object) -> object:
    """BFCL's parameter schema as JSON Schema: ``dict``/``float``/``tuple`` renamed, ``any``
    dropped; other keys kept."""
    if isinstance(schema, list):
        return [as_json_schema(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out = {}
    for key, value in schema.items():
        if key == "type" and isinstance(value, str):
            if value == "any":
                continue
            out[key] = BFCL_TYPES.get(value, value)
        elif key in ("properties", "$defs", "definitions", "patternProperties"):
            out[key] = (
                {k: as_json_schema(v) for k, v in value.items()}
                if isinstance(value, dict)
                else value
            )
        else:
            out[key] = as_json_schema(value) if isinstance(value, dict | list) else value
    return out
