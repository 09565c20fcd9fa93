"""Backward derivation: every drawn constraint holds for the reference, one per rule slot."""

from __future__ import annotations

from datagen.generators.ifevalcode.backward import derive
from datagen.generators.ifevalcode.sources import read_problems
from datagen.verifiers.code.extract import extract_code
from datagen.verifiers.constraints import decide


def test_drawn_constraints_hold_and_never_share_a_slot() -> None:
    shared = 0
    for problem in read_problems("seeds").records:
        constraints, slots = derive(problem, seed=0, low=2, high=15, mean=5.0)
        code = extract_code(problem["reference_response"])
        assert all(decide(code, problem["programming_language"], constraints))
        picked = [c.rule.slot for c in constraints]
        assert len(set(picked)) == len(picked) and len(picked) <= slots
        shared += sum(c.rule.group != "" for c in constraints)
    assert shared > 0  # grouped rules (naming styles) are drawn, one at a time
