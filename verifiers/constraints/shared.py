"""Pieces the category modules share: the emitted statements that read a program's functions
or lexemes, the Python parse guard, and the naming styles.

Emitted sources here are bodies of a checker's ``constraint_N(code)`` function; they call the
inlined ``checker_*`` functions by name.
"""

from __future__ import annotations

import functools
import re

from datagen.verifiers.code.languages import Language
from datagen.verifiers.constraints.checker_lex import parse_python
from datagen.verifiers.constraints.parse import Parsed
from datagen.verifiers.constraints.rules import Params

ALL_LANGUAGES: frozenset[Language] = frozenset(
    ("python", "java", "javascript", "typescript", "shell", "cpp", "csharp")
)
C_FAMILY = ("java", "javascript", "typescript", "cpp", "csharp")

FUNCTIONS = """Functions are definitions with a body, as ``checker_functions`` reads them:
    Python ``def``s; Java, C++ and C# methods and functions with a plain return type on the
    name's line (narrowed: no constructors, destructors, operators or conversions, no C#
    tuple return types, no return type on the line above); JavaScript and TypeScript
    function declarations, named function expressions, methods that start their line and
    the first declarator of a let/const/var whose value is an arrow or function
    expression (narrowed: a method sharing its line with other code, and later
    declarators, are not seen); bash functions that start their line."""
"""The definition every rule about functions rests on, for their ``doc``."""

PYTHON_GUARD = "tree = parse_python(code)\nif tree is None:\n    return False\n"
"""Emitted first by every Python rule that reads structure: code that is not Python fails,
as ``python_broken`` makes ``decide`` fail it."""


def python_broken(parsed: Parsed) -> bool:
    """Whether ``parsed`` is Python that the checker's ``ast.parse`` refuses, asked of
    ``ast`` itself: tree-sitter also parses Python 2 (``print "x"``) and misplaced
    ``__future__`` imports without an error, and errs on ``from __future__ import *``,
    which ``ast`` takes. (The checker's own Python may be newer than this one and accept
    newer syntax; nothing here can know.)"""
    return parsed.language == "python" and not _ast_parses(parsed.code)


@functools.lru_cache(maxsize=64)
def _ast_parses(code: str) -> bool:
    """Whether ``ast.parse`` accepts ``code``; cached, as every Python rule of a
    ``candidates`` call asks about the same program."""
    return parse_python(code) is not None


def emit_functions(language: Language) -> str:
    """Statements that set ``functions`` to the code's ``(name, row, body)`` triples (Python:
    ``body`` is the ``ast`` node; others: the body's blanked text)."""
    if language == "python":
        return PYTHON_GUARD + "functions = functions_python(tree)\n"
    if language == "shell":
        return "functions = functions_shell(code)\n"
    if language in ("javascript", "typescript"):
        return f"functions = functions_js(code, {language!r})\n"
    return f"functions = functions_typed(code, {language!r})\n"


def emit_lexemes(language: Language) -> str:
    """Statements that set ``blanked``, ``comments`` and ``strings`` (``checker_lex``)."""
    if language == "python":
        return PYTHON_GUARD + "blanked, comments, strings = lex_python(code)\n"
    if language == "shell":
        return "blanked, comments, strings = lex_shell(code)\n"
    return f"blanked, comments, strings = lex_c(code, {language!r})\n"


def emit_mode(found: str, params: Params) -> str:
    """The return statement of a construct rule whose presence test is ``found``."""
    return f"return {found}\n" if params["mode"] == "required" else f"return not ({found})\n"


def decide_mode(found: bool, params: Params) -> bool:
    return found if params["mode"] == "required" else not found


STYLES = {
    "snake_case": r"_*[a-z][a-z0-9_]*",
    "camelCase": r"_*[a-z][a-zA-Z0-9]*",
    "PascalCase": r"_*[A-Z][a-zA-Z0-9]*",
}
"""What a name must look like in each style (leading underscores allowed)."""
CONSTANT = r"_*[A-Z][A-Z0-9_]*"
"""An UPPER_CASE constant, allowed among variables of any style."""
EXEMPT = r"_+|__\w+__"
"""Names no style applies to: ``_`` placeholders and Python's dunders."""


def follows_style(names: list[str], pattern: str) -> bool:
    """Whether every name not ``EXEMPT`` matches ``pattern``."""
    return all(re.fullmatch(pattern, name) for name in names if not re.fullmatch(EXEMPT, name))


def emit_follows_style(names: str, pattern: str) -> str:
    """The emitted twin of ``follows_style`` over the names expression ``names``."""
    return (
        f"return all(re.fullmatch({pattern!r}, name) for name in {names}"
        f" if not re.fullmatch({EXEMPT!r}, name))\n"
    )
