"""The mutant check: every constraint's checker must reject some response.

A checker that accepts every response (a regex that never matches, a bound no code can
break) would make its constraint free reward. So each checker is run on mutants of the
problem's reference: empty and code-less answers, a bare program with none of the
constructs rules look for, the reference with a snippet that has all of them, with variables
named in every style, with an import of every module a rule may forbid, and the reference
reformatted (tabs, trailing spaces, a long line, every line repeated). A checker
that rejects none of them is a defect: its row is quarantined with the constraint's name.
Mutants need not pass the tests; they only have to break some constraint.
"""

from __future__ import annotations

from typing import Any

from datagen.verifiers.code.extract import extract_code
from datagen.verifiers.constraints.imports import MODULES as FORBIDDABLE
from datagen.verifiers.sandbox import CommandJob, CommandStep

CHECKER_ACCEPTS_EVERYTHING = "checker_accepts_everything"
ACCEPTS_ALL_EXIT = 3
"""The exit code of a mutant program whose checker rejected no mutant."""
CHECK_SECONDS = 15.0

BARE = {
    "python": "def f(x):\n    return x\n",
    "javascript": "function f(x) {\n  return x;\n}\n",
    "typescript": "function f(x: number): number {\n  return x;\n}\n",
    "shell": 'f() {\n  echo "$1"\n}\n',
    "cpp": "int f(int x) {\n  return x;\n}\n",
    "java": "class Bare {\n  static int f(int x) {\n    return x;\n  }\n}\n",
    "csharp": "class Bare {\n  static int F(int x) {\n    return x;\n  }\n}\n",
}
"""A program with no loop, branch, class (where a language allows), comment, import or
recursion, and one short name."""

EVERYTHING = {
    "python": (
        "import os\n# a comment\n# another comment\nclass Helper_thing:\n"
        '    """A docstring."""\n    def Do_Thing(self, n):\n'
        "        total = [i for i in range(n)]\n        for i in range(n):\n"
        "            while n > 0:\n                n -= 1\n"
        "        f = lambda y: y if y else 0\n        return self.Do_Thing(n - 1) if n else f(0)\n"
    ),
    "javascript": (
        "const os = require('os');\n// a comment\n// another comment\nclass helper_thing {\n"
        "  Do_Thing(n) {\n    for (let i = 0; i < n; i++) {}\n    while (n > 0) { n--; }\n"
        "    const f = (y) => (y ? y : 0);\n    return n ? this.Do_Thing(n - 1) : f(0);\n  }\n}\n"
    ),
    "typescript": (
        "import * as os from 'os';\n// a comment\n// another comment\nclass helper_thing {\n"
        "  Do_Thing(n: number): number {\n    for (let i = 0; i < n; i++) {}\n"
        "    while (n > 0) { n--; }\n    const f = (y: number) => (y ? y : 0);\n"
        "    return n ? this.Do_Thing(n - 1) : f(0);\n  }\n}\n"
    ),
    "shell": (
        "source /etc/os-release\n# a comment\n# another comment\nDo_Thing() {\n"
        "  for i in 1 2 3; do :; done\n  while false; do :; done\n"
        '  [ "$1" -gt 0 ] && Do_Thing $(( $1 - 1 ))\n}\n'
    ),
    "cpp": (
        "#include <cstdio>\n// a comment\n// another comment\nclass helper_thing {\n public:\n"
        "  int Do_Thing(int n) {\n    for (int i = 0; i < n; i++) {}\n    while (n > 0) { n--; }\n"
        "    auto f = [](int y) { return y ? y : 0; };\n    return n ? Do_Thing(n - 1) : f(0);\n"
        "  }\n};\n"
    ),
    "java": (
        "import java.util.*;\n// a comment\n// another comment\nclass helper_thing {\n"
        "  int Do_Thing(int n) {\n    for (int i = 0; i < n; i++) {}\n    while (n > 0) { n--; }\n"
        "    java.util.function.IntUnaryOperator f = y -> y != 0 ? y : 0;\n"
        "    return n != 0 ? Do_Thing(n - 1) : f.applyAsInt(0);\n  }\n}\n"
    ),
    "csharp": (
        "using System.Linq;\n// a comment\n// another comment\nclass helper_thing {\n"
        "  int do_thing(int n) {\n    for (int i = 0; i < n; i++) {}\n    while (n > 0) { n--; }\n"
        "    System.Func<int, int> f = y => y != 0 ? y : 0;\n"
        "    return n != 0 ? do_thing(n - 1) : f(0);\n  }\n}\n"
    ),
}
"""A snippet with every construct a rule can require or forbid: loops, recursion, a
ternary, a lambda, a class, an import, comments, badly cased names."""


NAMES = {
    "python": "myValue = 1\nmy_value = 2\nMyValue = 3\n",
    "javascript": "let myValue = 1;\nlet my_value = 2;\nlet MyValue = 3;\n",
    "typescript": "let myValue = 1;\nlet my_value = 2;\nlet MyValue = 3;\n",
    "shell": "myValue=1\nmy_value=2\nMyValue=3\n",
    "cpp": "int myValue = 1;\nint my_value = 2;\nint MyValue = 3;\n",
    "java": (
        "class Names {\n  static void names() {\n"
        "    int myValue = 1;\n    int my_value = 2;\n    int MyValue = 3;\n  }\n}\n"
    ),
    "csharp": (
        "class Names {\n  static void names() {\n"
        "    int myValue = 1;\n    int my_value = 2;\n    int MyValue = 3;\n  }\n}\n"
    ),
}
"""Variables named in every style, so that each naming rule on variables has a breaker."""

IMPORT_LINE = {
    "python": "import {module}",
    "javascript": "const imported{index} = require('{module}');",
    "typescript": "import * as imported{index} from '{module}';",
    "cpp": "#include <{module}>",
    "java": "import {module}.*;",
    "csharp": "using {module};",
}


def imports_of(language: str) -> str:
    """An import of every module the library's ``forbidden_import`` rule may forbid."""
    if language not in IMPORT_LINE:
        return ""
    lines = [
        IMPORT_LINE[language].format(module=module, index=index)
        for index, module in enumerate(FORBIDDABLE[language])
    ]
    return "\n".join(lines) + "\n"


def mutants(reference_response: str, language: str) -> list[str]:
    """Responses that each break some kind of constraint the reference may meet."""
    code = extract_code(reference_response)
    tag = "bash" if language == "shell" else language

    def fenced(text: str) -> str:
        return f"```{tag}\n{text}```"

    lines = code.splitlines()
    return [
        "",
        "I am not able to write this program.",
        fenced(BARE[language]),
        fenced(code + "\n" + EVERYTHING[language]),
        fenced(EVERYTHING[language] + "\n" + code),
        fenced("\n".join("\t" + line for line in lines) + "\n"),
        fenced("\n".join(line + "   " for line in lines) + "\n"),
        fenced("\n".join([*lines[:1], "   " + "x" * 300, *lines[1:]]) + "\n"),
        fenced("\n".join(lines * 40) + "\n"),
        fenced(code.upper()),
        fenced(code + "\n" + NAMES[language]),
        fenced(imports_of(language) + code),
    ]


def mutant_job(job_id: Any, checker: str, candidates: list[str]) -> CommandJob:
    """A job that exits 0 when ``checker`` (Python source defining ``check_instruction``)
    rejects at least one of ``candidates`` (any exception counts), ``ACCEPTS_ALL_EXIT`` when
    it accepts them all."""
    program = (
        f"{checker}\n\n"
        f"MUTANTS = {candidates!r}\n"
        "for mutant in MUTANTS:\n"
        "    try:\n"
        "        check_instruction(mutant)\n"
        "    except Exception:\n"
        "        raise SystemExit(0)\n"
        f"raise SystemExit({ACCEPTS_ALL_EXIT})\n"
    )
    step = CommandStep(argv=("python3", "main.py"), wall_seconds=CHECK_SECONDS, name="mutants")
    return CommandJob(id=job_id, files={"main.py": program}, steps=(step,))
