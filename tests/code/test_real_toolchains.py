"""Every harness with its real compiler and runtime: a passing and a failing response per
language, run step by step with plain ``subprocess`` in a temporary folder (the sandbox's
own end-to-end tests run the same jobs isolated). All cases run at once, in a thread pool,
in one fixture: the JVM and tsc dominate, about 1 s each."""

from __future__ import annotations

import dataclasses
import os
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from datagen.verifiers.code import correctness_job, instruction_job
from datagen.verifiers.code.toolchains import RUN_PATH
from datagen.verifiers.sandbox import CommandJob

JAVA_CODE = """```java
import java.util.*;

public class Pair<A, B> {
    final A first;
    final B second;
    public Pair(A first, B second) { this.first = first; this.second = second; }
}

public class Solution {
    public static Pair<Integer, List<String>> split(String s) {
        List<String> parts = Arrays.asList(s.split(","));
        return new Pair<>(parts.size(), parts);
    }
    public static void main(String[] args) { System.out.println(split("a,b").first); }
}
```"""
JAVA_CHECK = """import java.util.List;
public class TestCases {
    public static void checkCorrectness() {
        Pair<Integer, List<String>> p = Solution.split("a,b,c");
        assert p.first == %s : "wrong count";
    }
}"""

TS_CHECK = """const assert = require("assert");
function check_correctness() {
    assert.strictEqual(add(1, 2), %s);
    assert.ok(process.version.startsWith("v"));
}"""

CPP_CODE = """```cpp
#include <vector>
int maintain(const std::vector<int>& v) { int s = 0; for (int x : v) s += x; return s; }
int main(int argc, char** argv) { return maintain({1, 2}); }
```"""
CPP_CHECK = """#include <cassert>
void check_correctness() { assert(maintain({1, 2, 3}) == %s); }"""

CSHARP_CODE = """```csharp
using System;
public class Solution
{
    public static int Add(int a, int b) { return a + b; }
    public static void Main(string[] args) { Console.WriteLine(Add(1, 2)); }
}
```"""
CSHARP_CHECK = """using System.Linq;
public class CheckCorrectness
{
    public static bool check_correctness()
    {
        return new[] { 1, 2 }.Sum() == Solution.Add(1, 2) - %s;
    }
}"""

INSTRUCTION_CHECK = """def check_instruction(response):
    assert "```python" in response, "no python block"
    assert 'it\\'s "quoted"' in response
"""


def without_ea(job: CommandJob) -> CommandJob:
    compile_step, run_step = job.steps
    argv = tuple(arg for arg in run_step.argv if arg != "-ea")
    return dataclasses.replace(job, steps=(compile_step, dataclasses.replace(run_step, argv=argv)))


CASES: dict[str, tuple[CommandJob, str | None]] = {
    # case: (job, None when it must pass, else the step that must fail)
    "python pass": (
        correctness_job(
            0,
            "python",
            "```python\ndef f(x):\n    return x + 1\n```",
            "def check_correctness():\n    assert f(1) == 2",
        ),
        None,
    ),
    "python fail": (
        correctness_job(
            0, "python", "def f(x):\n    return x", "def check_correctness():\n    assert f(1) == 2"
        ),
        "run",
    ),
    "javascript pass": (
        correctness_job(0, "javascript", "```js\nconst add = (a, b) => a + b;\n```", TS_CHECK % 3),
        None,
    ),
    "javascript fail": (
        correctness_job(0, "javascript", "const add = (a, b) => a - b;", TS_CHECK % 3),
        "run",
    ),
    "typescript pass": (
        correctness_job(
            0,
            "typescript",
            "```ts\nfunction add(a: number, b: number): number { return a + b; }\n```",
            TS_CHECK % 3,
        ),
        None,
    ),
    "typescript fail at run": (
        correctness_job(
            0,
            "typescript",
            "function add(a: number, b: number): number { return a * b; }",
            TS_CHECK % 3,
        ),
        "run",
    ),
    "typescript type error fails at tsc": (
        correctness_job(
            0,
            "typescript",
            "function add(a: number, b: number): string { return a + b; }",
            TS_CHECK % '"3"',
        ),
        "compile",
    ),
    "shell pass": (
        correctness_job(
            0,
            "shell",
            "```bash\nadd() { echo $(( $1 + $2 )); }\n```",
            'check_correctness() {\n  [ "$(add 1 2)" = 3 ] || exit 1\n}',
        ),
        None,
    ),
    "shell fail": (
        correctness_job(
            0,
            "shell",
            "add() { echo 4; }",
            'check_correctness() {\n  [ "$(add 1 2)" = 3 ] || exit 1\n}',
        ),
        "run",
    ),
    "cpp pass, own main cut": (correctness_job(0, "cpp", CPP_CODE, CPP_CHECK % 6), None),
    "cpp fail": (correctness_job(0, "cpp", CPP_CODE, CPP_CHECK % 7), "run"),
    "java pass, two generic public classes": (
        correctness_job(0, "java", JAVA_CODE, JAVA_CHECK % 3),
        None,
    ),
    "java assert fails under -ea": (correctness_job(0, "java", JAVA_CODE, JAVA_CHECK % 4), "run"),
    "java assert is off without -ea": (
        without_ea(correctness_job(0, "java", JAVA_CODE, JAVA_CHECK % 4)),
        None,
    ),
    "csharp pass, own Main cut": (
        correctness_job(0, "csharp", CSHARP_CODE, CSHARP_CHECK % 0),
        None,
    ),
    "csharp fail": (correctness_job(0, "csharp", CSHARP_CODE, CSHARP_CHECK % 1), "run"),
    "instruction pass": (
        instruction_job(0, 'it\'s "quoted"\n```python\nprint(1)\n```', INSTRUCTION_CHECK),
        None,
    ),
    "instruction fail": (instruction_job(0, "no block at all", INSTRUCTION_CHECK), "run"),
}


FAILURE_SAYS = {
    "python fail": "AssertionError",
    "javascript fail": "AssertionError",
    "typescript fail at run": "AssertionError",
    "typescript type error fails at tsc": "error TS2322",
    "cpp fail": "Assertion `maintain({1, 2, 3}) == 7' failed",
    "java assert fails under -ea": "java.lang.AssertionError: wrong count",
    "csharp fail": "check_correctness() returned false",
    "instruction fail": "AssertionError: no python block",
}
"""What the failed step printed, in part: the failure is the check's, not the harness's."""


def run_job(job: CommandJob, folder: Path) -> tuple[str | None, str]:
    """Write the job's files into ``folder`` and run its steps there as the sandbox would
    (same PATH, HOME and TMPDIR, each step's wall limit): (the failed step or None, output)."""
    folder.mkdir()
    for name, text in job.files.items():
        (folder / name).write_text(text, encoding="utf-8")
    env = {"PATH": RUN_PATH, "HOME": str(folder), "TMPDIR": str(folder), "LANG": "C.UTF-8"}
    for step in job.steps:
        done = subprocess.run(
            step.argv, cwd=folder, env=env, capture_output=True, text=True,
            timeout=step.wall_seconds, check=False,
        )  # fmt: skip
        if done.returncode != 0:
            return step.name, done.stdout + done.stderr
    return None, ""


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[str | None, str]]:
    root = tmp_path_factory.mktemp("harness")
    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        futures = {
            case: pool.submit(run_job, job, root / f"case{index}")
            for index, (case, (job, _)) in enumerate(CASES.items())
        }
        return {case: future.result() for case, future in futures.items()}


@pytest.mark.parametrize("case", list(CASES))
def test_harness_with_real_toolchain(
    case: str, outcomes: dict[str, tuple[str | None, str]]
) -> None:
    failed_step, output = outcomes[case]
    assert failed_step == CASES[case][1], output
    assert FAILURE_SAYS.get(case, "") in output
