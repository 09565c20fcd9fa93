"""Structure that emitted checkers find with regular expressions: classes, variables,
imports, conditional expressions, lambdas (functions and calls: ``checker_functions``).
Inlined into checkers like ``checker_lex`` (standard library and each other only), and run
on code whose comments and literals ``checker_lex`` blanked, so a keyword in a string or a
comment never counts.

Each function states the definition it implements; ``syntax.py`` implements the same one on
tree-sitter's tree, and the agreement tests hold the two to it.
"""

from __future__ import annotations

import ast
import re

from datagen.verifiers.constraints.checker_functions import block_end, expression_end
from datagen.verifiers.constraints.checker_lex import lex_c


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
        before = i - 1
        while before >= 0 and blanked[before].isspace():
            before -= 1
        if language == "java" and before >= 0 and blanked[before] in "<,":
            continue
        attached = blanked[i - 1 : i].isalnum() or blanked[i - 1 : i] in ("_", "$")
        if language == "typescript" and (after in (":", ",", ")") or (after == "(" and attached)):
            continue
        if language != "csharp" or _colon_follows(blanked, i + 1):
            return True
    return False


def _colon_follows(blanked, k):
    """Whether a ``:`` (not ``::``) follows offset ``k`` in the same C# expression, within
    2,000 characters (a bound that keeps a line of a thousand ``int?`` from costing
    quadratic time; no real conditional's branch is that long)."""
    depth = 0
    stop = min(len(blanked), k + 2000)
    while k < stop:
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
