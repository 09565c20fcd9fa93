"""Engines: one interface (``base``), built from a spec string by ``open_engine``.

Three kinds are built in, plus the named fake ``fake:SCRIPT`` for tests and demos;
``register_engine`` adds others (a benchmark's fake engine, an engine a user's package
provides) without editing this module.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from datagen.generators.engines.base import (
    Completion,
    Engine,
    EngineError,
    Request,
    ResponseFormat,
    Result,
    Sampling,
    ToolCall,
)
from datagen.generators.engines.spec import KNOWN_KINDS, EngineSpec, add_kind, parse_engine_spec

__all__ = [
    "Completion",
    "Engine",
    "EngineError",
    "EngineSpec",
    "Request",
    "ResponseFormat",
    "Result",
    "Sampling",
    "ToolCall",
    "open_engine",
    "parse_engine_spec",
    "register_engine",
]

EngineFactory = Callable[[EngineSpec], Engine]

_open: dict[str, Engine] = {}
_open_lock = threading.Lock()
_factories: dict[str, EngineFactory] = {}


def register_engine(kind: str, factory: EngineFactory) -> None:
    """Let ``open_engine`` build specs of ``kind`` (``kind:target?options``) with ``factory``.

    Built-in kinds cannot be replaced. Registering a kind again replaces its factory for
    engines opened afterwards; an engine already open stays the process's engine for its spec.
    """
    if kind in KNOWN_KINDS:
        raise ValueError(f"engine kind {kind!r} is built in and cannot be registered again")
    add_kind(kind)
    with _open_lock:
        _factories[kind] = factory


def open_engine(spec: str) -> Engine:
    """The process's engine for ``spec``, created on first use and reused by every shard.

    Loading a model costs seconds to minutes, so one engine per process and spec is kept.
    """
    parsed = parse_engine_spec(spec)
    key = str(parsed)
    with _open_lock:
        if key not in _open:
            _open[key] = _build(parsed)
        return _open[key]


def _build(spec: EngineSpec) -> Engine:
    if spec.kind == "embedded":
        from datagen.generators.engines.embedded import EmbeddedEngine

        return EmbeddedEngine.from_spec(spec)
    if spec.kind == "openai":
        from datagen.generators.engines.openai import OpenAIEngine

        return OpenAIEngine.from_spec(spec)
    if spec.kind == "vllm":
        from datagen.generators.engines.vllm import VLLMEngine

        return VLLMEngine.from_spec(spec)
    if spec.kind == "fake":
        from datagen.generators.engines.fake import FakeScriptedEngine

        return FakeScriptedEngine.from_spec(spec)
    if spec.kind in _factories:
        return _factories[spec.kind](spec)
    raise EngineError(f"engine {spec.kind!r} is not available in this build (spec {spec})")
