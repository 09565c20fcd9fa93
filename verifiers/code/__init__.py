"""IFEvalCode's harnesses (arXiv 2507.22462): a response's code checked for correctness in
its language, and the whole response checked against the row's instructions in Python.

``correctness_job(id, language, response, check)`` and ``instruction_job(id, response,
check_instruction)`` return ``CommandJob``s for the sandbox (``verifiers/sandbox``); a job
passes when every step exits 0. Nothing here runs a process: building a job only lays out
the program text and checks that the language's toolchain is installed
(``require_toolchain``, which ``scripts/setup-system.sh`` satisfies).

Modules: ``extract`` (the code of a response), ``rewrite`` (import hoisting, Java's public
types), ``tree_cut`` (a response's own ``main`` cut out of C++ and C#), ``toolchains``,
``harness`` (the programs and their steps).
"""

from __future__ import annotations

from datagen.verifiers.code.extract import extract_code
from datagen.verifiers.code.harness import (
    STEPS,
    correctness_files,
    correctness_job,
    instruction_job,
    instruction_program,
)
from datagen.verifiers.code.languages import LANGUAGES, Language, UnknownLanguage
from datagen.verifiers.code.toolchains import MissingToolchain, require_toolchain

__all__ = [
    "LANGUAGES",
    "STEPS",
    "Language",
    "MissingToolchain",
    "UnknownLanguage",
    "correctness_files",
    "correctness_job",
    "extract_code",
    "instruction_job",
    "instruction_program",
    "require_toolchain",
]
