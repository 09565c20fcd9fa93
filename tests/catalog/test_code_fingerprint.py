"""Resume keys follow the code a stage runs: its module and every module of ours it imports.

A small package written per test stands in for datagen, so its files can be edited; the last
tests read the real stage functions.
"""

from __future__ import annotations

import importlib
import textwrap
import uuid
from pathlib import Path

import pytest

from datagen.catalog.code_fingerprint import code_fingerprint, reachable_modules

STAGE = """
import importlib

from {pkg} import eager
from . import relative


def stage(records):
    from {pkg}.lazy import helper  # imported only when the stage runs

    plugin = importlib.import_module("{pkg}.dynamic")
    return [helper(plugin.tweak(r)) for r in records]
"""


@pytest.fixture
def package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, Path]:
    name = f"fingerprint_demo_{uuid.uuid4().hex[:8]}"
    root = tmp_path / name
    root.mkdir()
    files = {
        "__init__.py": "",
        "stage.py": STAGE.format(pkg=name),
        "eager.py": "VALUE = 1\n",
        "relative.py": "VALUE = 2\n",
        "lazy.py": "def helper(x):\n    return x\n",
        "dynamic.py": "def tweak(x):\n    return x\n",
        "unrelated.py": "VALUE = 3\n",
    }
    for file, text in files.items():
        (root / file).write_text(textwrap.dedent(text))
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.invalidate_caches()
    return name, root


def _key(name: str) -> str:
    stage = importlib.import_module(f"{name}.stage")
    return code_fingerprint(stage.stage, package=name)


def test_the_stage_reaches_eager_relative_lazy_and_dynamic_imports(package) -> None:
    name, _ = package
    stage = importlib.import_module(f"{name}.stage")
    reached = set(reachable_modules([stage.stage], package=name))
    suffixes = ("", ".stage", ".eager", ".relative", ".lazy", ".dynamic")
    assert reached == {name + suffix for suffix in suffixes}


@pytest.mark.parametrize("edited", ["stage.py", "eager.py", "relative.py", "lazy.py", "dynamic.py"])
def test_editing_a_module_the_stage_reaches_changes_the_key(package, edited: str) -> None:
    name, root = package
    before = _key(name)
    with (root / edited).open("a") as source:
        source.write("# edited\n")
    assert _key(name) != before


def test_editing_an_unrelated_module_keeps_the_key(package) -> None:
    name, root = package
    before = _key(name)
    with (root / "unrelated.py").open("a") as source:
        source.write("# edited\n")
    assert _key(name) == before


def test_the_toolpref_score_stage_reaches_its_own_module_and_the_verifiers() -> None:
    from datagen.generators.toolpref import pipeline

    reached = reachable_modules([pipeline.score_stage])
    for module in (
        "datagen.generators.toolpref.pipeline",
        "datagen.generators.toolpref.score",
        "datagen.generators.sampling",
        "datagen.verifiers.toolcall",
    ):
        assert module in reached, module
    assert not any(m.startswith("datagen.flows") for m in reached)


def test_tear_stages_reach_what_the_hand_written_lists_left_out() -> None:
    from datagen.generators.tear import pipeline, seeds

    written = reachable_modules([seeds.write_stage])
    assert {"datagen.generators.tear.sources", "datagen.generators.sampling"} <= set(written)
    curated = reachable_modules([pipeline.execute_stage])
    assert "datagen.verifiers.sandbox.zygote" in curated  # started by name, as a script
