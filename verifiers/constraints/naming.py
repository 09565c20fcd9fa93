"""Naming conventions: function, class and variable names in a style, a required function.

Functions are what ``checker_functions.functions_*`` defines per language (constructors,
destructors and operators are never functions); names that no style applies to (``_``,
Python's dunders) are skipped, and variables may always be UPPER_CASE constants.
"""

from __future__ import annotations

from datagen.verifiers.code.languages import Language
from datagen.verifiers.constraints import syntax
from datagen.verifiers.constraints.parse import Parsed
from datagen.verifiers.constraints.rules import Params, Rule
from datagen.verifiers.constraints.shared import (
    ALL_LANGUAGES,
    CONSTANT,
    FUNCTIONS,
    PYTHON_GUARD,
    STYLES,
    emit_follows_style,
    emit_functions,
    follows_style,
    python_broken,
)


def _function_style(name: str, style: str, languages: frozenset[Language], doc: str) -> Rule:
    pattern = STYLES[style]

    def decide(parsed: Parsed, params: Params) -> bool:
        if python_broken(parsed):
            return False
        return follows_style([f.name for f in syntax.functions(parsed)], pattern)

    def emit(language: Language, params: Params) -> str:
        names = "[name for name, _, _ in functions]"
        return emit_functions(language) + emit_follows_style(names, pattern)

    return Rule(
        name=name,
        category="naming",
        languages=languages,
        doc=f"{doc} {FUNCTIONS}",
        text=lambda params: f"Name every function and method in {style}.",
        decide=decide,
        emit=emit,
        group="function_names",
    )


FUNCTION_SNAKE_CASE = _function_style(
    "function_names_snake_case",
    "snake_case",
    ALL_LANGUAGES - {"csharp"},
    """Every function and method name is snake_case: lowercase letters, digits and
    underscores. Not C#, whose entry point must be ``Main``.""",
)
FUNCTION_CAMEL_CASE = _function_style(
    "function_names_camel_case",
    "camelCase",
    ALL_LANGUAGES - {"csharp"},
    """Every function and method name is camelCase: a lowercase letter, then letters and
    digits. Not C#, whose entry point must be ``Main``.""",
)
METHOD_PASCAL_CASE = _function_style(
    "method_names_pascal_case",
    "PascalCase",
    frozenset({"csharp"}),
    """Every method and local function name is PascalCase (C#'s convention; ``Main`` is
    one).""",
)


def _decide_classes(parsed: Parsed, params: Params) -> bool:
    if python_broken(parsed):
        return False
    return follows_style([name for name in syntax.classes(parsed) if name], STYLES["PascalCase"])


def _emit_classes(language: Language, params: Params) -> str:
    if language == "python":
        names = "[node.name for node in ast.walk(tree) if isinstance(node, ast.ClassDef)]"
        return PYTHON_GUARD + emit_follows_style(names, STYLES["PascalCase"])
    names = f"[name for name in classes_c(code, {language!r}) if name]"
    return emit_follows_style(names, STYLES["PascalCase"])


CLASS_PASCAL_CASE = Rule(
    name="class_names_pascal_case",
    category="naming",
    languages=ALL_LANGUAGES - {"shell"},
    doc="""Every class name is PascalCase. Classes are ``checker_syntax.classes_c``'s: in
    C++ and C# structs too, never enums, records or interfaces; narrowed in C++ to classes
    with a body and a plain name (not template specialisations ``S<int>``). Not bash.""",
    text=lambda params: "Name every class in PascalCase.",
    decide=_decide_classes,
    emit=_emit_classes,
)


def _variable_style(name: str, style: str) -> Rule:
    pattern = f"{STYLES[style]}|{CONSTANT}"

    def decide(parsed: Parsed, params: Params) -> bool:
        if python_broken(parsed):
            return False
        return follows_style(syntax.variables(parsed), pattern)

    def emit(language: Language, params: Params) -> str:
        if language == "python":
            return PYTHON_GUARD + emit_follows_style("variables_python(tree)", pattern)
        return emit_follows_style(f"declared_names_js(code, {language!r})", pattern)

    return Rule(
        name=name,
        category="naming",
        languages=frozenset({"python", "javascript", "typescript"}),
        doc=f"""Every variable name is {style} (or an UPPER_CASE constant). Python:
        names bound by assignment, for loops, comprehensions, ``with ... as`` and ``:=``
        (not parameters). JavaScript and TypeScript: names declared by let, const and var,
        not inside destructuring patterns. Narrowed to these languages: in Java, C++ and C#
        a declaration (``a<b> c;``, ``T x(y);``) cannot be told from an expression without a
        parser, and bash assignments hide in arithmetic and ``read``.""",
        text=lambda params: f"Name every variable in {style} (constants may be UPPER_CASE).",
        decide=decide,
        emit=emit,
        group="variable_names",
    )


VARIABLE_SNAKE_CASE = _variable_style("variable_names_snake_case", "snake_case")
VARIABLE_CAMEL_CASE = _variable_style("variable_names_camel_case", "camelCase")


def _decide_function_name(parsed: Parsed, params: Params) -> bool:
    if python_broken(parsed):
        return False
    return any(function.name == params["name"] for function in syntax.functions(parsed))


def _emit_function_name(language: Language, params: Params) -> str:
    return emit_functions(language) + (
        f"return any(name == {params['name']!r} for name, _, _ in functions)\n"
    )


def _suggest_function_names(parsed: Parsed) -> list[Params]:
    """The program's own function names (not dunders), each as a required name."""
    if python_broken(parsed):
        return []
    names = dict.fromkeys(f.name for f in syntax.functions(parsed) if not f.name.startswith("__"))
    return [{"name": name} for name in names]


FUNCTION_NAME = Rule(
    name="function_name",
    category="naming",
    languages=ALL_LANGUAGES,
    doc=f"""A function or method of the given name is defined (any class, any nesting). It
    has no fixed choices: the name comes from the problem, or from ``suggest``. {FUNCTIONS}""",
    text=lambda params: f"Define a function named `{params['name']}`.",
    decide=_decide_function_name,
    emit=_emit_function_name,
    parameters={"name": str},
    choices=lambda language: (),
    suggest=_suggest_function_names,
)

RULES = (
    FUNCTION_SNAKE_CASE,
    FUNCTION_CAMEL_CASE,
    METHOD_PASCAL_CASE,
    CLASS_PASCAL_CASE,
    VARIABLE_SNAKE_CASE,
    VARIABLE_CAMEL_CASE,
    FUNCTION_NAME,
)
