"""How complex a function is, measured on its code (AST) and on one run (its line trace).

TeaR keeps a band of simple structure: code a model can trace in its head, yet not trivial.
The measures are cheap and deterministic so the same function always lands in the same band.
"""

from __future__ import annotations

import ast
import itertools
from dataclasses import asdict, dataclass

_NESTING = (ast.For, ast.While, ast.If, ast.With, ast.Try, ast.ListComp, ast.SetComp, ast.DictComp,
            ast.GeneratorExp)  # fmt: skip
_LOOPS = (ast.For, ast.While, ast.comprehension)
_STRUCTURES = {
    ast.List: "list",
    ast.ListComp: "list",
    ast.Dict: "dict",
    ast.DictComp: "dict",
    ast.Set: "set",
    ast.SetComp: "set",
    ast.Tuple: "tuple",
    ast.GeneratorExp: "generator",
}
_STRUCTURE_CALLS = {"list", "dict", "set", "tuple", "sorted", "defaultdict", "Counter", "deque"}


@dataclass(frozen=True, kw_only=True)
class CodeComplexity:
    """Static measures of one function's source."""

    ast_nodes: int
    max_depth: int
    """Deepest nesting of loops, branches and comprehensions (0 for straight-line code)."""
    loops: int
    branches: int
    data_structures: tuple[str, ...]

    def as_record(self) -> dict:
        return asdict(self) | {"data_structures": ",".join(self.data_structures)}


@dataclass(frozen=True, kw_only=True)
class Band:
    """The kept band: at most these sizes (inclusive), at least one traced line."""

    max_ast_nodes: int = 400
    max_depth: int = 4
    max_trace_steps: int = 600

    def code_problem(self, measured: CodeComplexity) -> str | None:
        """Why the code is outside the band, as a reason, or None when it is inside."""
        if measured.ast_nodes > self.max_ast_nodes:
            return f"too_complex: {measured.ast_nodes} AST nodes > {self.max_ast_nodes}"
        if measured.max_depth > self.max_depth:
            return f"too_complex: nesting depth {measured.max_depth} > {self.max_depth}"
        return None

    def trace_problem(self, steps: int, *, truncated: bool) -> str | None:
        if truncated or steps > self.max_trace_steps:
            return f"trace_too_long: {steps}{'+' if truncated else ''} > {self.max_trace_steps}"
        return None


def measure_code(code: str) -> CodeComplexity:
    """The static measures of ``code`` (which must parse)."""
    tree = ast.parse(code)
    structures = set()
    for node in ast.walk(tree):
        if type(node) in _STRUCTURES:
            structures.add(_STRUCTURES[type(node)])
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in _STRUCTURE_CALLS
        ):
            structures.add({"sorted": "list", "defaultdict": "dict", "Counter": "dict"}.get(
                node.func.id, node.func.id))  # fmt: skip
    nodes = list(ast.walk(tree))
    return CodeComplexity(
        ast_nodes=len(nodes),
        max_depth=_depth(tree),
        loops=sum(isinstance(n, _LOOPS) for n in nodes),
        branches=sum(isinstance(n, ast.If | ast.IfExp) for n in nodes),
        data_structures=tuple(sorted(structures)),
    )


def _depth(node: ast.AST) -> int:
    here = 1 if isinstance(node, _NESTING) else 0
    return here + max((_depth(child) for child in ast.iter_child_nodes(node)), default=0)


def bucket(value: int, edges: tuple[int, ...]) -> str:
    """The label of the half-open bucket ``value`` falls in: ``"<50"``, ``"50-99"``, ``"200+"``."""
    if value < edges[0]:
        return f"<{edges[0]}"
    for low, high in itertools.pairwise(edges):
        if value < high:
            return f"{low}-{high - 1}"
    return f"{edges[-1]}+"


NODE_EDGES = (50, 100, 200, 300)
TRACE_EDGES = (10, 50, 200)
