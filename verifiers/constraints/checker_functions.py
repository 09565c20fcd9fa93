"""Functions and calls that emitted checkers find with regular expressions: each
function's name, row and body, and whether a body calls a name. Inlined into checkers like
``checker_lex`` (standard library and each other only), and run on code whose comments and
literals ``checker_lex`` blanked, so a keyword in a string or a comment never counts.

Each function states the definition it implements; ``syntax.py`` implements the same one on
tree-sitter's tree, and the agreement tests hold the two to it. Rows are 0-based lines.
"""

from __future__ import annotations

import ast
import re

from datagen.verifiers.constraints.checker_lex import lex_c, lex_shell


def block_end(text, i):
    """The offset after the bracket that closes the one at ``text[i]`` (``{`` or ``(``)."""
    opener = text[i]
    closer = "}" if opener == "{" else ")"
    depth = 0
    for k in range(i, len(text)):
        if text[k] == opener:
            depth += 1
        elif text[k] == closer:
            depth -= 1
            if depth == 0:
                return k + 1
    return len(text)


def expression_end(text, i, newline_ends):
    """Where an expression starting at ``i`` ends: a ``;`` or ``,`` outside brackets, the
    bracket that closes an enclosing one, or (``newline_ends``) a line break outside brackets
    once the expression has begun."""
    depth = 0
    for k in range(i, len(text)):
        c = text[k]
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
            if depth < 0:
                return k
        elif depth == 0 and (c in ";," or (c == "\n" and newline_ends and text[i:k].strip())):
            return k
    return len(text)


def parameters_pattern():
    """A regular expression for the text between a parameter list's parentheses: no
    ``;`` outside brackets, and parentheses and braces (defaults, destructuring, object
    types) nested up to three deep inside it."""
    inner = r"[^(){}]"
    for _ in range(2):
        inner = r"(?:[^(){}]|\((?:" + inner + r")*\)|\{(?:" + inner + r")*\})"
    return r"(?:[^(){};]|\((?:" + inner + r")*\)|\{(?:" + inner + r")*\})*"


def functions_python(tree):
    """(name, row, node) of every ``def`` and ``async def``, methods and nested ones too."""
    return [
        (node.name, node.lineno - 1, node)
        for node in ast.walk(tree)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
    ]


def functions_typed(code, language):
    """(name, row, body) of each function or method that java, cpp or csharp code defines,
    body the blanked text of its block or its ``=>`` expression (C#).

    A definition is a return type on the name's line, the name, its parameter list and its
    body (after C++'s const, noexcept(...), override, -> type; Java's throws; C#'s where).
    Constructors, destructors, operators, conversions and declarations without a body are
    not definitions; nor are methods whose return type has parentheses (a C# tuple) or is
    over 120 characters (a bound that keeps a long line from costing quadratic time).
    """
    blanked = lex_c(code, language)[0]
    params = parameters_pattern()
    tail = {
        "java": r"\s*(?:throws\s+[\w.<>]+(?:\s*,\s*[\w.<>]+)*\s*)?\{",
        "cpp": r"\s*(?:(?:const|volatile|override|final|&&|&)\s*"
        r"|(?:noexcept|throw)\s*(?:\([^()]*\)\s*)?)*"
        r"(?:->\s*(?:[^;{}()]|\((?:[^;{}()]|\([^;{}()]*\))*\))+?\s*)?\{",
        "csharp": r"\s*(?:where\s[^;{}]+?)?(?:\{|=>)",
    }[language]
    generic = r"(?:<[\w\s,.<>\[\]?]*>)?" if language == "csharp" else ""  # Max<T>(
    pattern = (
        r"(?<![\w.@$#])(?P<type>[A-Za-z_][\w<>\[\],.?&*: \t]{0,120}?[ \t*&>\]])"
        r"(?:\w+(?:<[^<>;{}()]*>)?::)*(?P<name>[A-Za-z_]\w*)[ \t]*"
        + generic
        + r"\s*\("
        + params
        + r"\)"
        + tail
    )
    keywords = {
        "if", "for", "while", "switch", "catch", "return", "new", "else", "do", "try",
        "foreach", "using", "lock", "fixed", "sizeof", "typeof", "nameof", "default",
        "checked", "unchecked", "when", "throw", "await", "yield", "case", "base", "this",
        "super", "synchronized", "alignof", "decltype", "static_assert", "operator",
        "delete", "assert",
    }  # fmt: skip
    not_types = keywords | {
        "public", "private", "protected", "internal", "static", "class", "struct", "record",
        "interface", "enum", "delegate", "event", "goto", "extern", "explicit", "implicit",
        "virtual", "constexpr", "consteval", "inline", "friend", "final", "abstract",
        "native", "sealed", "override", "readonly", "unsafe", "partial", "volatile",
        "mutable", "async",
    }  # fmt: skip
    found = []
    for match in re.finditer(pattern, blanked):
        name = match.group("name")
        type_words = re.findall(r"\w+", match.group("type"))
        if name in keywords or type_words[-1] in not_types or "operator" in type_words:
            continue
        if blanked[match.end() - 1] == "{":
            body = blanked[match.end() - 1 : block_end(blanked, match.end() - 1)]
        else:
            body = blanked[match.end() : expression_end(blanked, match.end(), False)]
        found.append((name, blanked.count("\n", 0, match.start("name")), body))
    return found


def functions_js(code, language):
    """(name, row, body) of each function javascript or typescript code defines: function
    declarations and named function expressions, methods (in classes and object literals;
    not ``constructor``, nor signatures without a body), and variables declared with
    let/const/var whose value is an arrow function or a function expression. ``#`` of a
    private method's name is dropped."""
    blanked = lex_c(code, language)[0]
    params = parameters_pattern()
    ident = r"[A-Za-z_$][\w$]*"
    generic = r"(?:<[^(){};]*>\s*)?"
    # A return type (TypeScript) stays on its line and is never empty, so a "{" right after
    # ": " opens an object type; the body's "{" follows the end of a type (a name, ">", "]",
    # ")", "}" or a quote), never "Promise<{".
    returns = r"(?:\s*:\s*(?:\{[^{}]*\}|[^{};\s])(?:[^{};\n]|\{[^{}]*\})*?)?"
    body = r"(?<=[\w$>\])}'\"])\s*\{"
    patterns = (
        r"(?<![\w$.])function\b\s*\*?\s*(?P<name>" + ident + r")\s*" + generic
        + r"\(" + params + r"\)" + returns + body,
        r"(?<![\w$.])(?:const|let|var)\s+(?P<name>" + ident + r")\s*(?::[^;\n]+?)?=(?![>=])"
        r"\s*(?:async\b\s*)?(?:function\b\s*\*?\s*(?:" + ident + r"\s*)?" + generic
        + r"\(" + params + r"\)" + returns + body + "|" + generic
        + r"(?:" + ident + r"|\(" + params + r"\)" + r"(?:\s*:\s*(?:[^{};=\n]|\{[^{}]*\})+?)?)"
        + r"\s*=>)",
        r"(?m)^[ \t]*(?:(?:static|async|get|set|public|private|protected|readonly|override"
        r"|abstract|declare)[ \t]+|\*[ \t]*)*(?P<name>#?" + ident + r")[ \t]*\??[ \t]*"
        + generic + r"\(" + params + r"\)" + returns + body,
    )  # fmt: skip
    # statements that look like a method; other keywords may name one (``delete(key) {``)
    keywords = {"if", "for", "while", "switch", "catch", "with", "function", "constructor"}
    found = {}
    for pattern in patterns:
        for match in re.finditer(pattern, blanked):
            name = match.group("name").lstrip("#")
            if name in keywords:
                continue
            end = match.end()
            if blanked[end - 1] == "{":
                body = blanked[end - 1 : block_end(blanked, end - 1)]
            else:
                start = end
                while start < len(blanked) and blanked[start].isspace():
                    start += 1
                body = (
                    blanked[start : block_end(blanked, start)]
                    if blanked[start : start + 1] == "{"
                    else blanked[start : expression_end(blanked, start, True)]
                )
            row = blanked.count("\n", 0, match.start("name"))
            found[match.start("name")] = (name, row, body)
    return [found[offset] for offset in sorted(found)]


def functions_shell(code):
    """(name, row, body) of each bash function: ``name() {...}``, ``function name {...}``,
    ``function name() {...}`` at the start of a line (a ``(...)`` body too)."""
    blanked = lex_shell(code)[0]
    pattern = (
        r"(?m)^[ \t]*(?:function[ \t]+(?P<a>[A-Za-z_][\w-]*)(?:[ \t]*\([ \t]*\))?"
        r"|(?P<b>[A-Za-z_][\w-]*)[ \t]*\([ \t]*\))\s*(?P<open>[{(])"
    )
    found = []
    for match in re.finditer(pattern, blanked):
        name = match.group("a") or match.group("b")
        start = match.start("open")
        body = blanked[start : block_end(blanked, start)]
        found.append((name, blanked.count("\n", 0, match.start()), body))
    return found


def shell_commands(blanked, words):
    """Offsets where one of ``words`` stands as a command (or a keyword) in blanked bash
    code: at the start of a line or after ``;``, ``&``, ``|``, ``(``, ``{``, ``!``, a
    backquote, or the keywords then, do, else, elif, if, while and until."""
    start = r"(?m)(?:^|[;&|({`!]|\b(?:then|do|else|elif|if|while|until)\b)[ \t]*"
    pattern = start + "(?:" + "|".join(re.escape(word) for word in words) + r")(?![\w-])"
    return [match.end() for match in re.finditer(pattern, blanked)]


def calls(body, name, language):
    """Whether blanked ``body`` calls ``name``: ``name(`` (also ``.name(``, and ``name<T>(``
    in cpp, csharp and typescript), or in bash ``name`` as a command."""
    if language == "shell":
        return bool(shell_commands(body, (name,)))
    generic = r"(?:<[\w\s,.:<>\[\]*]*>)?" if language in ("cpp", "csharp", "typescript") else ""
    call = r"(?<![\w$])" + re.escape(name) + r"\s*" + generic + r"\s*\("
    return re.search(call, body) is not None
