"""Comments and docstrings: at least N comment lines, a docstring or doc comment on every
function.

Comments are the lexers' (``checker_lex``) and tree-sitter's comment nodes; a Python
docstring is a string, not a comment. A doc comment is one that opens with the language's
doc marker and stands alone on the lines right above the function's name (annotations,
attributes, decorators and blank lines may come between): ``checker_text.documented``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from datagen.verifiers.code.languages import Language
from datagen.verifiers.constraints import syntax
from datagen.verifiers.constraints.checker_text import comment_rows, documented
from datagen.verifiers.constraints.parse import Parsed, text
from datagen.verifiers.constraints.rules import Params, Rule
from datagen.verifiers.constraints.shared import (
    ALL_LANGUAGES,
    FUNCTIONS,
    emit_functions,
    emit_lexemes,
    python_broken,
)

if TYPE_CHECKING:
    from tree_sitter import Node

DOC_MARKERS: dict[Language, tuple[str, ...]] = {
    "java": ("/**",),
    "javascript": ("/**",),
    "typescript": ("/**",),
    "cpp": ("/**", "///", "/*!", "//!"),
    "csharp": ("///", "/**"),
    "shell": ("#",),
}


def _decide_min_comments(parsed: Parsed, params: Params) -> bool:
    if python_broken(parsed):
        return False
    rows = comment_rows(parsed.code, syntax.comments(parsed))
    return len(rows) >= int(params["min_lines"])


def _emit_min_comments(language: Language, params: Params) -> str:
    minimum = int(params["min_lines"])
    return emit_lexemes(language) + f"return len(comment_rows(code, comments)) >= {minimum}\n"


MIN_COMMENT_LINES = Rule(
    name="min_comment_lines",
    category="comments",
    languages=ALL_LANGUAGES,
    doc="""At least ``min_lines`` lines hold (part of) a comment; a block comment counts
    each of its lines, a docstring none, a JavaScript ``#!`` line none (tree-sitter's
    hash-bang is not a comment); bash's and Python's ``#!`` line counts.""",
    text=lambda params: f"Write at least {params['min_lines']} lines of comments.",
    decide=_decide_min_comments,
    emit=_emit_min_comments,
    parameters={"min_lines": int},
    choices=lambda language: tuple({"min_lines": n} for n in (1, 2, 3, 5)),
)


def _has_docstring(body: Node) -> bool:
    """Whether a Python function body opens with a docstring, as ``ast.get_docstring``
    sees one: a plain (not f-, not bytes) string expression as its first statement."""
    statements = [child for child in body.named_children if child.type != "comment"]
    if not statements or statements[0].type != "expression_statement":
        return False
    expression = statements[0].named_children[0] if statements[0].named_children else None
    while expression is not None and expression.type == "parenthesized_expression":
        expression = expression.named_children[0] if expression.named_children else None
    if expression is None or len(statements[0].named_children) != 1:
        return False
    parts = expression.named_children if expression.type == "concatenated_string" else [expression]
    return all(
        part.type == "string" and not set(text(part.named_children[0]).lower()) & {"f", "b"}
        for part in parts
    )


def _decide_docs(parsed: Parsed, params: Params) -> bool:
    if python_broken(parsed):
        return False
    functions = syntax.functions(parsed)
    if parsed.language == "python":
        return all(_has_docstring(function.body) for function in functions)
    comments = syntax.comments(parsed)
    markers = DOC_MARKERS[parsed.language]
    return all(documented(parsed.code, f.row, comments, markers) for f in functions)


def _emit_docs(language: Language, params: Params) -> str:
    if language == "python":
        return emit_functions(language) + (
            "return all(ast.get_docstring(node) is not None for _, _, node in functions)\n"
        )
    return (
        emit_functions(language)
        + emit_lexemes(language)
        + f"return all(documented(code, row, comments, {DOC_MARKERS[language]!r})"
        " for _, row, _ in functions)\n"
    )


FUNCTION_DOCS = Rule(
    name="function_docs",
    category="comments",
    languages=ALL_LANGUAGES,
    doc=f"""Every function is documented: Python by a docstring; Java, JavaScript and
    TypeScript by a ``/** ... */`` comment; C++ by ``/** */``, ``///``, ``/*! */`` or
    ``//!``; C# by ``///`` (or ``/** */``); bash by a ``#`` comment (not the ``#!`` line).
    The comment must stand alone on its lines and end on the nearest line above the name
    that is not blank, an annotation, an attribute or a ``template`` line (so a doc comment
    on the function's own line does not count). {FUNCTIONS}""",
    text=lambda params: "Document every function with a docstring or doc comment.",
    decide=_decide_docs,
    emit=_emit_docs,
)

RULES = (MIN_COMMENT_LINES, FUNCTION_DOCS)
