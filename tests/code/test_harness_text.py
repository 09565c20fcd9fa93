"""The programs the harness lays out, per language, and the jobs around them: the released
benchmark's layout, hoisted imports, Java's public types, the cut entry points, the
instruction program's string literal, and the errors for a bad language or toolchain."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from datagen.verifiers.code import (
    LANGUAGES,
    STEPS,
    MissingToolchain,
    UnknownLanguage,
    correctness_files,
    correctness_job,
    instruction_job,
    instruction_program,
    require_toolchain,
)
from datagen.verifiers.code.harness import JAVA_PROCESSES


def fenced(language: str, code: str) -> str:
    return f"Here is my answer.\n```{language}\n{code}\n```\nIt runs in O(n).\n"


def test_python_layout() -> None:
    files = correctness_files(
        "python",
        fenced("python", "def f():\n    return 1"),
        "def check_correctness():\n    assert f() == 1",
    )
    assert files == {
        "main.py": "def f():\n    return 1\n\n"
        "def check_correctness():\n    assert f() == 1\ncheck_correctness()"
    }


@pytest.mark.parametrize(
    ("language", "name"), [("javascript", "main.js"), ("typescript", "main.ts")]
)
def test_javascript_and_typescript_layout(language: str, name: str) -> None:
    files = correctness_files(
        language, fenced(language, "const f = (): number => 1;"), "function check_correctness() {}"
    )
    assert files == {
        name: "const f = (): number => 1;\n\nfunction check_correctness() {}\ncheck_correctness()"
    }


def test_shell_layout() -> None:
    files = correctness_files(
        "shell", fenced("bash", "f() { echo 1; }"), 'check_correctness() { [ "$(f)" = 1 ]; }'
    )
    assert files == {
        "main.sh": "#!/bin/bash\nf() { echo 1; }\n\n"
        'check_correctness() { [ "$(f)" = 1 ]; }\ncheck_correctness\n'
    }


def test_cpp_layout_hoists_includes_and_cuts_main() -> None:
    code = "int twice(int x) { return 2 * x; }\nint main() { std::cout << twice(2); }"
    check = "#include <cassert>\nvoid check_correctness() { assert(twice(2) == 4); }"
    (text,) = correctness_files("cpp", fenced("cpp", code), check).values()
    assert text == (
        "#include <bits/stdc++.h>\nusing namespace std;\n#include <cassert>\n"
        "int twice(int x) { return 2 * x; }\n\n\n"
        "void check_correctness() { assert(twice(2) == 4); }\n"
        "\nint main(){ check_correctness(); return 0; }\n"
    )


def test_java_layout_two_generic_public_classes() -> None:
    code = (
        "import java.util.List;\n"
        "public class Pair<A, B> {\n    final A a; final B b;\n"
        "    Pair(A a, B b) { this.a = a; this.b = b; }\n}\n"
        "public class Solution {\n"
        '    public static Pair<Integer, String> make() { return new Pair<>(1, "x"); }\n}'
    )
    check = (
        "import java.util.*;\n"
        "public class TestCases {\n"
        "    public static void checkCorrectness() { assert Solution.make().a == 1; }\n}"
    )
    files = correctness_files("java", fenced("java", code), check)
    assert list(files) == ["Problem.java"]
    text = files["Problem.java"]
    assert text.startswith("import java.util.*;\nimport java.util.List;\nclass Pair<A, B> {")
    assert "\nclass Solution {\n    public static Pair<Integer, String> make()" in text
    assert "\nclass TestCases {\n" in text
    assert text.count("public class") == 1
    assert text.endswith(
        "public class Problem {\n    public static void main(String[] args) {\n"
        "        TestCases.checkCorrectness();\n    }\n}\n"
    )


def test_csharp_layout_hoists_usings_and_cuts_main() -> None:
    code = (
        "using System;\npublic class Solution\n{\n"
        "    public static int Add(int a, int b) => a + b;\n"
        "    public static void Main(string[] args) { Console.WriteLine(Add(1, 2)); }\n}"
    )
    check = (
        "using System.Linq;\npublic class CheckCorrectness\n{\n"
        "    public static bool check_correctness() { return Solution.Add(1, 2) == 3; }\n}"
    )
    (text,) = correctness_files("csharp", fenced("csharp", code), check).values()
    assert text.startswith("using System.Linq;\nusing System;\npublic class Solution\n")
    assert "Console.WriteLine" not in text
    assert text.count("static void Main") == 1
    assert "if (!CheckCorrectness.check_correctness())" in text


@pytest.mark.parametrize(
    "response",
    [
        "plain",
        "it's \"quoted\" and 'single'",
        "triple \"\"\" and ''' quotes",
        "back\\slash \\n not a newline, and \\\\ two",
        "real\nnew\r\nlines\tand tabs",
        "unicode: 你好, café, emoji 🎉, rtl ‏שלום, nul \x00 and \x7f",
        "ends with a backslash \\",
        "```python\nprint('hi')\n```",
    ],
)
def test_instruction_program_carries_the_response_exactly(response: str) -> None:
    program = instruction_program(response, "def check_instruction(response):\n    pass")
    first, rest = program.split("\n", 1)
    assert first.startswith("response = ")
    assert ast.literal_eval(first.removeprefix("response = ")) == response
    assert rest == "def check_instruction(response):\n    pass\ncheck_instruction(response)\n"
    namespace: dict[str, object] = {}
    exec(compile(program, "main.py", "exec"), namespace)
    assert namespace["response"] == response


def test_jobs_steps_and_limits() -> None:
    java = correctness_job("row-1", "java", "class X {}", "class TestCases {}")
    assert java.id == "row-1"
    assert java.processes == JAVA_PROCESSES >= 256
    assert [step.name for step in java.steps] == ["compile", "run"]
    assert "-ea" in java.steps[1].argv
    for language in LANGUAGES:
        assert all(step.wall_seconds == 15.0 for step in STEPS[language])
    tsc = STEPS["typescript"][0].argv
    assert tsc[0] == "node" and Path(tsc[1]).is_absolute() and tsc[1].endswith("typescript/bin/tsc")
    instruction = instruction_job(7, "r", "def check_instruction(response): pass")
    assert instruction.steps[0].argv == ("python3", "main.py")
    assert list(instruction.files) == ["main.py"]


@pytest.mark.parametrize("language", ["Python", "go", "c++", "", None])
def test_unknown_language(language: object) -> None:
    with pytest.raises(UnknownLanguage, match="unknown language") as error:
        correctness_job(1, language, "x", "y")  # type: ignore[arg-type]
    assert isinstance(error.value, ValueError)
    with pytest.raises(UnknownLanguage):
        require_toolchain(language)  # type: ignore[arg-type]


EMPTY_PATH_CASES = [
    ("java", ["'javac'", "'java'", "openjdk-17-jdk-headless"]),
    ("csharp", ["'mcs'", "mono-mcs", "'mono'", "mono-runtime"]),
    ("cpp", ["'g++'", "apt-get install g++"]),
    ("javascript", ["'node'", "nodejs"]),
    ("python", ["'python3'"]),
    ("shell", ["'bash'"]),
]


@pytest.mark.parametrize(
    ("language", "named"), EMPTY_PATH_CASES, ids=[row[0] for row in EMPTY_PATH_CASES]
)
def test_missing_binary_names_it_and_its_package(
    language: str, named: list[str], tmp_path: Path
) -> None:
    with pytest.raises(MissingToolchain) as error:
        require_toolchain(language, path=str(tmp_path))  # an empty folder as the whole PATH
    for text in named:
        assert text in str(error.value)
    assert "scripts/setup-system.sh" in str(error.value)


def test_missing_node_modules_names_the_set_up_script(tmp_path: Path) -> None:
    with pytest.raises(MissingToolchain) as error:
        require_toolchain("typescript", node_modules=tmp_path / "node_modules")
    message = str(error.value)
    assert "typescript/bin/tsc" in message and "@types/node" in message
    assert "scripts/setup-system.sh" in message and "npm ci" in message


def test_missing_grammar_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    # Fault injection: the import system reports the C# grammar as not installed.
    from datagen.verifiers.code import toolchains

    real_find_spec = toolchains.find_spec

    def find_spec_without_c_sharp(name: str):
        return None if name == "tree_sitter_c_sharp" else real_find_spec(name)

    monkeypatch.setattr(toolchains, "find_spec", find_spec_without_c_sharp)
    with pytest.raises(MissingToolchain, match=r"tree-sitter-c-sharp .*\[code\]"):
        correctness_job(1, "csharp", "x", "y")
    require_toolchain("cpp")  # the C++ grammar is still there


def test_installed_toolchains_pass_the_check() -> None:
    # The tests' set-up (scripts/setup --test) installs every toolchain: none may be missing.
    for language in LANGUAGES:
        require_toolchain(language)
