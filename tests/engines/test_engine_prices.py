"""Prices in engine specs: parsed out, never part of an engine's, a shard's or lineage's key;
and the meter that counts what engines spend."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from datagen.catalog.work_cache import WorkCache
from datagen.flows.stages import engine_shard_stage, run_stage, write_shards
from datagen.generators.engines import Request, Result, open_engine
from datagen.generators.engines.meter import TokenMeter
from datagen.generators.engines.spec import parse_engine_spec, without_prices
from datagen.generators.example import stages


@pytest.mark.parametrize(
    ("spec", "price_in", "price_out", "rest"),
    [
        ("fake:example", None, None, "fake:example"),
        ("fake:example?price_in=0.5", 0.5, None, "fake:example"),
        ("fake:example?price_out=2", None, 2.0, "fake:example"),
        ("openai:http://h:1?model=m&price_in=1.25&price_out=10", 1.25, 10.0, "openai:http://h:1?model=m"),
        ("vllm:/m?price_out=0&tp=2&price_in=3", 3.0, 0.0, "vllm:/m?tp=2"),
    ],
)  # fmt: skip
def test_prices_are_parsed_out_of_the_options(
    spec: str, price_in: float | None, price_out: float | None, rest: str
) -> None:
    parsed = parse_engine_spec(spec)
    assert (parsed.price_in, parsed.price_out) == (price_in, price_out)
    assert "price_in" not in parsed.options and "price_out" not in parsed.options
    assert str(parsed) == str(parse_engine_spec(rest)), "str(spec) is the priceless spec"
    assert without_prices(spec) == rest


@pytest.mark.parametrize(
    "spec",
    ["fake:x?price_in=-1", "fake:x?price_out=abc", "fake:x?price_in=nan", "fake:x?price_in=inf"],
)
def test_a_price_that_is_not_a_non_negative_number_is_refused(spec: str) -> None:
    with pytest.raises(ValueError, match="price in USD per million tokens"):
        parse_engine_spec(spec)


def test_without_prices_keeps_other_options_in_their_order_and_walks_configs() -> None:
    assert without_prices("vllm:m?b=1&price_in=2&a=3") == "vllm:m?b=1&a=3"
    assert without_prices("no spec at all") == "no spec at all"
    assert without_prices(7) == 7
    config = {"engine": "fake:x?price_out=4", "agents": [{"engine": "fake:y?price_in=1&t=2"}]}
    assert without_prices(config) == {"engine": "fake:x", "agents": [{"engine": "fake:y?t=2"}]}


def test_a_priced_spec_opens_the_same_engine_as_the_bare_spec() -> None:
    assert open_engine("fake:example?price_in=1&price_out=2") is open_engine("fake:example")


class Recording:
    """The fake engine, keeping every result it gave."""

    name = model = "fake:example"

    def __init__(self) -> None:
        self.results: list[Result] = []

    def generate(self, requests: Sequence[Request]) -> list[Result]:
        answers = open_engine("fake:example").generate(requests)
        self.results += answers
        return answers

    def close(self) -> None:
        pass


def test_the_meter_counts_each_engines_tokens_under_its_priceless_spec() -> None:
    meter, recording = TokenMeter(), Recording()
    problems = stages.make_problems(3, seed=1).records
    solved = stages.solve_stage(
        problems,
        engines=meter.opener(lambda spec: recording),
        engine="fake:example?price_in=9",
        samples=2,
        seed=1,
    )
    assert len(solved.records) == 6 and len(recording.results) == 3
    (count,) = meter.counts()
    assert count.engine == "fake:example"
    assert count.prompt_tokens == sum(r.prompt_tokens for r in recording.results) > 0
    assert count.completion_tokens == sum(
        c.completion_tokens for r in recording.results for c in r.completions
    )
    assert count.completion_tokens > 0


def test_a_price_does_not_change_a_shards_resume_key(tmp_path: Path) -> None:
    problems = stages.make_problems(4, seed=2).records
    cache = WorkCache(tmp_path)
    (shard,) = write_shards(
        cache, stage="problems", schema_id="example/problem.v1", records=problems, shard_size=4
    )

    def solver(engine: str):
        return engine_shard_stage(
            "solve", "example/attempt.v1", stages.solve_stage, engine=engine, samples=2, seed=2
        )

    first = run_stage(solver("fake:example"), [shard], tmp_path)
    priced = run_stage(solver("fake:example?price_in=3&price_out=7"), [shard], tmp_path)
    other = run_stage(solver("fake:example?delay=0"), [shard], tmp_path)
    assert not first.resumed and priced.resumed, "a price alone reuses the shard"
    assert not other.resumed, "another option is another key"
    assert priced.tokens == first.tokens and first.tokens[0].engine == "fake:example"
    assert first.tokens[0].prompt_tokens > 0
