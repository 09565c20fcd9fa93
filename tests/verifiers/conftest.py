"""BFCL's real AST checker, imported from the pinned wheel, for parity tests.

bfcl-eval is never installed: the wheel (fetched by ``bfcl_wheel()``) is unzipped into a
temporary folder put on ``sys.path`` for the session. Its checker imports one module that
pulls every vendor SDK, ``bfcl_eval.constants.model_config``; only that module is replaced,
by ``FAKE_model_config``, which knows one model whose function names keep their dots
(``underscore_to_dot=False``), the setting datagen's checker reproduces.
"""

from __future__ import annotations

import sys
import types
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest

from datagen.generators.toolpref import bfcl_wheel

PARITY_CATEGORIES = (
    "simple_python",
    "multiple",
    "parallel",
    "parallel_multiple",
    "live_simple",
    "live_multiple",
    "live_parallel",
    "live_parallel_multiple",
)
"""BFCL's Python categories whose answers its AST checker scores."""

FAKE_MODEL = "FAKE_model"
"""Checker argument; BFCL looks it up as ``FAKE/model``."""

BfclCheck = Callable[[list, list, list, str], tuple[bool, str]]


@dataclass(frozen=True)
class FakeModelConfig:
    """The one field of BFCL's ``ModelConfig`` that its AST checker reads."""

    underscore_to_dot: bool = False


def _fake_model_config() -> types.ModuleType:
    module = types.ModuleType("bfcl_eval.constants.model_config")
    module.__doc__ = "FAKE_model_config: stands in for BFCL's, which imports vendor SDKs."
    module.MODEL_CONFIG_MAPPING = {FAKE_MODEL.replace("_", "/"): FakeModelConfig()}
    return module


@pytest.fixture(scope="session")
def bfcl_check(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BfclCheck]:
    """``check(functions, model_output, ground_truth, category) -> (valid, error_type)``.

    ``model_output`` is BFCL's ``[{name: arguments}]``. Where BFCL's code raises, the result
    is ``(False, "raised:<ExceptionName>")``: BFCL would count such an output as wrong.
    """
    folder = tmp_path_factory.mktemp("bfcl_wheel")
    with zipfile.ZipFile(bfcl_wheel.bfcl_wheel()) as archive:
        archive.extractall(folder)
    sys.path.insert(0, str(folder))
    sys.modules["bfcl_eval.constants.model_config"] = _fake_model_config()
    try:
        from bfcl_eval.constants.enums import Language
        from bfcl_eval.eval_checker.ast_eval import ast_checker

        handlers = [name for name in sys.modules if name.startswith("bfcl_eval.model_handler")]
        assert not handlers, f"the fake model_config should keep BFCL's handlers out: {handlers}"

        def check(functions: list, output: list, truth: list, category: str) -> tuple[bool, str]:
            try:
                result = ast_checker.ast_checker(
                    functions, output, truth, Language.PYTHON, category, FAKE_MODEL
                )
            except Exception as exc:
                return False, f"raised:{type(exc).__name__}"
            return result["valid"], result.get("error_type", "")

        yield check
    finally:
        sys.path.remove(str(folder))
        for name in [name for name in sys.modules if name.split(".")[0] == "bfcl_eval"]:
            del sys.modules[name]


@pytest.fixture(scope="session")
def bfcl_rows() -> dict[str, list[tuple[dict, dict]]]:
    """``(question row, possible-answer row)`` pairs of the categories checked for parity."""
    return {category: bfcl_wheel.read_category(category) for category in PARITY_CATEGORIES}
