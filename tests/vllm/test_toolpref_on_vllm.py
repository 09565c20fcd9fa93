"""ToolPref-Pairwise end to end on ``vllm:`` with the tiny model, in this process.

The flow's ``open_engine`` finds the session's engine under the same spec, so the model is
loaded once. The engine has native tools (``tool_parser=hermes``), so ``constrain="on"`` asks for
grammar-constrained answers (``auto`` would leave them free): the random model then writes call
lists (mostly truncated or wrong, sometimes scorable), enough for pairs to form.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from datagen.catalog import Catalog, Store
from datagen.schemas import first_error

pytestmark = pytest.mark.vllm

SOURCE = Path(__file__).parents[1] / "flows" / "data" / "tools_openai.jsonl"


def test_toolpref_publishes_pairs_generated_by_vllm(
    vllm_engine, vllm_spec: str, prefect_harness, tmp_path: Path
) -> None:
    from datagen.flows.toolpref import toolpref
    from datagen.generators.toolpref.recipe import ToolPrefConfig

    config = ToolPrefConfig(  # the random tiny model is never right: graded credit, no filter
        source=str(SOURCE), samples=4, shard_size=2, max_tokens=96, engine=vllm_spec,
        rule="bfcl", difficulty_filter=False, constrain="on",
    )  # fmt: skip
    info = toolpref(config, store=str(tmp_path))

    catalog = Catalog(Store(tmp_path))
    rows = catalog.read(info["ref"]).to_pylist()
    assert rows and len(rows) == info["rows"]
    assert Counter(r["label"] for r in rows) == {1: len(rows) // 2, 2: len(rows) // 2}
    for row in rows:
        assert first_error("toolpref/critique.v2", row) is None
    shown = catalog.show(info["ref"])
    assert f"engine:{vllm_spec}" in {entry["ref"] for entry in shown["lineage"]}
    counts = {c["stage"]: c for c in shown["stage_counts"]}
    assert counts["generate"]["n_in"] == counts["source"]["n_out"] * 4
    assert counts["generate"]["n_quarantined"] == 0, "no request failed in the engine"

    scored = (tmp_path / "_work" / "toolpref-score").glob("*/data.parquet")
    candidates = [c for path in scored for c in pq.read_table(path).to_pylist()]
    assert len(candidates) == counts["generate"]["n_out"]
    assert {c["engine"] for c in candidates} == {vllm_spec}
    assert {c["model"] for c in candidates} == {vllm_engine.model}
    assert all(c["completion_tokens"] <= 96 and c["prompt_tokens"] > 100 for c in candidates)
    assert len({c["score"] for c in candidates}) > 1, "scores must differ for pairs to form"
