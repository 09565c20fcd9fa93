"""Rows/s through ``datagen verify code`` ÷ a plain serial loop over the same programs.

    python bench/verify_code.py [--rows-per-language 10] [--repeats 2] [--smoke]

(``--smoke``: one row each of Python, shell and C++, once.)

Every row is a passing IFEvalCode row (seven languages, equal shares), checked twice: its
code against its tests (compile, then run, where the language compiles) and the response
against its Python instruction checker. datagen's side is ``verify_code_lines`` as the CLI
calls it: one sandbox, started inside the timing, every job isolated (namespaces, a user id
per run, a memory cgroup), one worker per core, with what it prebuilds once per machine (a
precompiled ``<bits/stdc++.h>``, a snapshot of tsc with its libraries loaded; built before
the first repeat, outside the timing, as ``datagen verify code`` builds them on first use).
The loop writes each program into a fresh folder and runs the released harness's commands
(plain ``g++``, plain ``tsc``) with ``subprocess.run``, one after another, with the same
wall limit, rlimits and environment (no isolation: that errs in its favour). Both sides must
reach the same verdicts; repeats alternate the order of the sides. A third side, the loop
over datagen's own steps, splits the ratio into what prebuilding gives and what the
sandbox's parallel runs give. Run as root.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # bench.machine as a script

from bench.machine import describe_machine  # noqa: E402
from datagen.verifiers.code import correctness_job, instruction_job  # noqa: E402
from datagen.verifiers.code.harness import STEPS  # noqa: E402
from datagen.verifiers.code.prebuilt import ensure_prebuilt  # noqa: E402
from datagen.verifiers.code_lines import verify_code_lines  # noqa: E402
from datagen.verifiers.sandbox import CommandJob  # noqa: E402
from datagen.verifiers.sandbox.isolation import COMMAND_OPEN_FILES  # noqa: E402
from datagen.verifiers.sandbox.records import Limits  # noqa: E402

GOAL = 1.8
INSTRUCTION = "def check_instruction(response):\n    assert len(response.splitlines()) < 40\n"

PROGRAMS = {  # language: (response, check_correctness)
    "python": (
        "```python\ndef add(a, b):\n    return a + b\n```",
        "def check_correctness():\n    assert add(2, 3) == 5",
    ),
    "javascript": (
        "```javascript\nconst add = (a, b) => a + b;\n```",
        "function check_correctness() { if (add(2, 3) !== 5) throw new Error('add'); }",
    ),
    "typescript": (
        "```typescript\nfunction add(a: number, b: number): number { return a + b; }\n```",
        "function check_correctness(): void { if (add(2, 3) !== 5) throw new Error('add'); }",
    ),
    "shell": (
        "```bash\nadd() { echo $(( $1 + $2 )); }\n```",
        'check_correctness() {\n  [ "$(add 2 3)" = 5 ] || exit 1\n}',
    ),
    "cpp": (
        "```cpp\nint add(int a, int b) { return a + b; }\nint main() { return 0; }\n```",
        "#include <cassert>\nvoid check_correctness() { assert(add(2, 3) == 5); }",
    ),
    "java": (
        "```java\npublic class Solution {\n"
        "  public static int add(int a, int b) { return a + b; }\n}\n```",
        "class TestCases {\n  public static void checkCorrectness() {\n"
        "    assert Solution.add(2, 3) == 5;\n  }\n}",
    ),
    "csharp": (
        "```csharp\npublic class Solution {\n"
        "  public static int Add(int a, int b) { return a + b; }\n}\n```",
        "public class CheckCorrectness {\n"
        "  public static bool check_correctness() { return Solution.Add(2, 3) == 5; }\n}",
    ),
}


SMOKE_LANGUAGES = ("python", "shell", "cpp")  # cpp: the prebuilt header's path too


def rows(per_language: int, languages: tuple[str, ...] = tuple(PROGRAMS)) -> list[dict]:
    return [
        {
            "id": f"{language}-{n}",
            "programming_language": language,
            "response": response,
            "check_correctness": check,
            "check_instruction": INSTRUCTION,
        }
        for n in range(per_language)
        for language, (response, check) in PROGRAMS.items()
        if language in languages
    ]


def through_verify_code(batch: list[dict]) -> list[tuple[bool, bool]]:
    lines = [json.dumps(row) for row in batch]
    return [(v["correct"], v["instruction"]) for v in verify_code_lines(lines)]


def plain_loop(batch: list[dict], *, released_steps: bool = True) -> list[tuple[bool, bool]]:
    """The rows' programs one after another; with ``released_steps`` the released harness's
    commands, else datagen's own (what ``verify code`` runs, prebuilt work included)."""
    verdicts = []
    for row in batch:
        correct = correctness_job(
            row["id"], row["programming_language"], row["response"], row["check_correctness"]
        )
        if released_steps:
            correct = dataclasses.replace(correct, steps=STEPS[row["programming_language"]])
        instruction = instruction_job(row["id"], row["response"], row["check_instruction"])
        verdicts.append((run_serially(correct), run_serially(instruction)))
    return verdicts


def run_serially(job: CommandJob) -> bool:
    """Write the job's files into a fresh folder and run its steps one by one."""
    limits = Limits()
    with tempfile.TemporaryDirectory() as folder:
        for name, text in job.files.items():
            Path(folder, name).write_text(text, encoding="utf-8")
        environment = {
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "LANG": "C.UTF-8",
            "PYTHONHASHSEED": "0",
            "HOME": folder,
            "TMPDIR": folder,
        }

        def limit() -> None:
            resource.setrlimit(resource.RLIMIT_DATA, (job.memory_bytes, job.memory_bytes))
            resource.setrlimit(resource.RLIMIT_NOFILE, (COMMAND_OPEN_FILES, COMMAND_OPEN_FILES))
            resource.setrlimit(resource.RLIMIT_FSIZE, (limits.file_bytes, limits.file_bytes))
            os.setsid()

        for step in job.steps:
            try:
                done = subprocess.run(
                    step.argv,
                    cwd=folder,
                    env=environment,
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.STDOUT,
                    timeout=step.wall_seconds,
                    preexec_fn=limit,
                    check=False,
                )
            except subprocess.TimeoutExpired:
                return False
            if done.returncode != 0:
                return False
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows-per-language", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument(
        "--smoke", action="store_true", help=f"one row of {', '.join(SMOKE_LANGUAGES)}, once"
    )
    args = parser.parse_args()
    languages = tuple(PROGRAMS)
    if args.smoke:  # the slowest compilers (tsc, javac, C#) left out: a check, not a figure
        args.rows_per_language, args.repeats, languages = 1, 1, SMOKE_LANGUAGES
    batch = rows(args.rows_per_language, languages)
    ensure_prebuilt()
    sides = {
        "verify code": through_verify_code,
        "plain loop": plain_loop,
        "loop, datagen's steps": partial(plain_loop, released_steps=False),
    }
    seconds = dict.fromkeys(sides, 0.0)
    verdicts = {}
    for repeat in range(args.repeats):
        for name in list(sides) if repeat % 2 == 0 else list(sides)[::-1]:
            start = time.perf_counter()
            verdicts[name] = sides[name](batch)
            seconds[name] += time.perf_counter() - start
    same = all(v == verdicts["verify code"] for v in verdicts.values())
    print(f"machine: {describe_machine()}")
    print(
        f"{len(batch)} rows ({args.rows_per_language} per language, 2 checks each) x "
        f"{args.repeats} repeats; same verdicts: {same}"
    )
    print(f"all passed: {all(all(v) for v in verdicts['verify code'])}")
    rates = {name: len(batch) * args.repeats / s for name, s in seconds.items()}
    for name, rate in rates.items():
        print(f"{name:22s}: {rate:6.2f} rows/s ({seconds[name]:.1f} s)")
    ratio = rates["verify code"] / rates["plain loop"]
    print(f"ratio verify code/plain loop: {ratio:.2f} (goal >= {GOAL})")
    parallel = rates["verify code"] / rates["loop, datagen's steps"]
    print(f"of which the sandbox's parallel runs (same steps on both sides): {parallel:.2f}")


if __name__ == "__main__":
    main()
