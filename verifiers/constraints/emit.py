"""Assembling constraints' fragments into one ``check_instruction`` source.

The source is what a dataset row carries: it must run anywhere with the standard library
alone, so it inlines the ``checker_*`` functions its fragments call
(found by name, with the functions those call in turn) and the code-extraction rule of
``verifiers/code/extract.py``. Each constraint becomes ``constraint_N(code) -> bool``, and
``check_instruction`` asserts each with a message that names the constraint.
"""

from __future__ import annotations

import functools
import inspect
import re
import textwrap
from collections.abc import Sequence

from datagen.verifiers.code.languages import as_language
from datagen.verifiers.constraints import (
    checker_functions,
    checker_lex,
    checker_syntax,
    checker_text,
)
from datagen.verifiers.constraints.rules import Constraint

STDLIB_MODULES = ("ast", "io", "re", "tokenize")
"""The modules inlined helpers may use; each is imported when the source uses it."""


@functools.cache
def helpers() -> dict[str, str]:
    """The source of every inlinable function, by name."""
    return {
        name: inspect.getsource(function)
        for module in (checker_lex, checker_functions, checker_syntax, checker_text)
        for name, function in inspect.getmembers(module, inspect.isfunction)
        if function.__module__ == module.__name__
    }


def _helpers_called(source: str) -> list[str]:
    """The helpers ``source`` needs, transitively, in a stable order."""
    sources = helpers()
    needed: list[str] = []
    pending = [source]
    while pending:
        for name in re.findall(r"\b([a-z_]\w*)\(", pending.pop()):
            if name in sources and name not in needed:
                needed.append(name)
                pending.append(sources[name])
    return sorted(needed)


def failure_message(constraint: Constraint) -> str:
    """The assertion message of a constraint: its rule's name, then its instruction."""
    return f"{constraint.rule.name}: {constraint.text}"


def check_instruction(constraints: Sequence[Constraint], *, language: str) -> str:
    """The Python source of ``check_instruction(response)`` for ``constraints`` on code in
    ``language``: standard library only, raising ``AssertionError`` with the constraint's
    ``failure_message`` at the first one the response's code breaks."""
    language = as_language(language)
    functions = []
    asserts = []
    for number, constraint in enumerate(constraints, start=1):
        constraint.require(language)
        body = constraint.rule.emit(language, constraint.params)
        functions.append(
            f"def constraint_{number}(code):\n"
            f"    {_docstring(constraint.text)}\n"
            f"{textwrap.indent(body, '    ')}"
        )
        asserts.append(f"    assert constraint_{number}(code), {failure_message(constraint)!r}\n")
    checker = "def check_instruction(response):\n    code = extract_code(response)\n" + "".join(
        asserts
    )
    program = "\n\n".join([*functions, checker])
    helper_sources = [helpers()[name] for name in _helpers_called(program)]
    body = "\n\n".join([*helper_sources, *functions, checker])
    imports = [
        f"import {module}\n" for module in STDLIB_MODULES if re.search(rf"\b{module}\.", body)
    ]
    return "".join(imports) + "\n\n" + body


def _docstring(text: str) -> str:
    return '"""' + text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"') + '"""'
