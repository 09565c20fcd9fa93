"""Engine spec strings: ``embedded``, ``openai:URL[,URL...]?model=...``, ``vllm:MODEL?...``,
``fake:SCRIPT`` (the named fake for tests and demos).

A spec is what users type on the CLI and what lineage records, so it is parsed in one place.
Kinds beyond the built-in three (a benchmark's fake, a plug-in) are added with
``datagen.generators.engines.register_engine``, which records them here so they parse.

Any spec may carry prices, ``price_in=`` and ``price_out=`` (USD per million prompt and
completion tokens), for the version's cost figure. They are not the engine's options: parsing
takes them out (``EngineSpec.price_in``/``price_out``, never in ``str(spec)``), and
``without_prices`` takes them out of a spec (or a config holding specs) before it becomes an
engine's cache key, a resume key or a lineage ref, so a price never changes what is computed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

KNOWN_KINDS = ("embedded", "openai", "vllm", "fake")
PRICE_OPTIONS = ("price_in", "price_out")
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
    price_in: float | None = None
    """USD per million prompt tokens (``price_in=``), or ``None``: not in ``str(spec)``."""
    price_out: float | None = None
    """USD per million completion tokens (``price_out=``), or ``None``."""

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
    prices = {name: _price(spec, name, options.pop(name, None)) for name in PRICE_OPTIONS}
    return EngineSpec(kind=kind, target=target, options=options, **prices)


def _price(spec: str, name: str, given: str | None) -> float | None:
    if given is None:
        return None
    try:
        price = float(given)
    except ValueError:
        price = -1.0
    if not price >= 0 or price == float("inf"):
        raise ValueError(
            f"engine spec {spec!r}: {name}={given!r} must be a price in USD per million "
            "tokens, a number >= 0"
        )
    return price


def without_prices(value: Any) -> Any:
    """``value`` with ``price_in=``/``price_out=`` taken out of every engine spec in it: a
    spec string, or a config's dicts, lists and tuples of them. Other strings and values, and
    the order of a spec's other options, are left as they are."""
    if isinstance(value, str):
        head, sep, query = value.partition("?")
        if not sep or not any(f"{name}=" in query for name in PRICE_OPTIONS):
            return value
        kept = [p for p in query.split("&") if p.partition("=")[0] not in PRICE_OPTIONS]
        return head + ("?" + "&".join(kept) if kept else "")
    if isinstance(value, dict):
        return {key: without_prices(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(without_prices(item) for item in value)
    return value
