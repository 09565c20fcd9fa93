"""The mutant check finds a checker that accepts everything, and passes real checkers."""

from __future__ import annotations

import pytest

from datagen.generators.ifevalcode.mutants import (
    ACCEPTS_ALL_EXIT,
    BARE,
    EVERYTHING,
    mutant_job,
    mutants,
)
from datagen.generators.ifevalcode.seeds import read_seeds
from datagen.verifiers.code.languages import LANGUAGES
from datagen.verifiers.code_checks import code_sandbox
from tests.sandbox.helpers import NEEDS_ROOT

CHECKERS = {
    "accepts_everything": "def check_instruction(response):\n    pass\n",
    "returns_false_only": "def check_instruction(response):\n    return False\n",
    "no_for_loops": (
        "import re\ndef check_instruction(response):\n"
        "    assert not re.search(r'\\bfor\\b', response), 'no for loops'\n"
    ),
    "at_most_30_lines": (
        "def check_instruction(response):\n"
        "    assert len(response.splitlines()) <= 30, 'at most 30 lines'\n"
    ),
    "no_tabs": "def check_instruction(response):\n    assert '\\t' not in response, 'no tabs'\n",
    "has_a_comment": (
        "def check_instruction(response):\n"
        "    assert '#' in response or '//' in response, 'comment'\n"
    ),
}
"""What the released benchmark's checkers look like; the first two accept any response (an
``assert``-less checker: returning False does not fail a check)."""


@NEEDS_ROOT
def test_only_checkers_that_accept_every_mutant_are_defects() -> None:
    seed = read_seeds(["python"])[0]
    candidates = mutants(seed["reference_response"], "python")
    jobs = [mutant_job(name, checker, candidates) for name, checker in CHECKERS.items()]
    with code_sandbox() as sandbox:
        codes = {result.id: result.exit_code for result in sandbox.run_batch(jobs)}
    assert codes == {
        "accepts_everything": ACCEPTS_ALL_EXIT,
        "returns_false_only": ACCEPTS_ALL_EXIT,
        "no_for_loops": 0,
        "at_most_30_lines": 0,
        "no_tabs": 0,
        "has_a_comment": 0,
    }


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_language_has_mutants_that_break_each_kind(language: str) -> None:
    reference = read_seeds([language])[0]["reference_response"]
    found = mutants(reference, language)
    assert len(set(found)) == len(found) == 12
    assert "" in found and any(BARE[language] in m for m in found)
    assert sum(EVERYTHING[language] in m for m in found) == 2
    assert any("\t" in m for m in found) and any(
        len(line) > 250 for m in found for line in m.splitlines()
    )
