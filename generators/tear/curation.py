"""TeaR's curation filters, each a pure function returning a stable reason or None.

Static filters read the code (AST); dynamic ones read two sandbox runs of one input; dedup
compares functions by a normalised hash and by token Jaccard similarity.
"""

from __future__ import annotations

import ast
import hashlib
import io
import keyword
import tokenize
from collections.abc import Sequence
from dataclasses import dataclass

from datagen.verifiers.sandbox import ExecutionResult

ALLOWED_IMPORTS = frozenset(
    {"math", "string", "re", "collections", "itertools", "functools", "typing", "heapq",
     "bisect", "operator", "fractions", "decimal", "statistics", "cmath"}
)  # fmt: skip
"""Pure-computation modules: anything else (os, random, time, sys, hashlib ...) is refused."""
IMPURE_CALLS = frozenset(
    {"open", "input", "print", "exec", "eval", "compile", "__import__", "globals", "locals",
     "vars", "breakpoint", "help", "id", "hash", "memoryview", "exit", "quit"}
)  # fmt: skip
"""I/O, dynamic code, and values that differ between runs (``id``; ``hash`` of str)."""


def static_problem(code: str, entry_point: str) -> str | None:
    """Why ``code`` cannot be a TeaR function, as a reason code with detail, or None."""
    try:
        tree = ast.parse(code)
    except SyntaxError as exc:
        return f"syntax_error: {exc.msg} (line {exc.lineno})"
    defined = {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}
    if entry_point not in defined:
        return f"no_entry_point: no top-level def {entry_point}"
    for node in ast.walk(tree):
        modules = []
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            modules = [node.module or ""]
        for module in modules:
            if module.split(".")[0] not in ALLOWED_IMPORTS:
                return f"disallowed_import: {module}"
        called = node.func if isinstance(node, ast.Call) else None
        if isinstance(called, ast.Name) and called.id in IMPURE_CALLS:
            return f"impure_call: {called.id}()"
        if isinstance(node, ast.Global | ast.Nonlocal | ast.AsyncFunctionDef | ast.Await):
            return f"impure_construct: {type(node).__name__}"
    return None


def execution_problem(
    first: ExecutionResult, second: ExecutionResult, *, max_output_chars: int
) -> str | None:
    """Why an input's runs cannot give a ground truth: failed, differed, or too long an output."""
    if first.status != "ok":
        return f"execution_{first.status}: {first.reason[:120]}"
    if second.status != first.status or second.output != first.output:
        return f"non_deterministic: {first.output!r:.40} then {second.output!r:.40}"
    output = first.output or ""
    if len(output) > max_output_chars:
        return f"output_too_long: {len(output)} chars > {max_output_chars}"
    if not output.strip():
        return "empty_output: the repr is empty"
    return None


def normalised_tokens(code: str) -> list[str]:
    """The code's tokens with comments, docstrings and layout gone and names made generic.

    Identifiers become ``ID<n>`` by first appearance (builtins and keywords stay), so two
    functions that differ only in naming give the same tokens.
    """
    tree = ast.parse(code)
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (
            isinstance(body, list)
            and body
            and isinstance(body[0], ast.Expr)
            and isinstance(body[0].value, ast.Constant)
            and isinstance(body[0].value.value, str)
        ):
            body[:] = body[1:] or [ast.Pass()]
    names: dict[str, str] = {}
    tokens = []
    source = ast.unparse(tree)
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.NAME and not keyword.iskeyword(token.string):
            if token.string in _BUILTINS:
                tokens.append(token.string)
            else:
                tokens.append(names.setdefault(token.string, f"ID{len(names)}"))
        elif token.type in (tokenize.OP, tokenize.NUMBER, tokenize.STRING, tokenize.NAME):
            tokens.append(token.string)
    return tokens


_BUILTINS = frozenset(dir(__import__("builtins")))


def code_hash(tokens: Sequence[str]) -> str:
    return hashlib.sha256(" ".join(tokens).encode()).hexdigest()[:16]


def jaccard(a: Sequence[str], b: Sequence[str]) -> float:
    """Token-set Jaccard similarity (1.0 for two empty sets)."""
    left, right = set(a), set(b)
    return len(left & right) / len(left | right) if left | right else 1.0


@dataclass(frozen=True)
class Duplicate:
    index: int
    reason: str


def find_duplicates(codes: Sequence[str], *, threshold: float) -> list[Duplicate]:
    """Later functions that repeat an earlier kept one: same normalised hash, or token
    Jaccard ≥ ``threshold``. The first of each group is kept."""
    kept: list[tuple[int, list[str], str]] = []
    duplicates = []
    for index, code in enumerate(codes):
        tokens = normalised_tokens(code)
        digest = code_hash(tokens)
        reason = None
        for other, other_tokens, other_digest in kept:
            if digest == other_digest:
                reason = f"duplicate_code: same normalised code as function #{other}"
            elif (similarity := jaccard(tokens, other_tokens)) >= threshold:
                reason = f"near_duplicate: Jaccard {similarity:.2f} with function #{other}"
            if reason:
                break
        if reason:
            duplicates.append(Duplicate(index, reason))
        else:
            kept.append((index, tokens, digest))
    return duplicates
