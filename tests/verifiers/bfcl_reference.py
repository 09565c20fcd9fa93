"""BFCL's real AST checker, imported from the pinned wheel, for parity tests and benchmarks.

bfcl-eval is never installed: the wheel (fetched by ``bfcl_wheel()``) is unzipped into a
folder put on ``sys.path`` while the context is open. Its checker imports one module that
pulls every vendor SDK, ``bfcl_eval.constants.model_config``; only that module is replaced,
by ``FAKE_model_config``, which knows one model whose function names keep their dots
(``underscore_to_dot=False``), the setting datagen's checker reproduces.
"""

from __future__ import annotations

import sys
import types
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

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

AstCheck = Callable[[list, list, list, str], dict]
"""``check(functions, model_output, ground_truth, category) -> BFCL's result dict``."""


@dataclass(frozen=True)
class FakeModelConfig:
    """The one field of BFCL's ``ModelConfig`` that its AST checker reads."""

    underscore_to_dot: bool = False


def _fake_model_config() -> types.ModuleType:
    module = types.ModuleType("bfcl_eval.constants.model_config")
    module.__doc__ = "FAKE_model_config: stands in for BFCL's, which imports vendor SDKs."
    module.MODEL_CONFIG_MAPPING = {FAKE_MODEL.replace("_", "/"): FakeModelConfig()}
    return module


@contextmanager
def bfcl_ast_checker(folder: Path) -> Iterator[AstCheck]:
    """BFCL's ``ast_checker`` for Python outputs, unzipped into ``folder`` (an empty folder).

    ``model_output`` is BFCL's ``[{name: arguments}]``; the check raises wherever BFCL's code
    does. On exit the wheel leaves ``sys.path`` and every ``bfcl_eval`` module is unloaded.
    """
    with zipfile.ZipFile(bfcl_wheel.bfcl_wheel()) as archive:
        archive.extractall(folder)
    sys.path.insert(0, str(folder))
    sys.modules["bfcl_eval.constants.model_config"] = _fake_model_config()
    try:
        from bfcl_eval.constants.enums import Language
        from bfcl_eval.eval_checker.ast_eval.ast_checker import ast_checker

        handlers = [name for name in sys.modules if name.startswith("bfcl_eval.model_handler")]
        if handlers:
            raise RuntimeError(f"the fake model_config should keep BFCL's handlers out: {handlers}")
        python = Language.PYTHON

        def check(functions: list, output: list, truth: list, category: str) -> dict:
            return ast_checker(functions, output, truth, python, category, FAKE_MODEL)

        yield check
    finally:
        sys.path.remove(str(folder))
        for name in [name for name in sys.modules if name.split(".")[0] == "bfcl_eval"]:
            del sys.modules[name]
