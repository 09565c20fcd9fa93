"""Comment rules' programs: comment line counts, docstrings and doc comments."""

from __future__ import annotations

from tests.constraints.cases import Case, cases

MIN = "min_comment_lines"
DOCS = "function_docs"

CASES: list[Case] = [
    *cases(
        MIN,
        "python",
        min_lines=2,
        accept=[
            "# Compute the answer.\nx = 1  # inline counts",
            "#!/usr/bin/env python3\n# one\nx = 1",
        ],
        reject=[
            'x = "# not a comment"\n"""A docstring is not a comment."""\n# only one',
            "# one\ndef f(:\n    # two\n    pass",
        ],
    ),
    *cases(
        MIN,
        "java",
        min_lines=2,
        accept=["/*\n * Block comment\n */\nclass A {}"],
        reject=['class A {\n    String s = "// nope /* nope */";\n    // one\n}'],
    ),
    *cases(
        MIN,
        "javascript",
        min_lines=2,
        accept=["// a\n// b\nconst x = 1;"],
        reject=['const url = "http://example.com"; // one\nconst re = /\\/\\//;'],
    ),
    *cases(
        MIN,
        "typescript",
        min_lines=2,
        accept=["/** Doc. */\nfunction f(): void {} // trailing"],
        reject=["const t = `// not\n/* comment */`;"],
    ),
    *cases(
        MIN,
        "shell",
        min_lines=2,
        accept=["# one\necho hi # two"],
        reject=["echo \"# not\" '# not' $# ${#x} a#b\n# one"],
    ),
    *cases(
        MIN,
        "cpp",
        min_lines=2,
        accept=["#include <cstdio> // stdio\n/* two */\nint main() {}"],
        reject=["const char* s = \"/* no */\";\nchar c = '/';\nint x = 1'000; // one"],
    ),
    *cases(
        MIN,
        "csharp",
        min_lines=2,
        accept=["/// <summary>\n/// Doc.\n/// </summary>\nclass A {}"],
        reject=['class A {\n    string s = @"// no\n/* no */";\n    // one\n}'],
    ),
    *cases(
        DOCS,
        "python",
        accept=[
            '''
            def f():
                """Return one."""
                return 1

            class A:
                def g(self):
                    # a comment may come first
                    \'\'\'Docstring after a comment.\'\'\'
                    return 2
            ''',
            "x = 1",
        ],
        reject=[
            'def f():\n    x = 1\n    """Too late."""\n    return x',
            'def f(name):\n    f"""Hello {name}."""\n    return name',
            'def f():\n    """Doc."""\n    def inner():\n        return 1\n    return inner()',
        ],
    ),
    *cases(
        DOCS,
        "java",
        accept=[
            """
            class Calculator {
                /**
                 * Adds two numbers.
                 */
                @Override
                public int add(int a, int b) {
                    return a + b;
                }

                /** Entry point. */
                public static void main(String[] args) {}
            }
            """,
        ],
        reject=[
            "class C {\n    // not a doc comment\n    int add(int a, int b) { return a + b; }\n}",
            """
            class C {
                /** Doc for x. */
                int x;
                int add(int a, int b) { return a + b; }
            }
            """,
        ],
    ),
    *cases(
        DOCS,
        "javascript",
        accept=[
            """
            /**
             * Sum.
             * @param {number[]} xs
             */
            function sum(xs) {
              return 0;
            }

            /** Twice. */
            const twice = (x) => 2 * x;
            """,
        ],
        reject=["/* plain block */\nfunction sum(xs) { return 0; }"],
    ),
    *cases(
        DOCS,
        "typescript",
        accept=[
            "class A {\n  /** Get. */\n  get(): number { return 1; }\n}",
            "class A {\n  /** Run. */\n  @log\n  run(): void {}\n}",
        ],
        reject=["/** Doc. */ function f(): void {}"],
    ),
    *cases(
        DOCS,
        "shell",
        accept=["# Print usage.\nusage() {\n  echo usage\n}"],
        reject=[
            "#!/bin/bash\nusage() {\n  echo usage\n}",
            "usage() {  # trailing comment\n  echo\n}",
        ],
    ),
    *cases(
        DOCS,
        "cpp",
        accept=[
            """
            /// Adds.
            int add(int a, int b) { return a + b; }

            /**
             * Main.
             */
            int main() { return add(1, 2); }
            """,
            "/** Max. */\ntemplate <typename T>\nT max_of(T a, T b) { return a > b ? a : b; }",
        ],
        reject=["// Adds.\nint add(int a, int b) { return a + b; }"],
    ),
    *cases(
        DOCS,
        "csharp",
        accept=[
            """
            class P
            {
                /// <summary>Adds.</summary>
                [Obsolete]
                static int Add(int a, int b) => a + b;

                /// <summary>Entry.</summary>
                static void Main() { }
            }
            """,
        ],
        reject=["class P\n{\n    // Adds.\n    static int Add(int a, int b) => a + b;\n}"],
    ),
]
