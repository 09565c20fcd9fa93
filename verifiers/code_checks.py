"""IFEvalCode's two checks of many responses at once: correct, and instruction-following.

Each row becomes two sandbox command jobs (``verifiers/code/harness.py``): its code with the
row's tests in the row's language, and the whole response through the row's Python
``check_instruction``. Every job of every row goes through one ``Sandbox`` in one stream, so
rows run in parallel across cores while their checks come back in the rows' order. A row the
harness cannot run (an unknown language, a malformed field) fails both checks with a reason
and never stops the others.
"""

from __future__ import annotations

import dataclasses
import re
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from datagen.verifiers.code.harness import correctness_job, instruction_job
from datagen.verifiers.code.languages import UnknownLanguage
from datagen.verifiers.code.prebuilt import PREBUILT_ROOT, ensure_prebuilt
from datagen.verifiers.code.toolchains import NODE_MODULES
from datagen.verifiers.sandbox import CommandJob, CommandResult, Sandbox

FIELDS = ("programming_language", "response", "check_correctness", "check_instruction")
"""A row's fields, all text (plus its ``id``)."""
DETAIL_CHARS = 400
"""How much of a compiler's or a failed program's output a reason keeps."""
WORK_FOLDER = re.compile(r"/\S*?/run-\d+/")
"""A run's work folder in a message (``/tmp/run-7/main.py``): cut, so that the same response
gets the same reason in every run."""


@dataclass(frozen=True, slots=True)
class CodeRow:
    """One response to check, with its row's language and checks."""

    id: Any
    programming_language: str
    response: str
    check_correctness: str
    check_instruction: str


@dataclass(frozen=True, slots=True)
class CodeCheck:
    """Both verdicts of one row. Reasons: ``ok``, ``compile_error: ...``, ``timeout``,
    ``failed: ...``, ``unknown_language: ...``, ``malformed: ...``."""

    id: Any
    correct: bool
    instruction: bool
    correct_reason: str
    instruction_reason: str

    def as_line(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "correct": self.correct,
            "instruction": self.instruction,
            "correct_reason": self.correct_reason,
            "instruction_reason": self.instruction_reason,
        }


def malformed_check(row_id: Any, reason: str) -> CodeCheck:
    return CodeCheck(row_id, False, False, f"malformed: {reason}", f"malformed: {reason}")


def parse_row(record: Any, *, line_number: int) -> CodeRow | CodeCheck:
    """The row one decoded input line holds, or the failed check of a malformed one."""
    if not isinstance(record, dict):
        return malformed_check(
            f"line {line_number}", f"expected a JSON object, got {type(record).__name__}"
        )
    row_id = record.get("id", f"line {line_number}")
    missing = [name for name in ("id", *FIELDS) if name not in record]
    if missing:
        return malformed_check(row_id, f"missing keys: {', '.join(missing)}")
    not_text = [name for name in FIELDS if not isinstance(record[name], str)]
    if not_text:
        return malformed_check(row_id, f"not strings: {', '.join(not_text)}")
    return CodeRow(row_id, *(record[name] for name in FIELDS))


def code_sandbox(*, strict: bool = True, workers: int | None = None) -> Sandbox:
    """A sandbox for code checks: one worker per core by default, what the harness prebuilds
    built (once per machine), and the checkout's ``node_modules`` (TypeScript) and prebuilt
    folder readable to runs wherever the checkout lives."""
    ensure_prebuilt()
    return Sandbox(
        workers=workers, strict=strict, tool_dirs=[str(NODE_MODULES), str(PREBUILT_ROOT)]
    )


def check_rows(
    sandbox: Sandbox, rows: Iterable[CodeRow | CodeCheck], *, step_seconds: float | None = None
) -> Iterator[CodeCheck]:
    """One ``CodeCheck`` per row, in order; a ``CodeCheck`` given in place of a row (a
    malformed line) is passed through where it stands. ``rows`` is read lazily.
    ``step_seconds`` replaces the harness's wall limit of each compile and run (15 s).

    Raises ``MissingToolchain`` when a row's language cannot be run here: a missing
    compiler would otherwise score every response of that language as wrong.
    """
    pending: deque[_Pending] = deque()

    def jobs() -> Iterator[CommandJob]:
        for row in rows:
            entry = _Pending.of(row)
            pending.append(entry)
            for job in entry.jobs:
                yield job if step_seconds is None else _with_step_seconds(job, step_seconds)

    for result in sandbox.run_iter(jobs()):
        while not pending[0].waiting:
            yield pending.popleft().check()
        pending[0].receive(result)
        if not pending[0].waiting:
            yield pending.popleft().check()
    while pending:
        yield pending.popleft().check()


def reason_of(result: CommandResult) -> str:
    """A check's reason from how its job ended, with what the failed step printed."""
    if result.status == "ok":
        return "ok"
    if result.status == "timeout":
        return "timeout"
    output = _brief(WORK_FOLDER.sub("", result.stdout).strip())
    if result.step_name == "compile":
        return f"compile_error: {output or result.reason}"
    if result.status == "killed" or not output:
        return f"failed: {result.reason}"
    return f"failed: {output}"


def _brief(output: str) -> str:
    """At most about ``DETAIL_CHARS`` of ``output``: its start and its end, where the
    message is (node and the JVM print it first, Python last, a stack trace between)."""
    if len(output) <= DETAIL_CHARS:
        return output
    half = DETAIL_CHARS // 2
    return f"{output[:half]} … {output[-half:]}"


def _with_step_seconds(job: CommandJob, seconds: float) -> CommandJob:
    steps = tuple(dataclasses.replace(step, wall_seconds=seconds) for step in job.steps)
    return dataclasses.replace(job, steps=steps)


@dataclass
class _Pending:
    """A row whose jobs are in the sandbox; ``waiting`` counts the results still due."""

    row_id: Any
    jobs: list[CommandJob] = field(default_factory=list)
    reasons: dict[str, str] = field(default_factory=dict)
    waiting: int = 0

    @classmethod
    def of(cls, row: CodeRow | CodeCheck) -> _Pending:
        if isinstance(row, CodeCheck):
            entry = cls(row.id)
            entry.reasons = {"correct": row.correct_reason, "instruction": row.instruction_reason}
            return entry
        entry = cls(row.id)
        try:
            correctness = correctness_job(
                "correct", row.programming_language, row.response, row.check_correctness
            )
        except UnknownLanguage:
            reason = f"unknown_language: {row.programming_language}"
            entry.reasons = {"correct": reason, "instruction": reason}
            return entry
        entry.jobs = [
            correctness,
            instruction_job("instruction", row.response, row.check_instruction),
        ]
        entry.waiting = len(entry.jobs)
        return entry

    def receive(self, result: CommandResult) -> None:
        self.reasons[result.id] = reason_of(result)
        self.waiting -= 1

    def check(self) -> CodeCheck:
        correct, instruction = self.reasons["correct"], self.reasons["instruction"]
        return CodeCheck(self.row_id, correct == "ok", instruction == "ok", correct, instruction)
