"""ToolPref-Pairwise end to end on ``vllm:`` with the tiny model, in this process, then
``datagen catalog show`` on what it published, as a user types it.

The flow's ``open_engine`` finds the session's engine under the same spec, so the model is
loaded once (a ``datagen run`` in a fresh process would load a second vLLM, about 40 s here
and two minutes on CI's cores, for the same code path). The engine has native tools
(``tool_parser=hermes``), so ``constrain="on"`` asks for grammar-constrained answers (``auto``
would leave them free): the random model then writes call lists (mostly truncated or wrong,
sometimes scorable), enough for pairs to form.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from datagen.catalog import Catalog, Store
from datagen.schemas import first_error

from ..flows.conftest import datagen

pytestmark = pytest.mark.vllm

SOURCE = Path(__file__).parents[1] / "flows" / "data" / "tools_openai.jsonl"
SAMPLES, MAX_TOKENS = 4, 96


@pytest.fixture(scope="module")
def published(vllm_engine, vllm_spec: str, prefect_harness, tmp_path_factory) -> tuple[Path, dict]:
    """One run of the flow on vLLM: its store and what the flow returned."""
    from datagen.flows.toolpref import toolpref
    from datagen.generators.toolpref.recipe import ToolPrefConfig

    store = tmp_path_factory.mktemp("toolpref-on-vllm")
    config = ToolPrefConfig(  # the random tiny model is never right: graded credit, no filter
        source=str(SOURCE), samples=SAMPLES, shard_size=2, max_tokens=MAX_TOKENS,
        engine=vllm_spec, rule="bfcl", difficulty_filter=False, constrain="on",
    )  # fmt: skip
    return store, toolpref(config, store=str(store))


def test_toolpref_publishes_pairs_generated_by_vllm(
    published: tuple[Path, dict], vllm_engine, vllm_spec: str
) -> None:
    store, info = published
    catalog = Catalog(Store(store))
    rows = catalog.read(info["ref"]).to_pylist()
    assert rows and len(rows) == info["rows"]
    assert Counter(r["label"] for r in rows) == {1: len(rows) // 2, 2: len(rows) // 2}
    for row in rows:
        assert first_error("toolpref/critique.v2", row) is None
    shown = catalog.show(info["ref"])
    assert shown["params"]["engine"] == vllm_spec
    assert {"kind": "source", "ref": f"engine:{vllm_spec}", "role": "generator"} in [
        {"kind": e["kind"], "ref": e["ref"], "role": (e["details"] or {}).get("role")}
        for e in shown["lineage"]
    ]
    counts = {c["stage"]: c for c in shown["stage_counts"]}
    assert counts["generate"]["n_in"] == counts["source"]["n_out"] * SAMPLES
    assert counts["generate"]["n_quarantined"] == 0, "no request failed in the engine"

    scored = (store / "_work" / "toolpref-score").glob("*/data.parquet")
    candidates = [c for path in scored for c in pq.read_table(path).to_pylist()]
    assert len(candidates) == counts["generate"]["n_out"]
    assert {c["engine"] for c in candidates} == {vllm_spec}
    assert {c["model"] for c in candidates} == {vllm_engine.model}
    assert all(
        c["completion_tokens"] <= MAX_TOKENS and c["prompt_tokens"] > 100 for c in candidates
    )
    assert len({c["score"] for c in candidates}) > 1, "scores must differ for pairs to form"


def test_catalog_show_names_the_vllm_engine_in_the_lineage(
    published: tuple[Path, dict], vllm_spec: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The published version as the real ``datagen catalog show`` prints it: JSON and table."""
    store, info = published
    monkeypatch.setenv("COLUMNS", "400")  # rich's tables: no wrapping of the long engine spec
    shown = json.loads(_catalog_show(store, "--json"))
    assert (shown["ref"], shown["row_count"]) == (info["ref"], info["rows"])
    assert shown["params"]["engine"] == vllm_spec
    summary = _catalog_show(store)
    lineage = summary[summary.index("lineage") :]
    assert re.search(rf"│ source +│ {re.escape(f'engine:{vllm_spec}')} +│", lineage), summary


def _catalog_show(store: Path, *args: str) -> str:
    return datagen("catalog", "show", "toolpref-pairwise@latest", *args, store=store).stdout
