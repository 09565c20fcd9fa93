"""``register_engine`` lets a benchmark's named fake (or a plug-in) be opened from a spec."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from datagen.generators.engines import (
    EngineError,
    EngineSpec,
    Request,
    Result,
    open_engine,
    parse_engine_spec,
    register_engine,
)


class EchoEngine:
    """A named fake: answers every request with its id, and remembers the spec it got."""

    model = "echo"

    def __init__(self, spec: EngineSpec) -> None:
        self.name, self.spec = str(spec), spec

    def generate(self, requests: Sequence[Request]) -> list[Result]:
        return [Result(request_id=r.request_id, completions=(), prompt_tokens=0, model="echo")
                for r in requests]  # fmt: skip

    def close(self) -> None:
        pass


def test_a_registered_kind_parses_and_opens_once_per_spec() -> None:
    register_engine("test-echo", EchoEngine)
    engine = open_engine("test-echo:target?b=2&a=1")
    assert isinstance(engine, EchoEngine)
    assert (engine.spec.target, engine.spec.options) == ("target", {"a": "1", "b": "2"})
    assert open_engine("test-echo:target?a=1&b=2") is engine, "same spec, same engine"
    assert open_engine("test-echo:other") is not engine


def test_unknown_kinds_are_refused_with_the_registered_ones_listed() -> None:
    register_engine("test-listed", EchoEngine)
    with pytest.raises(ValueError, match=r"unknown engine 'nope'.*registered kind: .*test-listed"):
        parse_engine_spec("nope:x")


@pytest.mark.parametrize(
    ("kind", "error"),
    [
        ("embedded", "built in"),
        ("openai", "built in"),
        ("", "lower-case"),
        ("Fake", "lower-case"),
        ("fake:latency", "lower-case"),
        ("fake?x", "lower-case"),
        ("9fake", "lower-case"),
    ],
)
def test_bad_kinds_cannot_be_registered(kind: str, error: str) -> None:
    with pytest.raises(ValueError, match=error):
        register_engine(kind, EchoEngine)


def test_a_factory_error_reaches_the_caller() -> None:
    def broken(spec: EngineSpec) -> EchoEngine:
        raise EngineError(f"cannot build {spec}")

    register_engine("test-broken", broken)
    with pytest.raises(EngineError, match="cannot build test-broken:x"):
        open_engine("test-broken:x")
