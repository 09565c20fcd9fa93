"""Cutting a response's own entry point out of C++ and C# source, by syntax tree.

The harness appends the entry point that runs the check, so a response that brings its own
would not compile (C++: redefinition of ``main``; C#: CS0017, more than one entry point). A
regular expression cannot tell ``int main()`` from ``int maintain()`` or from a method of a
class, nor find where a body ends past braces in strings and comments; tree-sitter can. Its
separate grammar wheels (the ``code`` extra) parse offline, unlike tree-sitter-language-pack,
which downloads grammars on first use.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Iterator
from typing import TYPE_CHECKING

from datagen.verifiers.code.toolchains import MissingToolchain, missing_python_module

if TYPE_CHECKING:
    from tree_sitter import Node, Parser

CPP_CONTAINERS = frozenset(
    {
        "preproc_if",
        "preproc_ifdef",
        "preproc_else",
        "preproc_elif",
        "preproc_elifdef",
        "linkage_specification",
        "declaration_list",
    }
)
"""Nodes whose children are still at file scope: ``#ifndef ONLINE_JUDGE ... #endif`` and
``extern "C" { ... }`` (a ``declaration_list`` is walked only below a linkage block; one in a
namespace or a class holds members, and a ``main`` there is an ordinary function)."""


GRAMMARS = {"cpp": "tree_sitter_cpp", "c_sharp": "tree_sitter_c_sharp"}
"""The grammar wheel's module for each grammar this module parses with."""


@functools.cache
def _parser(grammar: str) -> Parser:
    """A parser for ``cpp`` or ``c_sharp``; built once, as parsers are reusable."""
    try:
        import tree_sitter

        module = importlib.import_module(GRAMMARS[grammar])
    except ImportError as exc:
        raise MissingToolchain(missing_python_module(exc.name or GRAMMARS[grammar])) from exc
    return tree_sitter.Parser(tree_sitter.Language(module.language()))


def cut_cpp_main(code: str) -> str:
    """``code`` without its file-scope ``main`` definitions (any signature; also inside
    ``#if`` blocks and ``extern "C"``). Functions and methods of other names, and a ``main``
    in a namespace or a class, stay."""
    source = code.encode("utf-8", "surrogatepass")
    root = _parser("cpp").parse(source).root_node
    return _without(source, [node for node in _cpp_file_scope(root) if _cpp_name(node) == "main"])


def cut_csharp_main(code: str) -> str:
    """``code`` without its ``static`` methods named ``Main`` (attributes included), in any
    class or struct: the entry points C# would otherwise choose between."""
    source = code.encode("utf-8", "surrogatepass")
    root = _parser("c_sharp").parse(source).root_node
    return _without(source, list(_csharp_mains(root)))


def _cpp_file_scope(node: Node, *, in_linkage: bool = False) -> Iterator[Node]:
    """The function definitions at file scope below ``node``."""
    for child in node.named_children:
        if child.type == "function_definition":
            yield child
        elif child.type in CPP_CONTAINERS and (child.type != "declaration_list" or in_linkage):
            yield from _cpp_file_scope(child, in_linkage=child.type == "linkage_specification")


def _cpp_name(definition: Node) -> str | None:
    """The plain name a function definition defines (None for operators, qualified names)."""
    declarator = definition.child_by_field_name("declarator")
    # Down through pointer, reference and parenthesised declarators to the function's own.
    while declarator is not None and declarator.type != "function_declarator":
        declarator = declarator.child_by_field_name("declarator")
    if declarator is None:
        return None
    name = declarator.child_by_field_name("declarator")
    if name is None or name.type != "identifier" or name.text is None:
        return None
    return name.text.decode("utf-8", "surrogatepass")


def _csharp_mains(node: Node) -> Iterator[Node]:
    """The static ``Main`` methods below ``node`` (not looking inside one once found)."""
    for child in node.named_children:
        if child.type == "method_declaration" and _csharp_is_static_main(child):
            yield child
        else:
            yield from _csharp_mains(child)


def _csharp_is_static_main(method: Node) -> bool:
    name = method.child_by_field_name("name")
    if name is None or name.text != b"Main":
        return False
    return any(child.type == "modifier" and child.text == b"static" for child in method.children)


def _without(source: bytes, nodes: list[Node]) -> str:
    """``source`` with the byte spans of ``nodes`` (none inside another) removed."""
    if not nodes:
        return source.decode("utf-8", "surrogatepass")
    kept = bytearray()
    start = 0
    for node in sorted(nodes, key=lambda node: node.start_byte):
        kept += source[start : node.start_byte]
        start = node.end_byte
    kept += source[start:]
    return kept.decode("utf-8", "surrogatepass")
