"""The keep stage quarantines a wrong reference, a reference that breaks its instructions, and
a row whose checker accepts everything; the rest is kept."""

from __future__ import annotations

from datagen.generators.ifevalcode.keep import Checker, keep_stage
from datagen.generators.ifevalcode.seeds import read_seeds
from datagen.verifiers.code_checks import code_sandbox
from tests.sandbox.helpers import NEEDS_ROOT

pytestmark = NEEDS_ROOT

NO_TABS = "def check_instruction(response):\n    assert '\\t' not in response, 'no tabs'\n"
ALWAYS = "def check_instruction(response):\n    return True\n"
NEEDS_LAMBDA = "def check_instruction(response):\n    assert 'lambda' in response, 'use a lambda'\n"


def row(seed: dict, suffix: str, **changes: str) -> dict:
    return {**seed, "id": f"{seed['id']}-{suffix}", "check_instruction": NO_TABS, **changes}


def test_each_defect_is_quarantined_with_its_reason() -> None:
    seed = read_seeds(["python"])[0]
    wrong = seed["reference_response"].replace("return", "return not", 1)
    rows = [
        row(seed, "good"),
        row(seed, "wrong", reference_response=wrong),
        row(seed, "breaks", check_instruction=NEEDS_LAMBDA),
        row(seed, "lenient"),
    ]
    checkers = {
        rows[0]["id"]: [Checker("no_tabs", NO_TABS)],
        rows[3]["id"]: [Checker("no_tabs", NO_TABS), Checker("always_true", ALWAYS)],
    }
    with code_sandbox() as sandbox:
        outcome = keep_stage(rows, checkers, sandbox=sandbox)
    assert [r["id"] for r in outcome.records] == [rows[0]["id"]]
    reasons = {q.record_id: q.reason.split(": ")[0:2] for q in outcome.quarantined}
    assert reasons == {
        rows[1]["id"]: ["reference_incorrect", reasons[rows[1]["id"]][1]],
        rows[2]["id"]: ["reference_breaks_instructions", reasons[rows[2]["id"]][1]],
        rows[3]["id"]: ["checker_accepts_everything", "always_true"],
    }
    assert "use a lambda" in next(
        q.reason for q in outcome.quarantined if q.record_id == rows[2]["id"]
    )
