"""Structure that emitted checkers find with regular expressions: functions, classes,
variables, imports, calls. Inlined into checkers like ``checker_lex`` (standard library and
each other only), and run on code whose comments and literals ``checker_lex`` blanked, so a
keyword in a string or a comment never counts.

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
    not definitions; nor are methods whose return type has parentheses (a C# tuple).
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
        r"(?<![\w.@$#])(?P<type>[A-Za-z_][\w<>\[\],.?&*: \t]*?[ \t*&>\]])"
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


def classes_c(code, language):
    """The name of each class java, javascript, typescript, cpp or csharp code declares
    (cpp and csharp: structs too; cpp: with a body; not enum or record classes); an anonymous
    class (JavaScript's ``class {}``, C++'s ``struct {}``) has the name "". JavaScript's
    ``{class: x}`` is a key, not a class."""
    blanked = lex_c(code, language)[0]
    patterns = {
        "java": r"(?<![\w.@$])()class[ \t]+(?P<name>[A-Za-z_$][\w$]*)",
        "javascript": r"(?<![\w$.])()class\b(?!\s*:)(?:[ \t]+(?P<name>[A-Za-z_$][\w$]*))?",
        "typescript": r"(?<![\w$.])()class\b(?!\s*:)(?:[ \t]+(?P<name>[A-Za-z_$][\w$]*))?",
        "csharp": r"(?<![\w.@])(record[ \t]+)?(?:class|struct)[ \t]+(?P<name>[A-Za-z_]\w*)",
        "cpp": r"(?<![\w.])(enum[ \t]+)?(?:class|struct)\b(?:[ \t]+(?P<name>[A-Za-z_]\w*))?"
        r"\s*(?:final\s*)?(?::(?!:)[^;{}()]*)?\{",
    }
    found = []
    for match in re.finditer(patterns[language], blanked):
        name = match.group("name") or ""
        if match.group(1) or name == "where":
            continue
        found.append("" if name in ("extends", "implements") else name)
    return found


def declared_names_js(code, language):
    """The names javascript or typescript code declares with let, const or var (each
    declarator of a list; in ``for (const x of xs)`` too); destructuring patterns bind
    names that are not counted."""
    blanked = lex_c(code, language)[0]
    names = []
    for match in re.finditer(r"(?<![\w$.])(?:let|const|var)[ \t]+", blanked):
        i = match.end()
        while True:
            name = re.match(r"[A-Za-z_$][\w$]*", blanked[i:])
            if name and name.group() != "enum":
                names.append(name.group())
                i += name.end()
            elif blanked[i : i + 1] in ("[", "{"):
                i = expression_end(blanked, i, False)
            else:
                break
            # On to the end of this declarator; TypeScript's Map<K, V> holds a comma.
            depth = angles = 0
            while i < len(blanked):
                c = blanked[i]
                if c in "([{":
                    depth += 1
                elif c in ")]}":
                    depth -= 1
                    if depth < 0:
                        break
                elif depth or c == " ":
                    pass
                elif c == "<" and language == "typescript" and not blanked[i - 1].isspace():
                    angles += 1
                elif c == ">" and angles and blanked[i - 1] != "=":
                    angles -= 1
                elif not angles and (c in ";," or (c == "\n" and blanked[match.end() : i].strip())):
                    break
                i += 1
            if blanked[i : i + 1] != ",":
                break
            i += 1
            while i < len(blanked) and blanked[i].isspace():
                i += 1
    return names


def variables_python(tree):
    """The names Python code binds by assignment (=, augmented, annotated, :=), as for-loop
    and comprehension targets, and with ``with ... as``; through tuples, lists and ``*``."""
    targeted = (ast.AugAssign, ast.AnnAssign, ast.NamedExpr, ast.For, ast.AsyncFor)
    targets = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            targets.extend(node.targets)
        elif isinstance(node, (*targeted, ast.comprehension)):
            targets.append(node.target)
        elif isinstance(node, ast.withitem) and node.optional_vars is not None:
            targets.append(node.optional_vars)
    names = []
    while targets:
        target = targets.pop(0)
        if isinstance(target, ast.Name):
            names.append(target.id)
        elif isinstance(target, (ast.Tuple, ast.List)):
            targets[:0] = target.elts
        elif isinstance(target, ast.Starred):
            targets.insert(0, target.value)
    return names


def imports_python(tree):
    """The modules Python code imports (``import a.b``, ``from a.b import c``: "a.b"; a
    relative import is not counted)."""
    modules = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules.append(node.module)
    return modules


def imports_module(imported, module, language):
    """Whether ``imported`` (an import's module, header or namespace) is ``module`` or inside
    it: ``module.x`` in Python, Java and C#; ``module/x`` for C++ headers and JavaScript
    modules (and ``node:module``, Node's name for its own)."""
    separator = "/" if language in ("cpp", "javascript", "typescript") else "."
    if language in ("javascript", "typescript") and imported.startswith("node:"):
        imported = imported[len("node:") :]
    return imported == module or imported.startswith(module + separator)


def imports_c(code, language):
    """What java (``import a.b.C;``, static too, ``.*`` dropped), javascript and typescript
    (the module of import/export ... from, a bare import, require() and import()), cpp
    (``#include <a>`` and ``"a"``) or csharp (``using A.B;``, static, alias, global)
    code imports."""
    blanked, comments, _ = lex_c(code, language)
    if language == "cpp":
        pattern = r'(?m)^[ \t]*#[ \t]*include[ \t]*[<"]([^>"\n]*)[>"]'
        return [
            match.group(1)
            for match in re.finditer(pattern, code)
            if not any(start <= match.start(1) < end for start, end in comments)
        ]
    if language == "java":
        pattern = r"(?m)^[ \t]*import[ \t]+(?:static[ \t]+)?([\w.]+?)(?:\.\*)?[ \t]*;"
        return re.findall(pattern, blanked)
    if language == "csharp":
        pattern = (
            r"(?m)^[ \t]*(?:global[ \t]+)?using[ \t]+(?:static[ \t]+)?"
            r"(?:\w+[ \t]*=[ \t]*)?([\w.]+)[ \t]*;"
        )
        return re.findall(pattern, blanked)
    pattern = r"(?<![\w$.])(?:(?:import|require)\s*\(\s*|import\s*|from\s*)([\"'])"
    modules = []
    for match in re.finditer(pattern, blanked):
        close = blanked.find(match.group(1), match.end())
        modules.append(code[match.end() : close])
    return modules


def has_ternary(code, language):
    """Whether java, javascript, typescript, cpp or csharp code has a conditional expression.

    A ``?`` is one unless it is part of ``??``, ``?.`` or ``?[``, a Java wildcard (after
    ``<`` or ``,``), or a TypeScript optional marker (``x?:``, ``x?,``, ``x?)``, ``m?(``);
    TypeScript's conditional types count. In C#, where ``int?`` is a type, a ``?`` counts
    only with a ``:`` after it before the statement ends (``;``, or a ``{`` that does not
    follow ``new ...`` or ``=>``) or the enclosing bracket closes.
    """
    blanked = lex_c(code, language)[0]
    for match in re.finditer(r"\?", blanked):
        i = match.start()
        after = blanked[i + 1 : i + 2]
        if after in ("?", ".", "[") or blanked[i - 1 : i] == "?":
            continue
        if language == "java" and blanked[:i].rstrip()[-1:] in ("<", ","):
            continue
        attached = blanked[i - 1 : i].isalnum() or blanked[i - 1 : i] in ("_", "$")
        if language == "typescript" and (after in (":", ",", ")") or (after == "(" and attached)):
            continue
        if language != "csharp" or _colon_follows(blanked, i + 1):
            return True
    return False


def _colon_follows(blanked, k):
    """Whether a ``:`` (not ``::``) follows offset ``k`` in the same C# expression."""
    depth = 0
    while k < len(blanked):
        c = blanked[k]
        if c == "{" and depth == 0:
            if not re.search(r"(?:\bnew\b[^;{}]*|=>\s*)\Z", blanked[max(0, k - 200) : k]):
                return False
            k = block_end(blanked, k)
            continue
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
            if depth < 0:
                return False
        elif depth == 0 and c == ";":
            return False
        elif depth == 0 and c == ":":
            if blanked[k + 1 : k + 2] != ":":
                return True
            k += 1
        k += 1
    return False


def has_lambda(code, language):
    """Whether java, javascript, typescript or cpp code has a lambda: Java's ``->`` (not the
    arrow of a switch rule, ``case X ->``), JavaScript's ``=>`` (TypeScript: in function
    types too), C++'s ``[captures] {`` or ``[captures](params) specifiers -> type {`` (a
    return type without parentheses) where no name, ``]`` or ``)`` stands right before the
    ``[`` (``a[i]{...}`` and ``operator[](...) {`` are not lambdas)."""
    blanked = lex_c(code, language)[0]
    if language in ("javascript", "typescript"):
        return "=>" in blanked
    if language == "cpp":
        pattern = (
            r"(?<![\w\])])\[[^\[\];]*\]\s*(?:\([^;{}]*\)\s*"
            r"(?:(?:mutable|constexpr|noexcept)\s*)*(?:->\s*[^;{}()]+?\s*)?)?\{"
        )
        return re.search(pattern, blanked) is not None
    for match in re.finditer(r"->", blanked):
        start = max(blanked.rfind(c, 0, match.start()) for c in ";{}") + 1
        segment = blanked[start : match.start()]
        if re.match(r"\s*(?:case|default)\b", segment) and not re.search(r"->|:", segment):
            continue
        return True
    return False
