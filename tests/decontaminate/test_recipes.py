"""Which benchmarks each recipe decontaminates against, by default and with options."""

from __future__ import annotations

import pytest

from datagen.generators.tear.recipe import TeaRConfig
from datagen.generators.toolpref.recipe import ToolPrefConfig


@pytest.mark.parametrize(
    ("options", "benchmarks"),
    [
        ({}, ()),  # BFCL's train part is disjoint from its bench part by construction
        ({"source": ("bfcl:bench",)}, ()),
        ({"source": ("chats.jsonl",)}, ("bfcl-bench",)),
        ({"source": ("bfcl", "hf:org/chats")}, ("bfcl-bench",)),
        ({"source": ("chats.jsonl",), "default_decontamination": False}, ()),
        ({"decontaminate": ("tear@2",)}, ("tear@2",)),
        ({"source": "chats.jsonl", "decontaminate": "humaneval"}, ("bfcl-bench", "humaneval")),
    ],
)
def test_toolpref_benchmarks(options: dict, benchmarks: tuple[str, ...]) -> None:
    assert ToolPrefConfig(**options).benchmarks == benchmarks


@pytest.mark.parametrize(
    ("options", "benchmarks"),
    [
        ({}, ()),  # HumanEval is the source: not checked against itself
        ({"source": "functions.jsonl"}, ("humaneval",)),
        ({"source": "seeds"}, ("humaneval",)),
        ({"source": "seeds", "default_decontamination": False}, ()),
        ({"decontaminate": ("bfcl-bench", "tear@latest")}, ("bfcl-bench", "tear@latest")),
    ],
)
def test_tear_benchmarks(options: dict, benchmarks: tuple[str, ...]) -> None:
    assert TeaRConfig(**options).benchmarks == benchmarks


@pytest.mark.parametrize("config", [ToolPrefConfig, TeaRConfig])
def test_a_bad_benchmark_stops_the_config(config: type) -> None:
    with pytest.raises(ValueError, match=r"--decontaminate 'nowhere\.jsonl' is not a file"):
        config(decontaminate=("nowhere.jsonl",))
