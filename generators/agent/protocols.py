"""How an agent's turn is written: tags (``<search>q</search>`` … ``<answer>a</answer>``) or JSON
objects (``{"tool_name": ..., "question": ...}``), read back as a tool call, a final answer, or
a malformed turn with its reason.

A tag turn ends at the tool's closing tag through a stop string, so the model stops where the
tool's output goes and never writes an observation itself; engines drop the stop string from
the text, so ``parse`` puts it back in the recorded turn. A JSON turn ends where its object
ends (a JSON Schema constrains it where the engine supports one); what follows the object is
dropped. A final turn may be free text (a detective's caption). Native tool calls
(``ToolsProtocol``) come back parsed by the engine (``Completion.tool_calls``); their results
go back as ``tool`` messages, and the final answer is an ``<answer>`` block.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from datagen.generators.agent.tools import Tool, ToolOutput
from datagen.generators.engines.base import Completion, ResponseFormat


@dataclass(frozen=True)
class ToolTurn:
    """A call of ``tool`` with ``input``; ``text`` is the turn as recorded."""

    text: str
    tool: str
    input: str
    arguments: dict | None = None
    """A native call's arguments, as the engine parsed them (its message carries the call)."""


@dataclass(frozen=True)
class FinalTurn:
    text: str
    answer: str


@dataclass(frozen=True)
class MalformedTurn:
    """A turn the protocol cannot read; ``reason`` is ``code: detail``."""

    text: str
    reason: str


Turn = ToolTurn | FinalTurn | MalformedTurn


class TurnProtocol(Protocol):
    """What the loop asks of a protocol."""

    final_instruction: str
    """The user message that asks for the final answer when the last turn must be one."""
    observation_role: str
    """The role tool outputs have when sent to the engine (``user`` where a chat template has
    no ``tool`` role; ``tool`` for native calls). They are recorded as ``tool`` either way."""

    def stop(self, tools: Sequence[Tool]) -> tuple[str, ...]: ...

    def response_format(self, tools: Sequence[Tool], *, final: bool) -> ResponseFormat | None: ...

    def request_tools(self, tools: Sequence[Tool]) -> tuple[dict, ...]: ...

    def parse(self, completion: Completion, *, final: bool) -> Turn: ...

    def observation(self, output: ToolOutput) -> str: ...


@dataclass(frozen=True, kw_only=True)
class TagProtocol:
    """``<tool>input</tool>`` calls a tool, ``<answer>…</answer>`` ends the trajectory, and the
    tool's output comes back as ``<result>…</result>`` (A²Search, Search-R1)."""

    tool_names: tuple[str, ...]
    answer_tag: str = "answer"
    result_tag: str = "result"
    final_instruction: str = "Give your final answer now, inside <answer></answer>."
    observation_role: str = "user"

    def stop(self, tools: Sequence[Tool]) -> tuple[str, ...]:
        return tuple(f"</{name}>" for name in (*self.tool_names, self.answer_tag))

    def response_format(self, tools: Sequence[Tool], *, final: bool) -> ResponseFormat | None:
        return None

    def request_tools(self, tools: Sequence[Tool]) -> tuple[dict, ...]:
        return ()

    def parse(self, completion: Completion, *, final: bool) -> Turn:
        return self.parse_text(completion.text, completion.finish_reason, final=final)

    def parse_text(self, text: str, finish_reason: str, *, final: bool) -> Turn:
        tags = (*self.tool_names, self.answer_tag)
        opening = re.search("|".join(f"<{re.escape(tag)}>" for tag in tags), text)
        if opening is None:
            if finish_reason == "length":
                return MalformedTurn(text, "truncated: no tag before the token limit")
            wanted = " or ".join(f"<{tag}>…</{tag}>" for tag in tags)
            return MalformedTurn(text, f"no_tag: expected {wanted}")
        tag = opening.group(0)[1:-1]
        closing = f"</{tag}>"
        body_start = opening.end()
        end = text.find(closing, body_start)
        if end >= 0:  # an engine that keeps the stop string, or a tag closed early
            recorded, body = text[: end + len(closing)], text[body_start:end]
        elif finish_reason == "stop":  # stopped at the closing tag, which the engine dropped
            recorded, body = text + closing, text[body_start:]
        else:
            return MalformedTurn(text, f"truncated: <{tag}> not closed ({finish_reason})")
        body = body.strip()
        if not body:
            return MalformedTurn(recorded, f"empty: <{tag}> holds nothing")
        if tag == self.answer_tag:
            return FinalTurn(recorded, body)
        if final:
            return MalformedTurn(recorded, f"tool_in_final_turn: <{tag}> where an answer was due")
        return ToolTurn(recorded, tag, body)

    def observation(self, output: ToolOutput) -> str:
        body = output.error if output.error is not None else _text(output.output)
        return f"<{self.result_tag}>\n{body}\n</{self.result_tag}>"


@dataclass(frozen=True, kw_only=True)
class JsonProtocol:
    """``{"tool_name": ..., "question": ...}`` asks a tool; the final turn is free text, or
    ``{"answer": ...}`` (Omni-Detective's inquiries, then its caption)."""

    tool_key: str = "tool_name"
    input_key: str = "question"
    answer_key: str = "answer"
    constrained: bool = True
    """Ask the engine for the call's JSON Schema on every turn that is not the final one."""
    final_instruction: str = "Now write the final answer as plain text."
    observation_role: str = "user"
    stops: tuple[str, ...] = ()
    """Where a turn ends early: a base model writing its free-text answer goes on with turns
    of its own (``"\nUser:"``) unless stopped; a schema-constrained call ends with its JSON."""

    def stop(self, tools: Sequence[Tool]) -> tuple[str, ...]:
        return self.stops

    def request_tools(self, tools: Sequence[Tool]) -> tuple[dict, ...]:
        return ()

    def response_format(self, tools: Sequence[Tool], *, final: bool) -> ResponseFormat | None:
        if final or not self.constrained:
            return None
        return ResponseFormat.from_json_schema(
            {
                "type": "object",
                "properties": {
                    self.tool_key: {"enum": [tool.name for tool in tools]},
                    self.input_key: {"type": "string", "minLength": 1},
                },
                "required": [self.tool_key, self.input_key],
                "additionalProperties": False,
            }
        )

    def parse(self, completion: Completion, *, final: bool) -> Turn:
        text, finish_reason = completion.text, completion.finish_reason
        start = text.find("{")
        if final or start < 0 or text[:start].strip():
            answer = text.strip()
            if not answer:
                return MalformedTurn(text, "empty: no call and no answer")
            return FinalTurn(text, answer)
        try:
            value, end = json.JSONDecoder().raw_decode(text, start)
        except json.JSONDecodeError as exc:
            code = "truncated" if finish_reason == "length" else "invalid_json"
            return MalformedTurn(text, f"{code}: {exc.msg} at {exc.pos}")
        recorded = text[:end]
        if isinstance(value, dict) and isinstance(value.get(self.answer_key), str):
            return FinalTurn(recorded, value[self.answer_key].strip())
        tool, question = (value.get(k) if isinstance(value, dict) else None for k in self._keys)
        if not isinstance(tool, str) or not isinstance(question, str) or not question.strip():
            keys = " and ".join(repr(k) for k in self._keys)
            return MalformedTurn(recorded, f"bad_call: needs {keys} as strings")
        return ToolTurn(recorded, tool, question.strip())

    @property
    def _keys(self) -> tuple[str, str]:
        return self.tool_key, self.input_key

    def observation(self, output: ToolOutput) -> str:
        return output.error if output.error is not None else _text(output.output)


@dataclass(frozen=True, kw_only=True)
class ToolsProtocol:
    """Native tool calls: the engine renders the tools' function specs in its chat template and
    parses the calls back; a call's ``input_key`` argument is the tool's input; the final
    answer is an ``<answer>`` block (verl's multi-turn tool recipes). Only the first call of a
    turn runs; the others are recorded in the turn's message and not answered."""

    input_key: str = "query"
    answer_tag: str = "answer"
    final_instruction: str = "Give your final answer now, inside <answer></answer>."
    observation_role: str = "tool"

    def stop(self, tools: Sequence[Tool]) -> tuple[str, ...]:
        return (f"</{self.answer_tag}>",)

    def response_format(self, tools: Sequence[Tool], *, final: bool) -> ResponseFormat | None:
        return None

    def request_tools(self, tools: Sequence[Tool]) -> tuple[dict, ...]:
        return tuple(
            {
                "type": "function",
                "function": {
                    "name": tool.name,
                    "description": tool.description,
                    "parameters": {
                        "type": "object",
                        "properties": {self.input_key: {"type": "string"}},
                        "required": [self.input_key],
                    },
                },
            }
            for tool in tools
        )

    def parse(self, completion: Completion, *, final: bool) -> Turn:
        if not completion.tool_calls:
            answers = TagProtocol(tool_names=(), answer_tag=self.answer_tag)
            return answers.parse_text(completion.text, completion.finish_reason, final=True)
        call = completion.tool_calls[0]
        if final:
            return MalformedTurn(completion.text, f"tool_in_final_turn: a call of {call.name!r}")
        value = call.arguments.get(self.input_key)
        if not isinstance(value, str) or not value.strip():
            return MalformedTurn(completion.text, f"bad_call: needs {self.input_key!r} as text")
        return ToolTurn(completion.text, call.name, value.strip(), arguments=dict(call.arguments))

    def observation(self, output: ToolOutput) -> str:
        return output.error if output.error is not None else _text(output.output)


def _text(output: object) -> str:
    return output if isinstance(output, str) else json.dumps(output, ensure_ascii=False)
