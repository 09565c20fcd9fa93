"""Engine spec strings: ``embedded``, ``openai:URL[,URL...]?model=...``, ``vllm:MODEL?...``,
``fake:SCRIPT`` (the named fake for tests and demos).

A spec is what users type on the CLI and what lineage records, so it is parsed in one place.
Kinds beyond the built-in three (a benchmark's fake, a plug-in) are added with
``datagen.generators.engines.register_engine``, which records them here so they parse.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

KNOWN_KINDS = ("embedded", "openai", "vllm", "fake")
KIND_PATTERN = re.compile(r"[a-z][a-z0-9_-]*")
_registered_kinds: set[str] = set()


def add_kind(kind: str) -> None:
    """Let specs of ``kind`` parse (called by ``register_engine``)."""
    if not KIND_PATTERN.fullmatch(kind):
        raise ValueError(
            f"engine kind {kind!r} must be lower-case letters, digits, '-' or '_', "
            "starting with a letter"
        )
    _registered_kinds.add(kind)


@dataclass(frozen=True)
class EngineSpec:
    """``kind:target?key=value&...`` split into its parts; ``target`` may be empty."""

    kind: str
    target: str = ""
    options: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        text = self.kind + (f":{self.target}" if self.target else "")
        if self.options:
            text += "?" + "&".join(f"{k}={v}" for k, v in sorted(self.options.items()))
        return text


def parse_engine_spec(spec: str, *, known_kind: bool = True) -> EngineSpec:
    """Parse a spec string, failing with a message that lists the accepted forms.

    ``known_kind=False`` accepts any well-formed kind: a run config checks its specs that way,
    since a plug-in kind may be registered only where engines are opened (Ray workers).
    """
    head, _, query = spec.strip().partition("?")
    kind, _, target = head.partition(":")
    known = kind in KNOWN_KINDS or kind in _registered_kinds
    if not known and (known_kind or not KIND_PATTERN.fullmatch(kind)):
        registered = sorted(_registered_kinds)
        raise ValueError(
            f"unknown engine {kind!r} in spec {spec!r}; use one of: embedded, "
            "openai:URL[,URL...]?model=NAME, vllm:MODEL?tp=N, fake:SCRIPT"
            + (f", or a registered kind: {', '.join(registered)}" if registered else "")
        )
    try:
        options = dict(parse_qsl(query, keep_blank_values=True, strict_parsing=bool(query)))
    except ValueError as exc:
        raise ValueError(f"engine spec {spec!r}: malformed options {query!r} ({exc})") from exc
    return EngineSpec(kind=kind, target=target, options=options)
