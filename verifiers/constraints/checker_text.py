"""Line checks that emitted checkers inline and ``decide`` calls too: line counts and
lengths, comment rows, doc comments above functions, indentation.

These see only text and ``(start, end)`` spans of comments and literals, so both sides run
the same code; what each side must get right on its own is the spans and the functions'
rows (``checker_lex`` and ``checker_functions`` for checkers, ``syntax`` for tree-sitter).
Standard library only, no module-level names (see ``checker_lex``).
"""

from __future__ import annotations


def code_lines(code):
    """The lines of ``code``, split on ``\\n`` only, without their ``\\r`` (a final newline
    ends the last line and adds none)."""
    lines = [line[:-1] if line.endswith("\r") else line for line in code.split("\n")]
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def comment_rows(code, comments):
    """The rows that hold part of a comment."""
    rows = set()
    for start, end in comments:
        rows.update(range(code.count("\n", 0, start), code.count("\n", 0, end) + 1))
    return rows


def documented(code, row, comments, markers):
    """Whether a doc comment (its text starts with one of ``markers``; never a ``#!`` line)
    ends on the nearest line above ``row`` that is not blank and does not start with ``@``
    (annotations, decorators), ``[`` (C# attributes) or ``template`` (C++), and stands alone
    on its lines."""
    lines = code.split("\n")
    above = row - 1
    skipped = ("@", "[", "template")
    while above >= 0 and (not lines[above].strip() or lines[above].lstrip().startswith(skipped)):
        above -= 1
    for start, end in comments:
        if above < 0 or code.count("\n", 0, end) != above:
            continue
        first = code.rfind("\n", 0, start) + 1
        last = code.find("\n", end)
        alone = (
            not code[first:start].strip()
            and not code[end : len(code) if last == -1 else last].strip()
        )
        text = code[start:end]
        if alone and text.startswith(markers) and not text.startswith("#!"):
            return True
    return False


def indented_by(code, spans, width):
    """Whether every line that starts with code is indented by spaces only, a multiple of
    ``width`` of them. Blank lines, and lines that start inside a comment or a literal
    (``spans``: a Javadoc's `` * `` lines, a docstring's text), are not looked at."""
    offset = 0
    for line in code.split("\n"):
        inside = any(start <= offset < end for start, end in spans)
        if line.strip() and not inside:
            indent = line[: len(line) - len(line.lstrip(" \t"))]
            if "\t" in indent or len(indent) % width:
                return False
        offset += len(line) + 1
    return True


def trailing_whitespace(code):
    """Whether a line ends with a space or a tab (before its ``\\r``, if any)."""
    return any(line != line.rstrip(" \t") for line in code_lines(code))
