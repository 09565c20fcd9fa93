"""Code parsed once by tree-sitter, with its nodes indexed by type for every rule to query.

Deciding many constraints on one program (forward checks, backward derivation) must not
parse or walk it once per rule: ``parse`` walks the tree once and files each node under its
type, so a rule's question ("any ``for_statement``?") is a dictionary look-up. Parsers come
from the separate grammar wheels of the ``code`` extra, as in ``verifiers/code/tree_cut.py``:
they parse offline, unlike tree-sitter-language-pack, which downloads grammars on first use.
"""

from __future__ import annotations

import functools
import importlib
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from datagen.verifiers.code.languages import Language, as_language
from datagen.verifiers.code.toolchains import MissingToolchain, missing_python_module

if TYPE_CHECKING:
    from tree_sitter import Node, Parser

GRAMMARS: dict[Language, tuple[str, str]] = {
    # language: (the grammar wheel's module, its function returning the language)
    "python": ("tree_sitter_python", "language"),
    "java": ("tree_sitter_java", "language"),
    "javascript": ("tree_sitter_javascript", "language"),
    "typescript": ("tree_sitter_typescript", "language_typescript"),
    "shell": ("tree_sitter_bash", "language"),
    "cpp": ("tree_sitter_cpp", "language"),
    "csharp": ("tree_sitter_c_sharp", "language"),
}


@functools.cache
def parser(language: Language) -> Parser:
    """The parser of ``language``; built once, as parsers are reusable."""
    module_name, function = GRAMMARS[as_language(language)]
    try:
        import tree_sitter

        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise MissingToolchain(missing_python_module(exc.name or module_name)) from exc
    return tree_sitter.Parser(tree_sitter.Language(getattr(module, function)()))


@dataclass(frozen=True)
class Parsed:
    """One program and its syntax tree. ``lines`` are split on ``\\n`` only, the way
    tree-sitter counts rows (``str.splitlines`` would also split on form feeds)."""

    code: str
    language: Language
    root: Node
    by_type: dict[str, list[Node]] = field(repr=False)

    def nodes(self, *types: str) -> list[Node]:
        """Every named node of the given types, in source order within each type."""
        if len(types) == 1:
            return self.by_type.get(types[0], [])
        return [node for kind in types for node in self.by_type.get(kind, [])]

    def has(self, *types: str) -> bool:
        return any(kind in self.by_type for kind in types)

    def span(self, node: Node) -> tuple[int, int]:
        """``node``'s (start, end) as character offsets into ``code``, as the emitted
        checkers' lexers give them (tree-sitter counts bytes)."""
        if self._ascii:
            return node.start_byte, node.end_byte
        return self._char_at[node.start_byte], self._char_at[node.end_byte]

    @functools.cached_property
    def _ascii(self) -> bool:
        return self.code.isascii()

    @functools.cached_property
    def _char_at(self) -> list[int]:
        """For each byte offset of the UTF-8 source, the offset of its character."""
        char_at = []
        for index, char in enumerate(self.code):
            char_at.extend([index] * len(char.encode("utf-8", "surrogatepass")))
        char_at.append(len(self.code))
        return char_at


def parse(code: str, language: Language) -> Parsed:
    """``code`` parsed as ``language``, every named node filed under its type (one walk).
    Anonymous nodes (keywords, punctuation) are left out: JavaScript's keyword ``class``
    would otherwise be filed with its ``class`` expressions."""
    root = parser(language).parse(code.encode("utf-8", "surrogatepass")).root_node
    by_type: dict[str, list[Node]] = defaultdict(list)
    for node in _walk(root):
        if node.is_named:
            by_type[node.type].append(node)
    return Parsed(code=code, language=language, root=root, by_type=dict(by_type))


def _walk(root: Node) -> Iterator[Node]:
    """Every node below ``root``, pre-order, with a cursor (no recursion limit)."""
    cursor = root.walk()
    while True:
        node = cursor.node
        if node is not None:
            yield node
        if cursor.goto_first_child():
            continue
        while not cursor.goto_next_sibling():
            if not cursor.goto_parent():
                return


def text(node: Node | None) -> str:
    """The source text of ``node`` ("" for None)."""
    if node is None or node.text is None:
        return ""
    return node.text.decode("utf-8", "surrogatepass")


def descendants(node: Node, *types: str) -> Iterator[Node]:
    """The named nodes of the given types at or below ``node`` (an arrow function's body
    may itself be the call to find)."""
    for child in _walk(node):
        if child.is_named and child.type in types:
            yield child
