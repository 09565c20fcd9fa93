"""Line and character limits: how many lines of code, how long a line.

Lines are ``checker_text.code_lines`` (split on ``\\n``, ``\\r`` dropped) for both sides; a
line of code is one that is not blank, so blank lines never count against a limit.
"""

from __future__ import annotations

from datagen.verifiers.code.languages import Language
from datagen.verifiers.constraints.checker_text import code_lines
from datagen.verifiers.constraints.parse import Parsed
from datagen.verifiers.constraints.rules import Params, Rule
from datagen.verifiers.constraints.shared import ALL_LANGUAGES


def _decide_max_lines(parsed: Parsed, params: Params) -> bool:
    return sum(1 for line in code_lines(parsed.code) if line.strip()) <= int(params["max_lines"])


def _emit_max_lines(language: Language, params: Params) -> str:
    limit = int(params["max_lines"])
    return f"return sum(1 for line in code_lines(code) if line.strip()) <= {limit}\n"


MAX_LINES = Rule(
    name="max_lines",
    category="limits",
    languages=ALL_LANGUAGES,
    doc="""At most ``max_lines`` lines of code (lines that are not blank; comment lines
    count).""",
    text=lambda params: (
        f"Keep the code within {params['max_lines']} lines (blank lines do not count)."
    ),
    decide=_decide_max_lines,
    emit=_emit_max_lines,
    parameters={"max_lines": int},
    choices=lambda language: tuple({"max_lines": n} for n in (10, 20, 30, 50, 100)),
)


def _decide_max_line_length(parsed: Parsed, params: Params) -> bool:
    return all(len(line) <= int(params["max_chars"]) for line in code_lines(parsed.code))


def _emit_max_line_length(language: Language, params: Params) -> str:
    return f"return all(len(line) <= {int(params['max_chars'])} for line in code_lines(code))\n"


MAX_LINE_LENGTH = Rule(
    name="max_line_length",
    category="limits",
    languages=ALL_LANGUAGES,
    doc="""No line longer than ``max_chars`` characters (a tab is one character).""",
    text=lambda params: f"Keep every line at most {params['max_chars']} characters long.",
    decide=_decide_max_line_length,
    emit=_emit_max_line_length,
    parameters={"max_chars": int},
    choices=lambda language: tuple({"max_chars": n} for n in (80, 100, 120)),
)

RULES = (MAX_LINES, MAX_LINE_LENGTH)
