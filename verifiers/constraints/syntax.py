"""Structure read off tree-sitter's tree: functions, classes, variables, imports, calls,
comments and literals, per language.

Each function implements the definition its namesake in ``checker_functions`` or
``checker_syntax`` (the regular expressions emitted checkers run) states, no more: where a
regular expression cannot see something the tree can (a C# tuple return type, a return type
on the line above the name, a method that shares its line with other code), the definition
leaves it out, and so does this side, so that a rule's tree-sitter verdict and its emitted
checker agree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from datagen.verifiers.constraints.parse import Parsed, descendants, text

if TYPE_CHECKING:
    from tree_sitter import Node


@dataclass(frozen=True)
class Function:
    """A function definition: its name, the row of its name, its body."""

    name: str
    row: int
    body: Node


TYPE_TEXT = re.compile(r"[\w<>\[\],.?&*: \t]{1,120}")
"""What a return type may look like for ``checker_functions.functions_typed`` to see it."""
OPERATOR = re.compile(r"\boperator\b")
"""A conversion operator's ``operator T()``, which tree-sitter may misread as a function
named ``T``."""
JS_METHOD_PREFIX = re.compile(
    r"[ \t]*(?:(?:static|async|get|set|public|private|protected|readonly|override|abstract"
    r"|declare)[ \t]+|\*[ \t]*)*#?"
)
"""What may stand before a method's name on its line for ``functions_js`` to see it."""
JS_FUNCTION_VALUES = ("arrow_function", "function_expression", "generator_function")

COMMENTS = {
    "python": ("comment",),
    "java": ("line_comment", "block_comment"),
    "javascript": ("comment",),
    "typescript": ("comment",),
    "shell": ("comment",),
    "cpp": ("comment",),
    "csharp": ("comment",),
}
LITERALS = {
    "python": ("string",),
    "java": ("string_literal", "character_literal"),
    "javascript": ("string", "template_string", "regex"),
    "typescript": ("string", "template_string", "regex"),
    "shell": ("string", "raw_string", "ansi_c_string", "translated_string", "heredoc_body"),
    "cpp": ("string_literal", "raw_string_literal", "char_literal"),
    "csharp": (
        "string_literal",
        "verbatim_string_literal",
        "interpolated_string_expression",
        "character_literal",
        "raw_string_literal",
    ),
}


def functions(parsed: Parsed) -> list[Function]:
    """The functions ``checker_functions``' ``functions_*`` of the language finds."""
    language = parsed.language
    if language == "python":
        found = [_function(node, node) for node in parsed.nodes("function_definition")]
    elif language == "shell":
        found = [
            _function(node, node)
            for node in parsed.nodes("function_definition")
            if not _line_before(parsed, node).strip()
        ]
    elif language in ("javascript", "typescript"):
        found = _js_functions(parsed)
    else:
        found = _typed_functions(parsed)
    return sorted((function for function in found if function), key=lambda f: f.row)


def _function(node: Node, named: Node, name: Node | None = None) -> Function | None:
    """``node``'s function, named by ``name`` (default: ``named``'s name field)."""
    name = name or named.child_by_field_name("name")
    body = node.child_by_field_name("body")
    if name is None or body is None:
        return None
    return Function(name=text(name).lstrip("#"), row=name.start_point.row, body=body)


def _line_before(parsed: Parsed, node: Node) -> str:
    """The text of ``node``'s first line before it."""
    start = parsed.span(node)[0]
    return parsed.code[parsed.code.rfind("\n", 0, start) + 1 : start]


def _typed_functions(parsed: Parsed) -> list[Function | None]:
    """Java, C++ and C#: definitions with a body and a plain return type on the name's line."""
    if parsed.language == "java":
        candidates = [
            (node, node.child_by_field_name("type"), node.child_by_field_name("name"))
            for node in parsed.nodes("method_declaration")
        ]
    elif parsed.language == "csharp":
        candidates = [
            (node, node.child_by_field_name("returns"), node.child_by_field_name("name"))
            for node in parsed.nodes("method_declaration")
        ] + [
            (node, node.child_by_field_name("type"), node.child_by_field_name("name"))
            for node in parsed.nodes("local_function_statement")
        ]
    else:
        candidates = [
            (node, node.child_by_field_name("type"), _cpp_name(node))
            for node in parsed.nodes("function_definition")
            if (body := node.child_by_field_name("body")) and body.type == "compound_statement"
        ]
    return [
        _function(node, node, name)
        for node, returns, name in candidates
        if returns is not None
        and name is not None
        and returns.end_point.row == name.start_point.row
        and TYPE_TEXT.fullmatch(text(returns))
        and not OPERATOR.search(_line_before(parsed, name))
    ]


def _cpp_name(definition: Node) -> Node | None:
    """The plain name of a C++ function definition (the last part of ``A::name``); None for
    operators, destructors and template specialisations."""
    declarator = definition.child_by_field_name("declarator")
    while declarator is not None and declarator.type != "function_declarator":
        declarator = declarator.child_by_field_name("declarator")
    name = declarator.child_by_field_name("declarator") if declarator else None
    while name is not None and name.type == "qualified_identifier":
        name = name.child_by_field_name("name")
    return name if name is not None and name.type in ("identifier", "field_identifier") else None


def _js_functions(parsed: Parsed) -> list[Function | None]:
    found = [
        _function(node, node)
        for node in parsed.nodes(
            "function_declaration",
            "generator_function_declaration",
            "function_expression",
            "generator_function",
        )
    ]
    for node in parsed.nodes("method_definition"):
        name = node.child_by_field_name("name")
        if (
            name is not None
            and name.type in ("property_identifier", "private_property_identifier")
            and text(name) != "constructor"
            and JS_METHOD_PREFIX.fullmatch(_line_before(parsed, name))
        ):
            found.append(_function(node, node))
    for node in parsed.nodes("variable_declarator"):
        value = node.child_by_field_name("value")
        first = node.prev_named_sibling is None or node.prev_named_sibling.type != (
            "variable_declarator"
        )
        if value is not None and value.type in JS_FUNCTION_VALUES and first:
            found.append(_function(value, node))
    return found


def calls(parsed: Parsed, body: Node, name: str) -> bool:
    """Whether ``body`` calls ``name`` as ``checker_functions.calls`` sees calls: ``name(...)``,
    ``x.name(...)``, ``new name(...)``; in bash, ``name`` as a command."""
    language = parsed.language
    if language == "shell":
        return any(
            text(node.child_by_field_name("name")) == name for node in descendants(body, "command")
        )
    kinds = {
        "python": ("call",),
        "java": ("method_invocation", "object_creation_expression"),
        "javascript": ("call_expression", "new_expression"),
        "typescript": ("call_expression", "new_expression"),
        "cpp": ("call_expression", "new_expression"),
        "csharp": ("invocation_expression", "object_creation_expression"),
    }[language]
    return any(_callee(node) == name for node in descendants(body, *kinds))


def _callee(call: Node) -> str:
    """The name a call calls: the last name of its callee expression."""
    callee = (
        call.child_by_field_name("function")
        or call.child_by_field_name("constructor")
        or call.child_by_field_name("type")
    )
    if call.type == "method_invocation":
        callee = call.child_by_field_name("name")
    for _ in range(4):  # down a member access, a generic, a qualified name
        if callee is None:
            return ""
        if callee.type in ("attribute", "member_expression", "field_expression"):
            callee = (
                callee.child_by_field_name("attribute")
                or callee.child_by_field_name("property")
                or callee.child_by_field_name("field")
            )
        elif callee.type in ("member_access_expression", "qualified_identifier"):
            callee = callee.child_by_field_name("name")
        elif callee.type in ("generic_name", "template_function"):
            callee = callee.child_by_field_name("name") or callee.named_children[0]
        else:
            break
    return text(callee).lstrip("#")


def classes(parsed: Parsed) -> list[str]:
    """The names of the classes ``checker_syntax.classes_c`` (or, for Python, ``ast``)
    finds; "" for an anonymous one."""
    kinds = {
        "python": ("class_definition",),
        "java": ("class_declaration",),
        "javascript": ("class_declaration", "class"),
        "typescript": ("class_declaration", "abstract_class_declaration", "class"),
        "cpp": ("class_specifier", "struct_specifier"),
        "csharp": ("class_declaration", "struct_declaration"),
    }[parsed.language]
    nodes = parsed.nodes(*kinds)
    if parsed.language == "cpp":  # with a body, and not a specialisation (name<T>)
        nodes = [
            node
            for node in nodes
            if node.child_by_field_name("body") is not None
            and getattr(node.child_by_field_name("name"), "type", "type_identifier")
            == "type_identifier"
        ]
    return [text(node.child_by_field_name("name")) for node in nodes]


def variables(parsed: Parsed) -> list[str]:
    """The variable names ``checker_syntax.variables_python`` or ``declared_names_js``
    finds."""
    if parsed.language == "python":
        return _python_variables(parsed)
    names = [
        text(name)
        for node in parsed.nodes("variable_declarator")
        if (name := node.child_by_field_name("name")) is not None and name.type == "identifier"
    ]
    for node in parsed.nodes("for_in_statement"):
        left = node.child_by_field_name("left")
        if node.child_by_field_name("kind") is not None and left and left.type == "identifier":
            names.append(text(left))
    return names


def _python_variables(parsed: Parsed) -> list[str]:
    targets = [
        node.child_by_field_name("left")
        for node in parsed.nodes(
            "assignment", "augmented_assignment", "for_statement", "for_in_clause"
        )
    ]
    targets += [node.child_by_field_name("name") for node in parsed.nodes("named_expression")]
    targets += [
        node.child_by_field_name("alias")
        for node in parsed.nodes("as_pattern")
        if node.parent is not None and node.parent.type == "with_item"
    ]
    names = []
    while targets:
        target = targets.pop(0)
        if target is None:
            continue
        if target.type == "identifier":
            names.append(text(target))
        elif target.type in (
            "pattern_list",
            "tuple_pattern",
            "list_pattern",
            "list_splat_pattern",
            "as_pattern_target",
            "tuple",
            "list",
            "list_splat",
            "parenthesized_expression",
        ):
            targets[:0] = target.named_children
    return names


def imports(parsed: Parsed) -> list[str]:
    """The modules, headers or namespaces the code imports, as ``checker_syntax``'s
    ``imports_python`` or ``imports_c`` reads them."""
    language = parsed.language
    if language == "python":
        modules = ["__future__" for _ in parsed.nodes("future_import_statement")]
        for node in parsed.nodes("import_statement"):
            for name in node.children_by_field_name("name"):
                modules.append(text(name.child_by_field_name("name") or name))
        for node in parsed.nodes("import_from_statement"):
            module = node.child_by_field_name("module_name")
            if module is not None and module.type == "dotted_name":
                modules.append(text(module))
        return modules
    if language == "java":
        return [
            text(child)
            for node in parsed.nodes("import_declaration")
            for child in node.named_children
            if child.type in ("identifier", "scoped_identifier")
        ]
    if language == "csharp":
        return [
            text(node.named_children[-1])
            for node in parsed.nodes("using_directive")
            if node.named_children
        ]
    if language == "cpp":
        return [
            text(path)[1:-1]
            for node in parsed.nodes("preproc_include")
            if (path := node.child_by_field_name("path")) is not None
            and path.type in ("system_lib_string", "string_literal")
        ]
    sources = [
        node.child_by_field_name("source")
        for node in parsed.nodes("import_statement", "export_statement", "import_require_clause")
    ]
    for node in parsed.nodes("call_expression"):
        arguments = node.child_by_field_name("arguments")
        if text(node.child_by_field_name("function")) in ("require", "import") and arguments:
            sources.append(arguments.named_children[0] if arguments.named_children else None)
    return [
        text(source)[1:-1] for source in sources if source is not None and source.type == "string"
    ]


def comments(parsed: Parsed) -> list[tuple[int, int]]:
    """The (start, end) character offsets of every comment, without a line comment's
    newline (where a grammar takes it in)."""
    spans = []
    for node in parsed.nodes(*COMMENTS[parsed.language]):
        start, end = parsed.span(node)
        spans.append((start, end - 1 if parsed.code[start:end].endswith("\n") else end))
    return spans


def literals(parsed: Parsed) -> list[tuple[int, int]]:
    """The (start, end) character offsets of every string-like literal (a heredoc body from
    the start of its first line, where tree-sitter starts it after the indentation)."""
    spans = []
    for node in parsed.nodes(*LITERALS[parsed.language]):
        start, end = parsed.span(node)
        if node.type == "heredoc_body":
            start = parsed.code.rfind("\n", 0, start) + 1
        spans.append((start, end))
    return spans
