"""Imports: a forbidden module (header, package, namespace), or no imports at all.

What counts as an import is ``checker_syntax.imports_python`` and ``imports_c``: import
statements and declarations, ``require()`` and ``import()`` of a literal, ``#include``,
``using`` directives. Code that names a module without importing it (Java's
``java.util.List`` written out, Python's ``__import__("os")``) imports nothing here.
Not bash: ``source`` loads files, not modules.
"""

from __future__ import annotations

from datagen.verifiers.code.languages import Language
from datagen.verifiers.constraints import syntax
from datagen.verifiers.constraints.checker_syntax import imports_module
from datagen.verifiers.constraints.parse import Parsed
from datagen.verifiers.constraints.rules import Params, Rule
from datagen.verifiers.constraints.shared import ALL_LANGUAGES, PYTHON_GUARD, python_broken

LANGUAGES = ALL_LANGUAGES - {"shell"}

MODULES: dict[Language, tuple[str, ...]] = {
    # modules a problem plausibly forbids, so that the solution is written by hand
    "python": ("os", "sys", "re", "math", "itertools", "collections", "functools", "numpy"),
    "java": ("java.util.stream", "java.util.regex", "java.util.function", "java.io"),
    "javascript": ("fs", "path", "util", "readline", "lodash"),
    "typescript": ("fs", "path", "util", "readline", "lodash"),
    "cpp": ("algorithm", "bits/stdc++.h", "regex", "sstream", "map", "unordered_map"),
    "csharp": ("System.Linq", "System.Text.RegularExpressions", "System.Collections.Generic"),
}


def _emit_imports(language: Language) -> str:
    """The emitted statements that set ``imports`` to what the code imports."""
    if language == "python":
        return PYTHON_GUARD + "imports = imports_python(tree)\n"
    return f"imports = imports_c(code, {language!r})\n"


def _decide_forbidden(parsed: Parsed, params: Params) -> bool:
    if python_broken(parsed):
        return False
    module = str(params["module"])
    return not any(
        imports_module(imported, module, parsed.language) for imported in syntax.imports(parsed)
    )


def _emit_forbidden(language: Language, params: Params) -> str:
    module = str(params["module"])
    return _emit_imports(language) + (
        f"return not any(imports_module(imported, {module!r}, {language!r})"
        " for imported in imports)\n"
    )


FORBIDDEN_IMPORT = Rule(
    name="forbidden_import",
    category="imports",
    languages=LANGUAGES,
    doc="""The code does not import ``module`` nor anything inside it (``module.x``;
    headers and JavaScript modules: ``module/x``, also ``node:module``).""",
    text=lambda params: (
        f"Do not import `{params['module']}` (no import, include or using directive for it)."
    ),
    decide=_decide_forbidden,
    emit=_emit_forbidden,
    parameters={"module": str},
    choices=lambda language: tuple({"module": module} for module in MODULES[language]),
)


def _decide_no_imports(parsed: Parsed, params: Params) -> bool:
    return not python_broken(parsed) and not syntax.imports(parsed)


NO_IMPORTS = Rule(
    name="no_imports",
    category="imports",
    languages=LANGUAGES,
    doc="""The code imports nothing: no import statement, ``require()``, ``#include`` or
    ``using`` directive.""",
    text=lambda params: "Do not import anything: use only the language's built-ins.",
    decide=_decide_no_imports,
    emit=lambda language, params: _emit_imports(language) + "return not imports\n",
)

RULES = (FORBIDDEN_IMPORT, NO_IMPORTS)
