"""The worked example's tokens: a run records what its engine spent per stage, a resumed run
(shards reused from the store) records the same, and a price in the spec gives a cost without
recomputing anything."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from datagen.catalog import Catalog, Store
from datagen.generators.engines import open_engine
from datagen.generators.engines.meter import TokenMeter
from datagen.generators.example import stages
from datagen.generators.example.recipe import ExampleConfig

SETTINGS = {"problems": 12, "samples": 2, "shard_size": 4, "seed": 5, "max_pass_rate": 1.0}


def run_example(store: Store, **overrides: str) -> dict:
    """The example flow in this process (imported here, after the session's Prefect server is
    set: importing Prefect's flows earlier would start a server of their own)."""
    from datagen.flows.example import example

    return example(ExampleConfig(**SETTINGS, **overrides), store=str(store.root))


def solve_entries(store: Store) -> dict[str, int]:
    """The solve stage's stored shards: key → when its entry was written."""
    return {
        entry.name: (entry / "meta.json").stat().st_mtime_ns
        for entry in (store.work_dir / "example-solve").iterdir()
    }


def test_a_resumed_run_records_the_tokens_of_a_fresh_one(tmp_path: Path) -> None:
    store = Store.resolve(tmp_path / "store")
    fresh = run_example(store)
    written = solve_entries(store)
    assert len(written) == 3, "three shards of four questions"
    lost = sorted(written)[1]
    shutil.rmtree(store.work_dir / "example-solve" / lost)  # recomputed; the other two reused
    resumed = run_example(store)
    again = solve_entries(store)
    assert again.keys() == written.keys() and again[lost] != written[lost]
    assert [k for k in again if again[k] == written[k]] == [k for k in written if k != lost]

    catalog = Catalog(store)
    first, second = (catalog.show(r["ref"])["tokens"] for r in (fresh, resumed))
    assert second == first
    (row,) = first["rows"]
    assert (row["stage"], row["engine"], row["cost"]) == ("solve", "fake:example", None)
    # the same requests in one batch, counted directly: sharding and resuming add nothing
    meter = TokenMeter()
    problems = stages.make_problems(12, seed=5).records
    stages.solve_stage(
        problems, engines=meter.opener(open_engine), engine="fake:example", samples=2, seed=5
    )
    (direct,) = meter.counts()
    assert (row["prompt_tokens"], row["completion_tokens"]) == (
        direct.prompt_tokens,
        direct.completion_tokens,
    )
    assert first["prompt_tokens"] == direct.prompt_tokens > 0
    assert catalog.token_totals()[("example", 2)]["completion_tokens"] == direct.completion_tokens


def test_a_price_gives_a_cost_and_reuses_every_shard(tmp_path: Path) -> None:
    store = Store.resolve(tmp_path / "store")
    plain = run_example(store)
    written = solve_entries(store)
    priced = run_example(store, engine="fake:example?price_in=2.5&price_out=10")
    assert solve_entries(store) == written, "every shard reused, none written again"

    catalog = Catalog(store)
    before, after = catalog.show(plain["ref"]), catalog.show(priced["ref"])
    assert after["content_hash"] == before["content_hash"]
    assert [e["ref"] for e in after["lineage"]] == [e["ref"] for e in before["lineage"]]
    assert "engine:fake:example" in [e["ref"] for e in after["lineage"]]
    tokens = after["tokens"]
    assert tokens["prompt_tokens"] == before["tokens"]["prompt_tokens"] > 0
    expected = (tokens["prompt_tokens"] * 2.5 + tokens["completion_tokens"] * 10) / 1e6
    assert tokens["cost"] == pytest.approx(expected)
    assert tokens["rows"][0]["cost"] == pytest.approx(expected)
    assert before["tokens"]["cost"] is None
