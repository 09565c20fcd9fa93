"""How an agent's turn is written: tags (``<search>q</search>`` … ``<answer>a</answer>``) or JSON
objects (``{"tool_name": ..., "question": ...}``), read back as a tool call, a final answer, or
a malformed turn with its reason.

A tag turn ends at the tool's closing tag through a stop string, so the model stops where the
tool's output goes and never writes an observation itself; engines drop the stop string from
the text, so ``parse`` puts it back in the recorded turn. A JSON turn ends where its object
ends (a JSON Schema constrains it where the engine supports one); what follows the object is
dropped. A final turn may be free text (a detective's caption).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from datagen.generators.agent.tools import Tool, ToolOutput
from datagen.generators.engines.base import ResponseFormat


@dataclass(frozen=True)
class ToolTurn:
    """A call of ``tool`` with ``input``; ``text`` is the turn as recorded."""

    text: str
    tool: str
    input: str


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

    def stop(self, tools: Sequence[Tool]) -> tuple[str, ...]: ...

    def response_format(self, tools: Sequence[Tool], *, final: bool) -> ResponseFormat | None: ...

    def parse(self, text: str, finish_reason: str, *, final: bool) -> Turn: ...

    def observation(self, output: ToolOutput) -> str: ...


@dataclass(frozen=True, kw_only=True)
class TagProtocol:
    """``<tool>input</tool>`` calls a tool, ``<answer>…</answer>`` ends the trajectory, and the
    tool's output comes back as ``<result>…</result>`` (A²Search, Search-R1)."""

    tool_names: tuple[str, ...]
    answer_tag: str = "answer"
    result_tag: str = "result"
    final_instruction: str = "Give your final answer now, inside <answer></answer>."

    def stop(self, tools: Sequence[Tool]) -> tuple[str, ...]:
        return tuple(f"</{name}>" for name in (*self.tool_names, self.answer_tag))

    def response_format(self, tools: Sequence[Tool], *, final: bool) -> ResponseFormat | None:
        return None

    def parse(self, text: str, finish_reason: str, *, final: bool) -> Turn:
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

    def stop(self, tools: Sequence[Tool]) -> tuple[str, ...]:
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

    def parse(self, text: str, finish_reason: str, *, final: bool) -> Turn:
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


def _text(output: object) -> str:
    return output if isinstance(output, str) else json.dumps(output, ensure_ascii=False)
