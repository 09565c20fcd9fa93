"""Formatting: indentation by a number of spaces, no tabs, no trailing whitespace.

Indentation is judged on lines that start with code: a line that starts inside a comment or
a literal (the `` * `` lines of a Javadoc, a docstring's text, a heredoc) keeps whatever
indentation its text needs. Both sides run ``checker_text.indented_by``; they differ only
in where the comments and literals are (``checker_lex`` against tree-sitter).
"""

from __future__ import annotations

from datagen.verifiers.code.languages import Language
from datagen.verifiers.constraints import syntax
from datagen.verifiers.constraints.checker_text import indented_by, trailing_whitespace
from datagen.verifiers.constraints.parse import Parsed
from datagen.verifiers.constraints.rules import Params, Rule
from datagen.verifiers.constraints.shared import ALL_LANGUAGES, emit_lexemes, python_broken


def _decide_indentation(parsed: Parsed, params: Params) -> bool:
    if python_broken(parsed):
        return False
    spans = syntax.comments(parsed) + syntax.literals(parsed)
    return indented_by(parsed.code, spans, int(params["spaces"]))


def _emit_indentation(language: Language, params: Params) -> str:
    spaces = int(params["spaces"])
    return emit_lexemes(language) + f"return indented_by(code, comments + strings, {spaces})\n"


INDENTATION = Rule(
    name="indentation",
    category="formatting",
    languages=ALL_LANGUAGES,
    doc="""Every line that starts with code is indented by spaces only, in steps of
    ``spaces`` (its indentation is a multiple of ``spaces``); blank lines and lines that
    start inside a comment or a literal are not judged.""",
    text=lambda params: f"Indent with {params['spaces']} spaces per level (no tabs).",
    decide=_decide_indentation,
    emit=_emit_indentation,
    parameters={"spaces": int},
    choices=lambda language: ({"spaces": 2}, {"spaces": 4}),
)

NO_TABS = Rule(
    name="no_tabs",
    category="formatting",
    languages=ALL_LANGUAGES,
    doc="""No tab character anywhere in the code, literals and comments included.""",
    text=lambda params: "Do not use tab characters anywhere in the code.",
    decide=lambda parsed, params: "\t" not in parsed.code,
    emit=lambda language, params: "return '\\t' not in code\n",
)

NO_TRAILING_WHITESPACE = Rule(
    name="no_trailing_whitespace",
    category="formatting",
    languages=ALL_LANGUAGES,
    doc="""No line ends with a space or a tab (a CRLF line's ``\\r`` is not whitespace
    here), literals and comments included.""",
    text=lambda params: "Do not leave trailing whitespace at the end of any line.",
    decide=lambda parsed, params: not trailing_whitespace(parsed.code),
    emit=lambda language, params: "return not trailing_whitespace(code)\n",
)

RULES = (INDENTATION, NO_TABS, NO_TRAILING_WHITESPACE)
