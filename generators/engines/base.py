"""The one request/result shape every engine speaks.

A dataset's generation logic builds ``Request`` objects and hands a whole shard of them to
``Engine.generate`` in one call; the engine decides how to batch. Keeping the types plain
dataclasses (no engine objects inside) lets requests be hashed into resume keys and results
be written straight to Parquet.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, get_args

ErrorKind = Literal["timeout", "refused", "context_length", "invalid_output", "other"]
"""Why an engine could not complete a request, in the one vocabulary quarantine reasons use
(``engine_error:<kind>: <message>``): too slow, refused by the server or engine, a prompt too
long for the context, an answer that is not what was asked for, anything else."""
ERROR_KINDS: tuple[str, ...] = get_args(ErrorKind)

Message = dict[str, Any]
"""An OpenAI-style chat message: ``{"role": ..., "content": ...}`` (plus ``tool_calls``)."""


@dataclass(frozen=True, kw_only=True)
class Sampling:
    """Sampling parameters of one request; ``seed`` makes the request's texts reproducible."""

    temperature: float = 0.8
    top_p: float = 1.0
    max_tokens: int = 256
    n: int = 1
    seed: int = 0
    stop: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class ResponseFormat:
    """A constraint on the text: exactly one of ``json_schema``, ``choice`` or ``regex``."""

    kind: Literal["json_schema", "choice", "regex"]
    json_schema: dict[str, Any] | None = None
    choice: tuple[str, ...] = ()
    regex: str | None = None

    def __post_init__(self) -> None:
        given = {
            "json_schema": self.json_schema is not None,
            "choice": bool(self.choice),
            "regex": self.regex is not None,
        }
        if not given[self.kind] or sum(given.values()) != 1:
            raise ValueError(
                f"ResponseFormat(kind={self.kind!r}) needs exactly its own field set, got {given}"
            )

    @classmethod
    def from_json_schema(cls, schema: dict[str, Any]) -> ResponseFormat:
        return cls(kind="json_schema", json_schema=schema)

    @classmethod
    def from_choices(cls, choices: Sequence[str]) -> ResponseFormat:
        return cls(kind="choice", choice=tuple(choices))

    @classmethod
    def from_regex(cls, pattern: str) -> ResponseFormat:
        return cls(kind="regex", regex=pattern)


@dataclass(frozen=True, kw_only=True)
class Request:
    """One prompt to complete ``sampling.n`` times.

    Give either ``messages`` (chat) or ``prompt`` (raw completion, for base models).
    ``tools`` are OpenAI function tools; engines that support them render them and parse the
    calls back into ``Completion.tool_calls``.
    """

    request_id: str
    messages: tuple[Message, ...] = ()
    prompt: str | None = None
    sampling: Sampling = field(default_factory=Sampling)
    response_format: ResponseFormat | None = None
    tools: tuple[dict[str, Any], ...] = ()

    def __post_init__(self) -> None:
        if (self.prompt is None) == (not self.messages):
            raise ValueError(f"request {self.request_id!r}: give exactly one of messages or prompt")


@dataclass(frozen=True, kw_only=True)
class ToolCall:
    """A parsed function call; ``arguments`` is the decoded JSON object."""

    name: str
    arguments: dict[str, Any]


@dataclass(frozen=True, kw_only=True)
class Completion:
    """One of the n texts of a result."""

    text: str
    finish_reason: str
    completion_tokens: int
    tool_calls: tuple[ToolCall, ...] = ()


@dataclass(frozen=True, kw_only=True)
class Result:
    """The engine's answer to one request: ``len(completions) == request.sampling.n``."""

    request_id: str
    completions: tuple[Completion, ...]
    prompt_tokens: int
    model: str
    error: str | None = None
    """Set when the engine could not complete this request (the rest of the batch goes on)."""
    error_kind: ErrorKind | None = None
    """The kind of ``error`` (``other`` when an engine does not say)."""


class Engine(Protocol):
    """Anything that turns a batch of requests into results, in the same order."""

    name: str
    """The spec string that built the engine, recorded in every candidate's lineage."""

    model: str

    def generate(self, requests: Sequence[Request]) -> list[Result]: ...

    def close(self) -> None: ...


class EngineError(RuntimeError):
    """A failure that no retry will fix (bad spec, refused request, missing model)."""
