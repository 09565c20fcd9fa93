"""The code of a response and the line rewrites of a check: tables of responses and checks,
ugly ones included."""

from __future__ import annotations

import pytest

from datagen.verifiers.code import extract_code
from datagen.verifiers.code.rewrite import package_private, split_imports

EXTRACT = [
    # (case, response, code)
    (
        "one block",
        "Here:\n```python\ndef f():\n    return 1\n```\nDone.",
        "def f():\n    return 1\n",
    ),
    ("first of two", "```js\nfirst()\n```\ntext\n```js\nsecond()\n```", "first()\n"),
    ("no language tag", "```\nx = 1\n```", "x = 1\n"),
    ("tag with spaces", "```c++ title=main.cpp\nint x;\n```", "int x;\n"),
    ("no block: whole response", "def f(): return 1", "def f(): return 1"),
    ("unclosed block: whole response", "```python\ndef f(): pass", "```python\ndef f(): pass"),
    ("empty response", "", ""),
    ("empty block", "```python\n```", ""),
    ("inline ticks only", "use `x` and ``y``", "use `x` and ``y``"),
    ("block body keeps indentation", "```\n  a\n\tb\n```", "  a\n\tb\n"),
    (
        "a later language is not preferred",
        "```text\nnot code\n```\n```python\nx\n```",
        "not code\n",
    ),
]


@pytest.mark.parametrize(("case", "response", "code"), EXTRACT, ids=[row[0] for row in EXTRACT])
def test_extract_code(case: str, response: str, code: str) -> None:
    assert extract_code(response) == code


SPLIT = [
    # (case, language, check, imports, rest)
    (
        "java imports, static and wildcard",
        "java",
        "import java.util.*;\nimport static java.lang.Math.max;\nclass TestCases {\n}\n",
        ["import java.util.*;", "import static java.lang.Math.max;"],
        "class TestCases {\n}\n",
    ),
    (
        "java import after a class still moves",
        "java",
        "class A {}\n  import java.util.List;  \nclass B {}",
        ["import java.util.List;"],
        "class A {}\nclass B {}",
    ),
    (
        "java: an identifier starting with import stays",
        "java",
        "class T { void f() { importance = 1; } }",
        [],
        "class T { void f() { importance = 1; } }",
    ),
    (
        "csharp usings, alias and static",
        "csharp",
        "using System;\nusing static System.Math;\nusing Map = System.Collections.Hashtable;\n"
        "public class CheckCorrectness {}\n",
        ["using System;", "using static System.Math;", "using Map = System.Collections.Hashtable;"],
        "public class CheckCorrectness {}\n",
    ),
    (
        "csharp: a using statement stays",
        "csharp",
        "void F() {\n    using (var r = new R())\n    {\n    }\n}\n",
        [],
        "void F() {\n    using (var r = new R())\n    {\n    }\n}\n",
    ),
    (
        "cpp includes of both kinds",
        "cpp",
        '#include <cassert>\n# include "x.h"\nvoid check_correctness() {}\n',
        ["#include <cassert>", '# include "x.h"'],
        "void check_correctness() {}\n",
    ),
    (
        "crlf line ends",
        "cpp",
        "#include <vector>\r\nvoid check_correctness() {}\r\n",
        ["#include <vector>"],
        "void check_correctness() {}\r\n",
    ),
    (
        "python is left alone",
        "python",
        "import math\ndef check_correctness():\n    pass\n",
        [],
        "import math\ndef check_correctness():\n    pass\n",
    ),
]


@pytest.mark.parametrize(
    ("case", "language", "check", "imports", "rest"), SPLIT, ids=[row[0] for row in SPLIT]
)
def test_split_imports(case: str, language, check: str, imports: list[str], rest: str) -> None:
    assert split_imports(language, check) == (imports, rest)


PUBLIC = [
    # (case, java, package-private java)
    ("plain", "public class Solution {}", "class Solution {}"),
    ("generic", "public class Pair<A, B> { A a; B b; }", "class Pair<A, B> { A a; B b; }"),
    (
        "two public classes",
        "public class A {}\n\npublic class B<T extends Comparable<T>> {}",
        "class A {}\n\nclass B<T extends Comparable<T>> {}",
    ),
    (
        "modifiers kept",
        "public final class F {} public abstract class G {}",
        "final class F {} abstract class G {}",
    ),
    (
        "interface, enum, record",
        "public interface I {} public enum E { X } public record R(int x) {}",
        "interface I {} enum E { X } record R(int x) {}",
    ),
    (
        "nested static class",
        "public class O { public static class In {} }",
        "class O { static class In {} }",
    ),
    (
        "public methods and fields stay",
        "class C { public static int f() { return 0; } public int x; }",
        "class C { public static int f() { return 0; } public int x; }",
    ),
    ("across a line break", "public\nclass C {}", "class C {}"),
    ("a name containing public stays", "class republic {}", "class republic {}"),
]


@pytest.mark.parametrize(("case", "java", "expected"), PUBLIC, ids=[row[0] for row in PUBLIC])
def test_package_private(case: str, java: str, expected: str) -> None:
    assert package_private(java) == expected
