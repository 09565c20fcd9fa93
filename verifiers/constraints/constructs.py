"""Required or forbidden constructs: for and while loops, recursion, list comprehensions,
conditional expressions, classes, lambdas. Each rule takes ``mode``: ``"required"`` (at
least one) or ``"forbidden"`` (none).

Python's checkers read ``ast``, exactly as tree-sitter reads Python; the others read
keywords and punctuation in code whose comments and literals ``checker_lex`` blanked.
"""

from __future__ import annotations

from datagen.verifiers.code.languages import Language
from datagen.verifiers.constraints import syntax
from datagen.verifiers.constraints.parse import Parsed
from datagen.verifiers.constraints.rules import MODES, Params, Rule, mode_choices, mode_text
from datagen.verifiers.constraints.shared import (
    ALL_LANGUAGES,
    C_FAMILY,
    FUNCTIONS,
    PYTHON_GUARD,
    decide_mode,
    emit_functions,
    emit_mode,
    python_broken,
)


def _construct(
    *,
    name: str,
    doc: str,
    required: str,
    forbidden: str,
    node_types: dict[Language, tuple[str, ...]],
    python: str,
    emit_found: dict[Language, str],
) -> Rule:
    """A rule whose construct is present when the tree has a node of ``node_types``; Python
    checkers test ``any(isinstance(node, <python>) for node in ast.walk(tree))``, the others
    the expression ``emit_found[language]``."""

    def decide(parsed: Parsed, params: Params) -> bool:
        if python_broken(parsed):
            return False
        return decide_mode(parsed.has(*node_types[parsed.language]), params)

    def emit(language: Language, params: Params) -> str:
        if language == "python":
            found = f"any(isinstance(node, {python}) for node in ast.walk(tree))"
            return PYTHON_GUARD + emit_mode(found, params)
        return emit_mode(emit_found[language], params)

    return Rule(
        name=name,
        category="constructs",
        languages=frozenset(node_types),
        doc=doc,
        text=lambda params: mode_text(params, required, forbidden),
        decide=decide,
        emit=emit,
        parameters={"mode": MODES},
        choices=mode_choices,
    )


def _keyword(language: Language, *words: str, then: str = "") -> str:
    """The emitted test for a keyword in C-family code (not in a comment or a literal, not a
    member such as ``x.for``), followed by the pattern ``then``."""
    pattern = rf"(?<![\w$.@])(?:{'|'.join(words)})\b{then}"
    return f"re.search({pattern!r}, lex_c(code, {language!r})[0]) is not None"


JS_FOR_HEADER = r"\s*(?:await\s*)?\((?=(?:[^()]|\((?:[^()]|\([^()]*\))*\))*?(?:;|\bof\b|\bin\b))"
"""What follows a JavaScript for loop's ``for``: a header with ``;``, ``of`` or ``in``
outside its inner parentheses (two deep), so that a method named ``for``
(``for(key: string): symbol``) is not a loop."""


def _shell_keyword(*words: str) -> str:
    """The emitted test for a bash keyword where a command stands."""
    return f"bool(shell_commands(lex_shell(code)[0], {words!r}))"


FOR_LOOP = _construct(
    name="for_loop",
    doc="""A for loop: Python ``for`` statements (not comprehensions' ``for``); Java's and
    C++'s range loops, JavaScript's for-in and for-of, C#'s foreach; bash ``for``, ``for
    ((...))`` and ``select`` (tree-sitter parses ``select`` as a for loop). JavaScript and
    TypeScript: narrowed to loops whose header has ``;``, ``of`` or ``in`` outside
    parentheses nested more than two deep, which tells them from a method named ``for``.""",
    required="Use at least one for loop.",
    forbidden="Do not use for loops.",
    node_types={
        "python": ("for_statement",),
        "java": ("for_statement", "enhanced_for_statement"),
        "javascript": ("for_statement", "for_in_statement"),
        "typescript": ("for_statement", "for_in_statement"),
        "shell": ("for_statement", "c_style_for_statement"),
        "cpp": ("for_statement", "for_range_loop"),
        "csharp": ("for_statement", "foreach_statement"),
    },
    python="(ast.For, ast.AsyncFor)",
    emit_found={
        "java": _keyword("java", "for"),
        "cpp": _keyword("cpp", "for"),
        "javascript": _keyword("javascript", "for", then=JS_FOR_HEADER),
        "typescript": _keyword("typescript", "for", then=JS_FOR_HEADER),
        "csharp": _keyword("csharp", "for", "foreach"),
        "shell": _shell_keyword("for", "select"),
    },
)

WHILE_LOOP = _construct(
    name="while_loop",
    doc="""A while loop: ``while`` and do-while loops; bash ``while`` and ``until``.""",
    required="Use at least one while loop.",
    forbidden="Do not use while loops (nor do-while loops).",
    node_types={
        "python": ("while_statement",),
        "java": ("while_statement", "do_statement"),
        "javascript": ("while_statement", "do_statement"),
        "typescript": ("while_statement", "do_statement"),
        "shell": ("while_statement",),
        "cpp": ("while_statement", "do_statement"),
        "csharp": ("while_statement", "do_statement"),
    },
    python="ast.While",
    emit_found={
        **{language: _keyword(language, "while") for language in C_FAMILY},
        "shell": _shell_keyword("while", "until"),
    },
)

LIST_COMPREHENSION = _construct(
    name="list_comprehension",
    doc="""A list comprehension ``[... for ...]`` (Python only; set and dict comprehensions
    and generator expressions are not lists).""",
    required="Use at least one list comprehension.",
    forbidden="Do not use list comprehensions.",
    node_types={"python": ("list_comprehension",)},
    python="ast.ListComp",
    emit_found={},
)

CONDITIONAL_EXPRESSION = _construct(
    name="conditional_expression",
    doc="""A conditional expression: Python's ``a if c else b``, the others' ``c ? a : b``.
    Not bash, whose only ternary is inside ``((...))``. TypeScript's conditional types
    (``T extends U ? X : Y``) count: a regular expression cannot tell them from
    expressions. C#: a ``?`` followed by a ``{`` that is not an initializer or a lambda
    body (``new X {``, ``=> {``) before its ``:`` is not seen, so neither side counts it.""",
    required="Use at least one conditional (ternary) expression.",
    forbidden="Do not use conditional (ternary) expressions.",
    node_types={
        "python": ("conditional_expression",),
        "java": ("ternary_expression",),
        "javascript": ("ternary_expression",),
        "typescript": ("ternary_expression", "conditional_type"),
        "cpp": ("conditional_expression",),
        "csharp": ("conditional_expression",),
    },
    python="ast.IfExp",
    emit_found={
        language: f"has_ternary(code, {language!r})"
        for language in ("java", "javascript", "typescript", "cpp", "csharp")
    },
)

LAMBDA = _construct(
    name="lambda_function",
    doc="""A lambda: Python ``lambda``, Java ``->`` lambdas (not switch rules), JavaScript
    arrow functions, C++ lambda expressions. TypeScript: arrow functions and arrow types
    (``(x: number) => number``), which share ``=>``. Not C#, where ``=>`` also ends
    expression-bodied members and switch-expression arms; not bash.""",
    required="Use at least one lambda (arrow) function.",
    forbidden="Do not use lambda or arrow functions.",
    node_types={
        "python": ("lambda",),
        "java": ("lambda_expression",),
        "javascript": ("arrow_function",),
        "typescript": ("arrow_function", "function_type", "constructor_type"),
        "cpp": ("lambda_expression",),
    },
    python="ast.Lambda",
    emit_found={
        language: f"has_lambda(code, {language!r})"
        for language in ("java", "javascript", "typescript", "cpp")
    },
)


def _decide_classes(parsed: Parsed, params: Params) -> bool:
    if python_broken(parsed):
        return False
    return decide_mode(bool(syntax.classes(parsed)), params)


def _emit_classes(language: Language, params: Params) -> str:
    if language == "python":
        found = "any(isinstance(node, ast.ClassDef) for node in ast.walk(tree))"
        return PYTHON_GUARD + emit_mode(found, params)
    return emit_mode(f"bool(classes_c(code, {language!r}))", params)


CLASS_DEFINITION = Rule(
    name="class_definition",
    category="constructs",
    languages=frozenset({"python", "javascript", "typescript", "cpp"}),
    doc="""A class definition (C++: a class or struct with a body; JavaScript and
    TypeScript: class expressions too). Not Java or C#, where every program is a class;
    not bash.""",
    text=lambda params: mode_text(
        params, "Define at least one class.", "Do not define any classes."
    ),
    decide=_decide_classes,
    emit=_emit_classes,
    parameters={"mode": MODES},
    choices=mode_choices,
)


def _decide_recursion(parsed: Parsed, params: Params) -> bool:
    if python_broken(parsed):
        return False
    found = any(syntax.calls(parsed, f.body, f.name) for f in syntax.functions(parsed))
    return decide_mode(found, params)


def _emit_recursion(language: Language, params: Params) -> str:
    if language == "python":
        found = (
            "any(isinstance(call, ast.Call) and name in (getattr(call.func, 'id', None),"
            " getattr(call.func, 'attr', None))"
            " for name, _, node in functions for statement in node.body"
            " for call in ast.walk(statement))"
        )
    else:
        found = f"any(calls(body, name, {language!r}) for name, _, body in functions)"
    return emit_functions(language) + emit_mode(found, params)


RECURSION = Rule(
    name="recursion",
    category="constructs",
    languages=ALL_LANGUAGES,
    doc=f"""A function that calls itself: its body calls its name (``f(...)``,
    ``self.f(...)``, ``this.f(...)``, ``new F(...)``; bash: ``f`` as a command, also in
    ``$(...)``); mutual recursion does not count. {FUNCTIONS}""",
    text=lambda params: mode_text(
        params,
        "Solve it recursively: at least one function must call itself.",
        "Do not use recursion: no function may call itself.",
    ),
    decide=_decide_recursion,
    emit=_emit_recursion,
    parameters={"mode": MODES},
    choices=mode_choices,
)

RULES = (
    FOR_LOOP,
    WHILE_LOOP,
    RECURSION,
    LIST_COMPREHENSION,
    CONDITIONAL_EXPRESSION,
    CLASS_DEFINITION,
    LAMBDA,
)
