"""Small runs on the named fake engine publish rows pinned at 3549926's behaviour.

The hashes were computed on commit 3549926 with ``generators/engines/fake.py`` added (the fake
did not exist then), before the recipe port of the issue 'One recipe shape for every dataset':
a port that changes no published row keeps them. Each run goes through the real command line,
Prefect and catalog; only the text comes from ``FakeScriptedEngine``.

Issue 18 re-pinned ToolPref: ToolRM's rule became the default (``--rule bfcl`` kept 3549926's
rows until then), and the difficulty filter now keeps a task only when at least one candidate
is correct and one is not, which drops tasks whose candidates were all wrong under either
rule; both runs are pinned as they were when the filter landed. They were re-pinned once more
when the rest of issue 18 landed: BFCL's train part only (the bench part is held out), every
pair with a score gap (no top-3 cap), source × intensity-bin balance, critique rows v2.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from datagen.catalog import Catalog, Store

from .conftest import datagen

TEAR_FUNCTIONS = Path(__file__).parents[1] / "tear" / "data" / "functions.jsonl"
PINNED = [
    (
        "toolpref --engine fake:toolpref --source bfcl --limit 16 --rule bfcl",
        (
            "toolpref-pairwise@1",
            8,
            "aed782203564d2c720b5a43e607435c357361a75cbbcec8155433fa21639fa7f",
        ),
    ),
    (  # ToolRM's rule, the default since issue 18
        "toolpref --engine fake:toolpref --source bfcl --limit 16",
        (
            "toolpref-pairwise@1",
            8,
            "c3463770cd183d1a0ab4179f57c49ba99f8b8ac982cf30da5d577ad6795154db",
        ),
    ),
    (
        f"tear --engine fake:tear --source {TEAR_FUNCTIONS} --samples 4 --min-pass-rate 0",
        ("tear@1", 7, "19c312e386e19794fdbe5b2e9ae4eb2c0b64308aa1f728160e18d62a7fb90ee4"),
    ),
    (
        "tear --engine fake:tear --source seeds --limit 6 --samples 4 --min-pass-rate 0",
        ("tear@1", 2, "707023c9fd8dbe8d12b6082b4ede7d60184f90e8bd2026378fbd7403fa92b15f"),
    ),
]
IDS = ["toolpref-bfcl", "toolpref-toolrm", "tear-jsonl", "tear-seeds"]


@pytest.mark.parametrize(("command", "pinned"), PINNED, ids=IDS)
def test_a_small_fake_run_publishes_the_pinned_rows(
    tmp_path: Path, command: str, pinned: tuple[str, int, str]
) -> None:
    ref, rows, content_hash = pinned
    datagen("run", *command.split(), store=tmp_path, timeout=300)
    shown = Catalog(Store(tmp_path)).show(ref)
    assert (shown["row_count"], shown["content_hash"]) == (rows, content_hash)
