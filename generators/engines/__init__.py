"""Engines: one interface (``base``), built from a spec string by ``open_engine``."""

from __future__ import annotations

import threading

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
from datagen.generators.engines.spec import EngineSpec, parse_engine_spec

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
]

_open: dict[str, Engine] = {}
_open_lock = threading.Lock()


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
    raise EngineError(f"engine {spec.kind!r} is not available in this build (spec {spec})")
