"""BFCL's real AST checker (see ``bfcl_reference.py``) and its data, for parity tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from datagen.generators.toolpref import bfcl_wheel
from tests.verifiers.bfcl_reference import PARITY_CATEGORIES, bfcl_ast_checker

BfclCheck = Callable[[list, list, list, str], tuple[bool, str]]


@pytest.fixture(scope="session")
def bfcl_check(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BfclCheck]:
    """``check(functions, model_output, ground_truth, category) -> (valid, error_type)``.

    ``model_output`` is BFCL's ``[{name: arguments}]``. Where BFCL's code raises, the result
    is ``(False, "raised:<ExceptionName>")``: BFCL would count such an output as wrong.
    """
    with bfcl_ast_checker(tmp_path_factory.mktemp("bfcl_wheel")) as ast_check:

        def check(functions: list, output: list, truth: list, category: str) -> tuple[bool, str]:
            try:
                result = ast_check(functions, output, truth, category)
            except Exception as exc:
                return False, f"raised:{type(exc).__name__}"
            return result["valid"], result.get("error_type", "")

        yield check


@pytest.fixture(scope="session")
def bfcl_rows() -> dict[str, list[tuple[dict, dict]]]:
    """``(question row, possible-answer row)`` pairs of the categories checked for parity."""
    return {category: bfcl_wheel.read_category(category) for category in PARITY_CATEGORIES}
