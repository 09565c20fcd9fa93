"""A hash of the code a stage runs: its module and every module of ours it reaches, transitively.

Resume keys include it, so editing any code a stage runs recomputes its shards instead of
reusing stale ones. Hand-written module lists missed code (the ToolPref score stage's key left
out the module where ``score_stage`` lives); the import graph does not. Imports are read from
the source, not from ``sys.modules``, so an import inside a function (heavy modules are
imported lazily here) and ``importlib.import_module("datagen....")`` with a literal name count
whether or not they have run yet. A module's parent packages count too: importing it runs
them. So does a module named in a string, as a process started with ``python -m MODULE`` or
``python -c "from MODULE import main"`` is (the sandbox zygote, the run guard). Names are
resolved to files without importing anything below the top two levels, so fingerprinting
never runs the code it hashes.
"""

from __future__ import annotations

import ast
import functools
import hashlib
import importlib.util
import inspect
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from types import ModuleType

PACKAGE = "datagen"


def code_fingerprint(*roots: object, package: str = PACKAGE) -> str:
    """A hash of every source file that ``roots`` (functions, classes, modules) reach.

    Only modules of ``package`` are followed: third-party code is pinned by the lock files.
    """
    digest = hashlib.sha256()
    for name, path in sorted(reachable_modules(roots, package=package).items()):
        digest.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def reachable_modules(roots: Iterable[object], *, package: str = PACKAGE) -> dict[str, Path]:
    """Module name → source file, for the roots' modules and all they import of ``package``."""
    pending = [_module_name(root) for root in roots]
    found: dict[str, Path] = {}
    seen: set[str] = set()
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        seen.add(name)
        path = module_file(name)
        if path is None:  # a namespace package, or a name inside a module (from m import f)
            continue
        found[name] = path
        for imported in imported_names(path, name, package=package):
            if imported == package or imported.startswith(package + "."):
                pending.extend(_with_parents(imported))
    return found


def module_file(name: str) -> Path | None:
    """The ``.py`` file of module ``name``, or None if ``name`` is no module with a file.

    Only the top two levels go through ``importlib`` (which runs a module's parents to find
    it: for ``datagen.generators`` that is only the ``datagen`` namespace); deeper names are
    looked up in their package's folder, so no module of ours is run.
    """
    parts = name.split(".")
    try:
        spec = importlib.util.find_spec(".".join(parts[:2]))
    except (ImportError, ValueError):
        return None
    if spec is None:
        return None
    if len(parts) <= 2:
        origin = spec.origin
        return Path(origin) if origin and origin.endswith(".py") else None
    for base in spec.submodule_search_locations or ():
        path = Path(base, *parts[2:])
        if path.with_suffix(".py").is_file():
            return path.with_suffix(".py")
        if (path / "__init__.py").is_file():
            return path / "__init__.py"
    return None


def imported_names(path: Path, module: str, *, package: str = PACKAGE) -> Iterator[str]:
    """Every module name that the source at ``path`` may import or start, anywhere in it."""
    is_package = path.name == "__init__.py"
    named = re.compile(rf"\b{re.escape(package)}(?:\.[A-Za-z_]\w*)+")
    for node in ast.walk(ast.parse(path.read_bytes(), filename=str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(node.module, node.level, module, is_package)
            if base:
                yield base
                yield from (f"{base}.{alias.name}" for alias in node.names)  # maybe submodules
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield from named.findall(node.value)  # import_module("..."), python -m ..., -c "..."


def _absolute(target: str | None, level: int, module: str, is_package: bool) -> str | None:
    if level == 0:
        return target
    parts = module.split(".")
    anchor = parts if is_package else parts[:-1]
    if level - 1 > len(anchor):
        return None
    anchor = anchor[: len(anchor) - (level - 1)]
    return ".".join([*anchor, target] if target else anchor) or None


def _with_parents(name: str) -> list[str]:
    parts = name.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts) + 1)]


def _module_name(root: object) -> str:
    while isinstance(root, functools.partial):
        root = root.func
    if isinstance(root, ModuleType):
        return root.__name__
    module = inspect.getmodule(root)
    if module is None:
        raise TypeError(f"cannot tell which module defines {root!r}")
    return module.__name__
