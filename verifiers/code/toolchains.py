"""What each language's steps need on this machine, checked before a job is built.

A job whose compiler is missing would still run, fail, and be scored as wrong code: every
response of that language would silently get reward 0. So building a job first checks its
toolchain and raises ``MissingToolchain`` naming what is missing and how to install it.
Binaries are looked up on the sandbox's ``PATH``, not the caller's, since that is where the
steps will look for them.
"""

from __future__ import annotations

import shutil
from importlib.util import find_spec
from pathlib import Path

from datagen.verifiers.code.languages import as_language

RUN_PATH = "/usr/local/bin:/usr/bin:/bin"
"""The ``PATH`` the sandbox gives every step (``verifiers/sandbox``)."""

REPO_ROOT = Path(__file__).resolve().parents[2]
NODE_MODULES = REPO_ROOT / "node_modules"
"""TypeScript and Node's type declarations, installed from the repo's ``package-lock.json``
by ``scripts/setup-system.sh`` (``npm ci``): a pinned compiler, not whatever is global."""

SETUP = "scripts/setup-system.sh (as root; scripts/setup --test runs it)"

BINARIES: dict[str, tuple[tuple[str, str], ...]] = {
    # language: (binary, Debian package), ...
    "python": (("python3", "python3"),),
    "javascript": (("node", "nodejs"),),
    "typescript": (("node", "nodejs"),),
    "shell": (("bash", "bash"),),
    "cpp": (("g++", "g++"),),
    "java": (("javac", "openjdk-17-jdk-headless"), ("java", "openjdk-17-jdk-headless")),
    "csharp": (("mcs", "mono-mcs"), ("mono", "mono-runtime")),
}

NODE_FILES: dict[str, tuple[str, ...]] = {
    "typescript": ("typescript/bin/tsc", "@types/node/index.d.ts"),
}

PYTHON_MODULES: dict[str, tuple[tuple[str, str], ...]] = {
    # language: (module, PyPI package), ...: the grammars that cut a response's main out
    "cpp": (("tree_sitter", "tree-sitter"), ("tree_sitter_cpp", "tree-sitter-cpp")),
    "csharp": (("tree_sitter", "tree-sitter"), ("tree_sitter_c_sharp", "tree-sitter-c-sharp")),
}
PYTHON_PACKAGES = {
    module: package for pairs in PYTHON_MODULES.values() for module, package in pairs
}


class MissingToolchain(RuntimeError):
    """A compiler, runtime or module a language's harness needs is not installed."""


def missing_python_module(module: str) -> str:
    """The message for a missing Python module of the ``code`` extra."""
    package = PYTHON_PACKAGES.get(module, module)
    return (
        f"the Python package {package} (module {module}) is missing: "
        f"pip install -c constraints.txt -e '.[code]' (the test extra includes it)"
    )


def require_toolchain(
    language: str, *, path: str = RUN_PATH, node_modules: Path = NODE_MODULES
) -> None:
    """Raise ``MissingToolchain`` unless everything ``language``'s steps run is installed.

    ``path`` is where binaries are looked for and ``node_modules`` where TypeScript is; both
    default to what the sandbox's steps use. Raises ``UnknownLanguage`` for any other name.
    """
    language = as_language(language)
    problems: list[str] = []
    for binary, package in BINARIES[language]:
        if shutil.which(binary, path=path) is None:
            problems.append(
                f"the binary {binary!r} is not on PATH {path}: "
                f"apt-get install {package} (or run {SETUP})"
            )
    for relative in NODE_FILES.get(language, ()):
        if not (node_modules / relative).is_file():
            problems.append(
                f"{node_modules / relative} is missing: run {SETUP}, which runs npm ci "
                f"in {node_modules.parent}"
            )
    for module, _package in PYTHON_MODULES.get(language, ()):
        if find_spec(module) is None:
            problems.append(missing_python_module(module))
    if problems:
        raise MissingToolchain(f"{language} cannot be checked here: " + "; ".join(problems))
