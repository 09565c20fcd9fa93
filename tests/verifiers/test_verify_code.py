"""``datagen verify code`` on a passing, a failing, a non-compiling and a non-terminating
program per language, run once as a real CLI process over one JSONL file, and compared
with the same programs run by the plain toolchains outside the sandbox."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from datagen.verifiers.code import correctness_job
from tests.code.test_real_toolchains import run_job
from tests.sandbox.helpers import NEEDS_ROOT

pytestmark = NEEDS_ROOT

STEP_SECONDS = 4.0
"""The non-terminating rows end at this wall limit (the default is 15 s)."""
DATAGEN = Path(sys.executable).with_name("datagen")

MENTIONS_ADD = "def check_instruction(response):\n    assert 'add' in response.lower(), 'no add'\n"
NO_LOOPS = (
    "def check_instruction(response):\n"
    "    assert 'while' not in response, 'the response must not use while loops'\n"
)

# language: (check, passing, failing, not compiling, never ending)
PROGRAMS: dict[str, tuple[str, str, str, str, str]] = {
    "python": (
        "def check_correctness():\n    assert add(2, 3) == 5, 'add(2, 3) != 5'",
        "```python\ndef add(a, b):\n    return a + b\n```",
        "def add(a, b):\n    return a - b",
        "def add(a, b) return a + b",
        "def add(a, b):\n    while True:\n        pass",
    ),
    "javascript": (
        "function check_correctness() { if (add(2, 3) !== 5) throw new Error('add(2, 3) != 5'); }",
        "```javascript\nfunction add(a, b) { return a + b; }\n```",
        "function add(a, b) { return a - b; }",
        "function add(a, b) { return a + b;",
        "function add(a, b) { while (true) {} }",
    ),
    "typescript": (
        "function check_correctness(): void {\n"
        "  if (add(2, 3) !== 5) { throw new Error('add(2, 3) != 5'); }\n}",
        "```typescript\nfunction add(a: number, b: number): number { return a + b; }\n```",
        "function add(a: number, b: number): number { return a - b; }",
        "function add(a: number, b: number): number { return 'five'; }",
        "function add(a: number, b: number): number { while (true) {} }",
    ),
    "shell": (
        'check_correctness() {\n  [ "$(add 2 3)" = 5 ] || { echo "add(2, 3) != 5"; exit 1; }\n}',
        "```bash\nadd() { echo $(( $1 + $2 )); }\n```",
        "add() { echo $(( $1 - $2 )); }",
        "add() { echo $(( $1 + $2 )) ",
        "add() { while :; do :; done; }",
    ),
    "cpp": (
        "#include <cassert>\nvoid check_correctness() { assert(add(2, 3) == 5); }",
        "```cpp\nint add(int a, int b) { return a + b; }\n"
        'int main() { std::cout << add(1, 2) << "\\n"; return 0; }\n```',
        "int add(int a, int b) { return a - b; }",
        "int add(int a, int b) { return a + b }",
        "int add(int a, int b) { volatile int x = 0; while (true) { x++; } }",
    ),
    "java": (
        "import java.util.List;\n"
        "class TestCases {\n"
        "  public static void checkCorrectness() {\n"
        '    assert Solution.add(2, 3) == 5 : "add(2, 3) != 5";\n'
        "    Pair<Integer, List<String>> p = Solution.pair();\n"
        "    assert p.second.size() == 2;\n"
        "  }\n}",
        "```java\nimport java.util.*;\n"
        "public class Pair<A, B> {\n"
        "  public final A first; public final B second;\n"
        "  public Pair(A first, B second) { this.first = first; this.second = second; }\n}\n"
        "public class Solution {\n"
        "  public static int add(int a, int b) { return a + b; }\n"
        "  public static Pair<Integer, List<String>> pair() {\n"
        '    return new Pair<>(1, Arrays.asList("a", "b"));\n  }\n}\n```',
        "public class Pair<A, B> {\n"
        "  public final A first; public final B second;\n"
        "  public Pair(A first, B second) { this.first = first; this.second = second; }\n}\n"
        "public class Solution {\n"
        "  public static int add(int a, int b) { return a - b; }\n"
        "  public static Pair<Integer, java.util.List<String>> pair() {\n"
        '    return new Pair<>(1, java.util.Arrays.asList("a", "b"));\n  }\n}',
        "public class Solution { public static int add(int a, int b) { return a + b } }",
        "public class Pair<A, B> {\n"
        "  public final A first; public final B second;\n"
        "  public Pair(A first, B second) { this.first = first; this.second = second; }\n}\n"
        "public class Solution {\n"
        "  public static int add(int a, int b) { while (true) {} }\n"
        "  public static Pair<Integer, java.util.List<String>> pair() { return null; }\n}",
    ),
    "csharp": (
        "using System;\npublic class CheckCorrectness {\n"
        "  public static bool check_correctness() { return Solution.Add(2, 3) == 5; }\n}",
        "```csharp\npublic class Solution {\n"
        "  public static int Add(int a, int b) { return a + b; }\n"
        "  public static void Main() { System.Console.WriteLine(Add(1, 2)); }\n}\n```",
        "public class Solution { public static int Add(int a, int b) { return a - b; } }",
        "public class Solution { public static int Add(int a, int b) { return a + b } }",
        "public class Solution { public static int Add(int a, int b) { while (true) {} } }",
    ),
}
KINDS = ("passing", "failing", "not_compiling", "never_ending")
COMPILED = {"typescript", "cpp", "java", "csharp"}


def rows() -> list[dict[str, Any]]:
    found = []
    for language, (check, *responses) in PROGRAMS.items():
        for kind, response in zip(KINDS, responses, strict=True):
            found.append(
                {
                    "id": f"{language}/{kind}",
                    "programming_language": language,
                    "response": response,
                    "check_correctness": check,
                    "check_instruction": NO_LOOPS if kind == "never_ending" else MENTIONS_ADD,
                }
            )
    return found


EXTRA_LINES = [
    json.dumps(
        {
            "id": "endless_instruction_check",
            "programming_language": "python",
            "response": "def add(a, b):\n    return a + b",
            "check_correctness": PROGRAMS["python"][0],
            "check_instruction": "def check_instruction(response):\n    while True:\n        pass",
        }
    ),
    json.dumps(
        {
            "id": "rust",
            "programming_language": "rust",
            "response": "fn add() {}",
            "check_correctness": "",
            "check_instruction": MENTIONS_ADD,
        }
    ),
    "{not json",
    json.dumps({"id": "no_checks", "programming_language": "python", "response": "x"}),
    json.dumps(
        {
            "id": 7,
            "programming_language": "python",
            "response": ["not", "text"],
            "check_correctness": "",
            "check_instruction": "",
        }
    ),
]


@pytest.fixture(scope="module")
def verdicts(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    source = tmp_path_factory.mktemp("verify-code") / "rows.jsonl"
    lines = [json.dumps(row) for row in rows()] + EXTRA_LINES
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    done = subprocess.run(
        [str(DATAGEN), "verify", "code", str(source), "--step-seconds", str(STEP_SECONDS)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()]


def by_id(verdicts: list[dict[str, Any]]) -> dict[Any, dict[str, Any]]:
    return {verdict["id"]: verdict for verdict in verdicts}


def test_one_verdict_per_line_in_input_order(verdicts: list[dict[str, Any]]) -> None:
    expected = [row["id"] for row in rows()]
    expected += ["endless_instruction_check", "rust", f"line {len(expected) + 3}", "no_checks", 7]
    assert [verdict["id"] for verdict in verdicts] == expected
    for verdict in verdicts:
        assert set(verdict) == {
            "id",
            "correct",
            "instruction",
            "correct_reason",
            "instruction_reason",
        }


@pytest.mark.parametrize("language", list(PROGRAMS))
def test_each_language_passes_fails_breaks_and_times_out(
    verdicts: list[dict[str, Any]], language: str
) -> None:
    found = by_id(verdicts)
    passing, failing = found[f"{language}/passing"], found[f"{language}/failing"]
    broken, endless = found[f"{language}/not_compiling"], found[f"{language}/never_ending"]
    assert (passing["correct"], passing["correct_reason"]) == (True, "ok"), passing
    assert passing["instruction"] and passing["instruction_reason"] == "ok"
    assert not failing["correct"] and failing["correct_reason"].startswith("failed: "), failing
    assert failing["instruction"], "the instruction check does not depend on correctness"
    assert not broken["correct"], broken
    prefix = "compile_error: " if language in COMPILED else "failed: "
    assert broken["correct_reason"].startswith(prefix), broken
    assert (endless["correct"], endless["correct_reason"]) == (False, "timeout"), endless
    assert not endless["instruction"]
    assert "the response must not use while loops" in endless["instruction_reason"]


def test_failures_say_what_failed(verdicts: list[dict[str, Any]]) -> None:
    found = by_id(verdicts)
    for language in ("python", "javascript", "typescript", "shell", "java"):
        assert "add(2, 3) != 5" in found[f"{language}/failing"]["correct_reason"], language
    assert "SyntaxError" in found["python/not_compiling"]["correct_reason"]
    assert "error TS2322" in found["typescript/not_compiling"]["correct_reason"]
    assert "java.lang.AssertionError: add(2, 3) != 5" in found["java/failing"]["correct_reason"]
    assert "';' expected" in found["java/not_compiling"]["correct_reason"]
    assert "error CS1525" in found["csharp/not_compiling"]["correct_reason"]
    assert "check_correctness() returned false" in found["csharp/failing"]["correct_reason"]
    assert "SIGABRT" in found["cpp/failing"]["correct_reason"]
    assert "/run-" not in found["python/failing"]["correct_reason"], "no work-folder paths"


def test_unrunnable_rows_fail_both_checks_with_a_reason(verdicts: list[dict[str, Any]]) -> None:
    found = by_id(verdicts)
    endless = found["endless_instruction_check"]
    assert (endless["correct"], endless["instruction"]) == (True, False)
    assert endless["instruction_reason"] == "timeout"
    expected = {
        "rust": "unknown_language: rust",
        "no_checks": "malformed: missing keys: check_correctness, check_instruction",
        7: "malformed: not strings: response",
    }
    for row_id, reason in expected.items():
        verdict = found[row_id]
        assert (verdict["correct"], verdict["instruction"]) == (False, False)
        assert verdict["correct_reason"] == verdict["instruction_reason"] == reason
    invalid = verdicts[len(rows()) + 2]
    assert invalid["correct_reason"].startswith("malformed: invalid JSON")


def test_verdicts_agree_with_the_plain_toolchains(
    verdicts: list[dict[str, Any]], tmp_path: Path
) -> None:
    """Outside the sandbox, the same programs pass and fail the same way (the never-ending
    ones are left out: there the verdict is the wall limit's)."""
    found = by_id(verdicts)
    for row in rows():
        if row["id"].endswith("never_ending"):
            continue
        job = correctness_job(
            row["id"], row["programming_language"], row["response"], row["check_correctness"]
        )
        failed_step, output = run_job(job, tmp_path / row["id"].replace("/", "-"))
        assert (failed_step is None) == found[row["id"]]["correct"], (row["id"], output)


def test_a_missing_toolchain_is_an_error_naming_its_package(tmp_path: Path) -> None:
    """A missing compiler must not score every response of its language as wrong: the
    command stops with exit 2 and names the package (the binary is hidden by running with
    a toolchain table that names one no machine has: fault injection)."""
    source = tmp_path / "rows.jsonl"
    source.write_text(json.dumps(rows()[0]) + "\n", encoding="utf-8")
    script = (
        "import sys\n"
        "from datagen.verifiers.code import toolchains\n"
        "toolchains.BINARIES['python'] = (('python3-not-installed', 'python3-minimal'),)\n"
        "from datagen.flows.cli import app\n"
        "sys.argv = ['datagen', 'verify', 'code', sys.argv[1]]\n"
        "app()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(source)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert done.stdout == ""
    assert "python3-not-installed" in done.stderr and "python3-minimal" in done.stderr
