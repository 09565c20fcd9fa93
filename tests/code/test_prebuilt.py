"""The prebuilt tsc snapshot and C++ header change nothing but speed: the same exit codes,
messages and output as the released harness's plain commands, on real programs."""

from __future__ import annotations

import dataclasses
import subprocess
from pathlib import Path

import pytest

from datagen.verifiers.code import correctness_job
from datagen.verifiers.code.harness import STEPS, steps_for
from datagen.verifiers.code.prebuilt import CPP_FLAGS, Prebuilt, ensure_prebuilt, find_prebuilt
from datagen.verifiers.code.toolchains import RUN_PATH
from datagen.verifiers.sandbox import CommandJob

TS_CHECK = "function check_correctness(): void { if (add(2, 3) !== 5) throw new Error('add'); }"
TYPESCRIPT = {
    "passes": "function add(a: number, b: number): number { return a + b; }",
    "type_error": "function add(a: number, b: number): string { return a + b; }",
    "syntax_error": "function add(a: number, b: number): number { return a + ; }",
    "dom_global_clash": "const name = 'x';\nfunction add(a: number, b: number) { return a + b; }",
    "node_types": (
        "import * as os from 'os';\nconst assert = require('assert');\n"
        "function add(a: number, b: number): number { assert.ok(os.EOL); return a + b; }"
    ),
    "wrong_node_types": "function add(a: number, b: number): number { return process.nope; }",
}
CPP_CHECK = "#include <cassert>\nvoid check_correctness() { assert(add(2, 3) == 5); }"
CPP = {
    "passes": "int add(int a, int b) { return a + b; }",
    "fails": "int add(int a, int b) { return a * b; }",
    "compile_error": "int add(int a, int b) { return a + c; }",
    "uses_the_library": (
        "int add(int a, int b) { vector<int> v{a, b}; return accumulate(v.begin(), v.end(), 0); }"
    ),
}


@pytest.fixture(scope="module")
def prebuilt() -> Prebuilt:
    built = ensure_prebuilt()
    assert built.tsc_snapshot is not None and built.cpp_include_dir is not None, built
    assert find_prebuilt() == built
    return built


def run(job: CommandJob, folder: Path) -> list[tuple[int, str]]:
    """Each step's exit code and output, the files left after the last step included."""
    folder.mkdir()
    for name, text in job.files.items():
        (folder / name).write_text(text, encoding="utf-8")
    environment = {"PATH": RUN_PATH, "HOME": str(folder), "LANG": "C.UTF-8"}
    outcomes = []
    for step in job.steps:
        done = subprocess.run(
            step.argv, cwd=folder, env=environment, capture_output=True, text=True,
            timeout=60, check=False,
        )  # fmt: skip
        outcomes.append((done.returncode, done.stdout + done.stderr))
        if done.returncode != 0:
            break
    emitted = folder / "main.js"
    outcomes.append((0, emitted.read_text() if emitted.exists() else ""))
    return outcomes


@pytest.mark.parametrize("case", list(TYPESCRIPT))
def test_tsc_snapshot_answers_as_tsc_does(prebuilt: Prebuilt, case: str, tmp_path: Path) -> None:
    job = correctness_job(case, "typescript", TYPESCRIPT[case], TS_CHECK)
    assert job.steps == steps_for("typescript", prebuilt) != STEPS["typescript"]
    assert str(prebuilt.tsc_snapshot) in job.steps[0].argv
    plain = dataclasses.replace(job, steps=STEPS["typescript"])
    assert run(job, tmp_path / "snapshot") == run(plain, tmp_path / "tsc")


def test_the_cases_cover_passing_and_failing_compiles(prebuilt: Prebuilt, tmp_path: Path) -> None:
    codes = {
        case: run(correctness_job(case, "typescript", code, TS_CHECK), tmp_path / case)[0][0]
        for case, code in TYPESCRIPT.items()
    }
    assert codes["passes"] == codes["node_types"] == 0
    assert {codes[c] for c in ("type_error", "syntax_error", "dom_global_clash")} == {2}


@pytest.mark.parametrize("case", list(CPP))
def test_precompiled_header_answers_as_the_header_does(
    prebuilt: Prebuilt, case: str, tmp_path: Path
) -> None:
    job = correctness_job(case, "cpp", CPP[case], CPP_CHECK)
    assert ("-I", str(prebuilt.cpp_include_dir)) == job.steps[0].argv[3:5]
    plain = dataclasses.replace(job, steps=STEPS["cpp"])
    assert run(job, tmp_path / "pch") == run(plain, tmp_path / "plain")


def test_g_plus_plus_really_uses_the_precompiled_header(prebuilt: Prebuilt, tmp_path: Path) -> None:
    """``-H`` lists the headers read; a used precompiled header is marked ``!``."""
    source = tmp_path / "main.cpp"
    source.write_text("#include <bits/stdc++.h>\nint main() { return 0; }\n")
    include = ["-I", str(prebuilt.cpp_include_dir)]
    done = subprocess.run(
        ["g++", *CPP_FLAGS, *include, "-H", "-fsyntax-only", str(source)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert f"! {prebuilt.cpp_include_dir}/bits/stdc++.h.gch" in done.stderr
