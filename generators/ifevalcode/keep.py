"""Which IFEvalCode rows are kept: the reference passes both checks, and every checker bites.

Both tests run in one code sandbox (``verifiers.code_checks``): the reference response
against ``check_correctness`` and ``check_instruction``, and each constraint's own checker
against the mutants of the reference (``mutants.py``). A row is quarantined with the first
reason that applies: ``reference_incorrect``, ``reference_breaks_instructions``, or
``checker_accepts_everything: <kind>`` (a defect of the checker library, counted per kind).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from datagen.generators.ifevalcode.mutants import (
    ACCEPTS_ALL_EXIT,
    CHECKER_ACCEPTS_EVERYTHING,
    mutant_job,
    mutants,
)
from datagen.schemas.records import Quarantined, Record, StageOutcome
from datagen.verifiers.code_checks import CodeCheck, CodeRow, check_rows
from datagen.verifiers.sandbox import CommandResult, Sandbox


@dataclass(frozen=True, slots=True)
class Checker:
    """One constraint's own ``check_instruction`` source, for the mutant check."""

    kind: str
    source: str


def keep_stage(
    rows: Sequence[Record],
    checkers: dict[str, list[Checker]],
    *,
    sandbox: Sandbox,
    stage: str = "keep",
) -> StageOutcome:
    """The rows whose reference passes both checks and whose every checker rejects some
    mutant; ``checkers`` maps a row's id to its constraints' checkers."""
    references = [
        CodeRow(
            row["id"],
            row["programming_language"],
            row["reference_response"],
            row["check_correctness"],
            row["check_instruction"],
        )
        for row in rows
    ]
    verdicts = {check.id: check for check in check_rows(sandbox, references)}
    jobs = [
        mutant_job((row["id"], index), checker.source, candidates)
        for row in rows
        for candidates in [mutants(row["reference_response"], row["programming_language"])]
        for index, checker in enumerate(checkers.get(row["id"], []))
    ]
    lenient = {
        result.id: result
        for result in sandbox.run_iter(jobs)
        if result.status != "ok" or result.exit_code == ACCEPTS_ALL_EXIT
    }
    kept: list[Record] = []
    quarantined: list[Quarantined] = []
    for row in rows:
        reason = _first_problem(row, verdicts[row["id"]], checkers.get(row["id"], []), lenient)
        if reason is None:
            kept.append(row)
        else:
            quarantined.append(Quarantined(row["id"], reason, row))
    return StageOutcome(stage, len(rows), kept, quarantined=quarantined).check()


def _first_problem(
    row: Record,
    verdict: CodeCheck,
    checkers: list[Checker],
    lenient: dict[tuple[str, int], CommandResult],
) -> str | None:
    if not verdict.correct:
        return f"reference_incorrect: {verdict.correct_reason}"
    if not verdict.instruction:
        return f"reference_breaks_instructions: {verdict.instruction_reason}"
    for index, checker in enumerate(checkers):
        result = lenient.get((row["id"], index))
        if result is None:
            continue
        if result.exit_code == ACCEPTS_ALL_EXIT:
            return f"{CHECKER_ACCEPTS_EVERYTHING}: {checker.kind}"
        return f"checker_failed: {checker.kind}: {result.reason}"
    return None
