"""``datagen run toolpref --engine vllm:...`` as a user types it, then ``datagen catalog show``.

One run of the real command line in a fresh process (its own vLLM engine on the tiny model,
its own ephemeral Prefect API), on four tasks of the flows' sample source. The tiny model's
text is meaningless, but ``--constrain on`` holds answers to the tasks' call schema (the
engine has native tools, where ``auto`` leaves them free), so it writes
call lists with differing scores and the default ``--min-margin`` leaves pairs (6 rows at
seed 0 when written). About 1 minute on 2 cores.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

pytestmark = pytest.mark.vllm

SOURCE = Path(__file__).parents[1] / "flows" / "data" / "tools_openai.jsonl"
LIMIT, SAMPLES = 4, 4
ENV = {
    # The ephemeral Prefect API starts in 20 s by default; a busy 2-core machine needs more.
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
    "COLUMNS": "400",  # rich's tables: no wrapping of the long engine spec in `catalog show`
}


def datagen(*args: str, timeout: float = 900) -> subprocess.CompletedProcess:
    """Run the real ``datagen`` command line in a fresh process; fail with its stderr."""
    done = subprocess.run(
        [sys.executable, "-m", "datagen.flows.cli", *args],
        env=os.environ | ENV,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, f"datagen {' '.join(args)}:\n{done.stderr[-3000:]}"
    return done


def test_cli_run_on_vllm_publishes_a_version_whose_lineage_names_the_engine(
    vllm_spec: str, tiny_model: Path, tmp_path: Path
) -> None:
    store = str(tmp_path)
    run = datagen(
        "run", "toolpref", "--source", str(SOURCE), "--limit", str(LIMIT),
        "--samples", str(SAMPLES), "--shard-size", "2", "--max-tokens", "96",
        "--engine", vllm_spec, "--store", store,
        "--rule", "bfcl", "--no-difficulty-filter", "--constrain", "on",  # random: never right
    )  # fmt: skip
    published = re.search(r"^published toolpref-pairwise@1: (\d+) rows$", run.stdout, re.M)
    assert published, run.stdout[-3000:]
    rows = int(published[1])
    assert rows > 0

    shown = json.loads(
        datagen("catalog", "show", "toolpref-pairwise@latest", "--store", store, "--json").stdout
    )
    assert (shown["ref"], shown["row_count"]) == ("toolpref-pairwise@1", rows)
    assert shown["params"]["engine"] == vllm_spec
    assert {"kind": "source", "ref": f"engine:{vllm_spec}", "role": "generator"} in [
        {"kind": e["kind"], "ref": e["ref"], "role": (e["details"] or {}).get("role")}
        for e in shown["lineage"]
    ]
    assert shown["stats"]["labels"] == {"1": rows // 2, "2": rows // 2}
    counts = {c["stage"]: c for c in shown["stage_counts"]}
    assert counts["generate"]["n_in"] == counts["source"]["n_out"] * SAMPLES == LIMIT * SAMPLES
    assert counts["generate"]["n_quarantined"] == 0, "no request failed in the engine"

    summary = datagen("catalog", "show", "toolpref-pairwise@latest", "--store", store).stdout
    lineage = summary[summary.index("lineage") :]
    assert re.search(rf"│ source +│ {re.escape(f'engine:{vllm_spec}')} +│", lineage), summary

    scored = Path(store, "_work", "toolpref-score").glob("*/data.parquet")
    candidates = [c for path in scored for c in pq.read_table(path).to_pylist()]
    assert len(candidates) == LIMIT * SAMPLES
    assert {(c["engine"], c["model"]) for c in candidates} == {(vllm_spec, str(tiny_model))}
