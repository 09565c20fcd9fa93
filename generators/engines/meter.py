"""Tokens engines spend, counted where a stage opens its engines.

A stage that calls engines gets an opener (``spec -> Engine``); ``TokenMeter.opener`` wraps
one so that every ``generate`` of the engines it opens adds its results' prompt and completion
tokens to the meter, per engine spec (without its prices). A shard stage runs under its own
meter and stores the counts with its output, so a resumed shard brings back what it spent.
The engines themselves are untouched: ``open_engine`` still returns the process's engine.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from datagen.generators.engines.base import Engine, Request, Result
from datagen.generators.engines.spec import without_prices


@dataclass(frozen=True, kw_only=True)
class TokenCount:
    """Tokens one engine spent: the prompts it read and the completions it wrote."""

    engine: str
    prompt_tokens: int
    completion_tokens: int

    @classmethod
    def of(cls, engine: str, results: Sequence[Result]) -> TokenCount:
        return cls(
            engine=engine,
            prompt_tokens=sum(r.prompt_tokens for r in results),
            completion_tokens=sum(c.completion_tokens for r in results for c in r.completions),
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "engine": self.engine,
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
        }


class TokenMeter:
    """Token counts per engine spec, added to by the engines of ``opener`` (thread-safe: a
    stage's tools may call engines from their own threads)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[str, tuple[int, int]] = {}

    def add(self, spec: str, results: Sequence[Result]) -> None:
        count = TokenCount.of(without_prices(spec), results)
        with self._lock:
            prompt, completion = self._counts.get(count.engine, (0, 0))
            self._counts[count.engine] = (
                prompt + count.prompt_tokens,
                completion + count.completion_tokens,
            )

    def counts(self) -> list[TokenCount]:
        """One count per engine, in the order the engines were first used."""
        with self._lock:
            return [
                TokenCount(engine=engine, prompt_tokens=prompt, completion_tokens=completion)
                for engine, (prompt, completion) in self._counts.items()
            ]

    def opener(self, open_engine: Callable[[str], Engine]) -> Callable[[str], Engine]:
        """``open_engine``, its engines counted into this meter."""

        def open_metered(spec: str) -> Engine:
            return MeteredEngine(open_engine(spec), spec=spec, meter=self)

        return open_metered


class MeteredEngine:
    """An engine whose answers are counted into a meter; otherwise the engine itself."""

    def __init__(self, engine: Engine, *, spec: str, meter: TokenMeter) -> None:
        self.engine, self.spec, self.meter = engine, spec, meter
        self.name, self.model = engine.name, engine.model

    def generate(self, requests: Sequence[Request]) -> list[Result]:
        results = self.engine.generate(requests)
        self.meter.add(self.spec, results)
        return results

    def close(self) -> None:
        self.engine.close()
