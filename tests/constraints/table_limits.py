"""Limit rules' programs: counts of non-blank lines, line lengths."""

from __future__ import annotations

import textwrap

from tests.constraints.cases import Case, cases
from tests.constraints.programs import PROGRAMS


def _program(language: str) -> str:
    return textwrap.dedent(PROGRAMS[language]).strip("\n")


def _non_blank(code: str) -> int:
    return sum(1 for line in code.splitlines() if line.strip())


def _comment(language: str) -> str:
    return "# note" if language in ("python", "shell") else "// note"


CASES: list[Case] = []
for language in PROGRAMS:
    program = _program(language)
    count = _non_blank(program)
    padded = program.replace("\n\n", "\n\n\n\n")  # blank lines never count
    longer = program + "\n" + _comment(language)  # comment lines do
    CASES += cases(
        "max_lines", language, max_lines=count, accept=[program, padded], reject=[longer]
    )
    CASES += cases("max_lines", language, max_lines=count - 1, reject=[program])
    widest = max(len(line) for line in program.splitlines())
    comment = _comment(language) + " " + "x" * (widest - len(_comment(language)))
    CASES += cases(
        "max_line_length",
        language,
        max_chars=widest,
        accept=[program],
        reject=[program + "\n" + comment],  # a long comment is a long line too
    )
    CASES += cases("max_line_length", language, max_chars=widest - 1, reject=[program])
