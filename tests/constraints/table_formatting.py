"""Formatting rules' programs: indentation steps, tabs, trailing whitespace."""

from __future__ import annotations

import re
import textwrap

from tests.constraints.cases import Case, cases
from tests.constraints.programs import PROGRAMS

INDENT = "indentation"

CASES: list[Case] = [
    *cases(
        INDENT,
        "python",
        spaces=4,
        accept=[
            '''
            def f(x):
                if x:
                    return """
              text with odd
             indentation
            """
                return 0
            ''',
            '''
            class A:
                def g(self):
                    """Docstring,
                  its second line indented by 6."""
                    return [1,
                            2]
            ''',
        ],
        reject=[
            "def f(x):\n  return x",
            "def f(x):\n\treturn x",
            "def f(x:\n    return x",
        ],
    ),
    *cases(
        INDENT, "python", spaces=2, accept=["def f(x):\n  return x"], reject=["if x:\n   y = 1"]
    ),
    *cases(
        INDENT,
        "java",
        spaces=4,
        accept=[
            """
            /**
             * Javadoc lines start with one space.
             */
            class A {
                int f() {
                    return 1;
                }
            }
            """,
        ],
        reject=[
            "class A {\n  int f() { return 1; }\n}",
            "class A {\n    int f() {\n        return g(1,\n               2);\n    }\n}",
        ],
    ),
    *cases(
        INDENT,
        "javascript",
        spaces=2,
        accept=[
            "function f() {\n  const s = `a\n   b`;\n  return s;\n}",
            "function f() {\n    return 1;\n}",
        ],
        reject=["function f() {\n   return 1;\n}"],
    ),
    *cases(
        INDENT,
        "typescript",
        spaces=4,
        accept=["class A {\n    m(): void {}\n    /*\n      odd comment\n     */\n}"],
        reject=["class A {\n  m(): void {}\n}"],
    ),
    *cases(
        INDENT,
        "shell",
        spaces=2,
        accept=[
            "f() {\n  cat <<EOF\n   odd heredoc text\nEOF\n}",
            'if true; then\n  echo "a\n   b"\nfi',
            "cat <<-EOT\n\tindented by tabs, as <<- wants\n\tEOT",
        ],
        reject=["if true; then\n   echo x\nfi", "f() {\n\techo x\n}"],
    ),
    *cases(
        INDENT,
        "cpp",
        spaces=4,
        accept=['int main() {\n    const char* s = R"(\n  raw\n)";\n    return 0;\n}'],
        reject=["int main() {\n\treturn 0;\n}", "int main() {\n  return 0;\n}"],
    ),
    *cases(
        INDENT,
        "csharp",
        spaces=4,
        accept=['class P\n{\n    static string S = @"a\n  b";\n}'],
        reject=["class P\n{\n  static void Main() { }\n}"],
    ),
]

for language, program in PROGRAMS.items():
    program = textwrap.dedent(program).strip("\n")
    first, rest = program.split("\n", 1)
    CASES += cases(
        "no_tabs",
        language,
        accept=[program],
        reject=[first + "\t\n" + rest, re.sub(r"1(,?) 2", "1\\1\t2", program)],
    )
    CASES += cases(
        "no_trailing_whitespace",
        language,
        accept=[program, program.replace("\n", "\r\n")],
        reject=[first + "  \n" + rest, program + "\t"],
    )
