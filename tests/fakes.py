"""Fakes for what the tests must inject: engine answers a real engine would not give on cue."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from datagen.generators.engines import Request, Result


class FakeResultsEngine:
    """Answers each request with the ``Result`` prepared for its id (a fault injector: engine
    errors, truncated answers, missing completions); records every ``generate`` call."""

    def __init__(self, results: Mapping[str, Result], *, name: str = "fake-results") -> None:
        self.results, self.name, self.model = dict(results), name, "fake-results"
        self.calls: list[list[str]] = []

    def generate(self, requests: Sequence[Request]) -> list[Result]:
        self.calls.append([r.request_id for r in requests])
        return [self.results[r.request_id] for r in requests]

    def close(self) -> None:
        pass
