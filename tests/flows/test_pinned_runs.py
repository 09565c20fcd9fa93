"""Small runs on the named fake engine publish rows pinned at 3549926's behaviour.

The hashes were computed on commit 3549926 with ``generators/engines/fake.py`` added (the fake
did not exist then), before the recipe port of the issue 'One recipe shape for every dataset':
a port that changes no published row keeps them. Each run goes through the real command line,
Prefect and catalog; only the text comes from ``FakeScriptedEngine``.

Issue 18 made ToolRM's rule ToolPref's default: the 3549926 pin holds for ``--rule bfcl``, and
the default run is pinned as it was when the rule landed.
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
            86,
            "4161e0d47967b3cc013ba73cb99f12c97aee1e35bd92aa9528a82718dda39b2f",
        ),
    ),
    (  # ToolRM's rule, the default since issue 18: pinned when it became the default
        "toolpref --engine fake:toolpref --source bfcl --limit 16",
        (
            "toolpref-pairwise@1",
            36,
            "308c17b067f5a9019c0feb079fd2ce520b0e53e19772d8f2b6d95685aadb9503",
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
