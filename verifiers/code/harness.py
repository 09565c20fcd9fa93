"""IFEvalCode's two checks of a response as sandbox command jobs.

Correctness: the response's code and the row's ``check_correctness`` become one program in
the row's language, laid out as the released benchmark lays it out (its ``eval_models.py``),
so our pass rates are comparable with the paper's; the program is compiled where the
language compiles, then run, and it passes when every step exits 0. Instruction following:
the whole response, as a Python string, handed to the row's ``check_instruction``.

Differences from the released layout, each so a correct response is not failed for the
harness's sake: the check's import lines go first (Java and C# refuse them after a type);
every Java ``public`` type becomes package-private (the released harness rewrote only
``public class``, so a ``public interface`` or ``public final class`` broke the file); C++
starts from ``<bits/stdc++.h>``; a response's own C# ``Main`` is cut out like its C++
``main`` (the released harness left it to clash with the harness's). Checks are used as
given: the released harness also passed Python, C++, Java and C# checks through
``unicode_escape`` decoding, which would turn a ``"\\n"`` inside a check's string literal
into a line break.

Everything here is a pure function of its arguments, except that building a job first checks
the language's toolchain (``toolchains.require_toolchain``), so a missing compiler is an
error here, not a wall of failed jobs.
"""

from __future__ import annotations

from typing import Any

from datagen.verifiers.code.extract import extract_code
from datagen.verifiers.code.languages import Language, as_language
from datagen.verifiers.code.prebuilt import CPP_FLAGS, Prebuilt, find_prebuilt
from datagen.verifiers.code.rewrite import package_private, split_imports
from datagen.verifiers.code.toolchains import NODE_MODULES, require_toolchain
from datagen.verifiers.code.tree_cut import cut_cpp_main, cut_csharp_main
from datagen.verifiers.sandbox.records import CommandJob, CommandStep

STEP_SECONDS = 15.0
"""Every compile and every run step: the released harness's limit per program."""

JAVA_PROCESSES = 256
"""javac and java each start 14 threads here (2 cores, serial GC, C1 only) and 20 with the
default G1; the JIT's and the collector's threads grow with the core count, and the job's
default of 64 would make a large machine's JVM fail to start."""

JVM_FLAGS = ("-XX:-UsePerfData", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1")
"""For JVMs that live under a second: no hsperfdata file in /tmp, one GC thread, no C2
compiler. javac's median went from 0.44 s to 0.32 s with them on 2 cores."""

JAVA_ENTRY = """
public class Problem {
    public static void main(String[] args) {
        TestCases.checkCorrectness();
    }
}
"""

CPP_PRELUDE = "#include <bits/stdc++.h>\nusing namespace std;"
CPP_ENTRY = "\nint main(){ check_correctness(); return 0; }\n"

CSHARP_ENTRY = """
public static class HarnessEntryPoint
{
    public static void Main()
    {
        if (!CheckCorrectness.check_correctness())
        {
            throw new global::System.Exception("check_correctness() returned false");
        }
    }
}
"""
"""An uncaught exception makes ``mono`` exit 1; ``global::`` so a response's own ``System`` or
``Exception`` type cannot shadow it."""


def correctness_files(language: str, response: str, check: str) -> dict[str, str]:
    """The program files that check ``response``'s code with ``check`` in ``language``.

    ``check`` is the row's ``check_correctness``: a function ``check_correctness`` (Python,
    JavaScript, TypeScript, shell, C++), a class ``TestCases`` with a static
    ``checkCorrectness()`` (Java), or a class ``CheckCorrectness`` with a static
    ``bool check_correctness()`` (C#). C# is compiled by Debian's Mono ``mcs``, which accepts
    C# up to 7.2: a response with switch expressions, records, ``using`` declarations or
    top-level statements fails to compile, as it would have in the released harness.
    """
    language = as_language(language)
    code = extract_code(response)
    if language == "python":
        return {"main.py": f"{code}\n{check}\ncheck_correctness()"}
    if language == "javascript":
        return {"main.js": f"{code}\n{check}\ncheck_correctness()"}
    if language == "typescript":
        return {"main.ts": f"{code}\n{check}\ncheck_correctness()"}
    if language == "shell":
        return {"main.sh": f"#!/bin/bash\n{code}\n{check}\ncheck_correctness\n"}
    imports, rest = split_imports(language, check)
    if language == "cpp":
        parts = [CPP_PRELUDE, *imports, cut_cpp_main(code), rest, CPP_ENTRY]
        return {"main.cpp": "\n".join(parts)}
    if language == "java":
        parts = [*imports, package_private(code), package_private(rest), JAVA_ENTRY]
        return {"Problem.java": "\n".join(parts)}
    parts = [*imports, cut_csharp_main(code), rest, CSHARP_ENTRY]
    return {"main.cs": "\n".join(parts)}


def correctness_job(id: Any, language: str, response: str, check: str) -> CommandJob:
    """The sandbox job that passes when ``response``'s code passes ``check`` in ``language``.

    Raises ``UnknownLanguage`` for a name outside ``LANGUAGES`` and ``MissingToolchain`` when
    the language's compiler, runtime or tree-sitter grammar is not installed.
    """
    language = as_language(language)
    require_toolchain(language)
    return CommandJob(
        id=id,
        files=correctness_files(language, response, check),
        steps=steps_for(language, find_prebuilt()),
        processes=JAVA_PROCESSES if language == "java" else 64,
    )


def instruction_program(response: str, check_instruction: str) -> str:
    """The Python program that runs ``check_instruction`` on the whole ``response``.

    ``repr`` of a ``str`` is always a valid literal of the same string (quotes, backslashes,
    newlines and non-printable characters escaped), so no response can break out of it.
    """
    return f"response = {response!r}\n{check_instruction}\ncheck_instruction(response)\n"


def instruction_job(id: Any, response: str, check_instruction: str) -> CommandJob:
    """The sandbox job that passes when ``check_instruction(response)`` raises nothing.

    As in the released harness, only an exception fails it: a checker that returns ``False``
    passes. Raises ``MissingToolchain`` when ``python3`` is not on the sandbox's ``PATH``.
    """
    require_toolchain("python")
    return CommandJob(
        id=id,
        files={"main.py": instruction_program(response, check_instruction)},
        steps=(CommandStep(argv=("python3", "main.py"), wall_seconds=STEP_SECONDS, name="run"),),
    )


def steps_for(language: Language, prebuilt: Prebuilt) -> tuple[CommandStep, ...]:
    """``language``'s steps, using what is prebuilt (``prebuilt.py``): the same compilers
    with the same options and messages, minus the work every check would repeat."""
    if language == "cpp" and prebuilt.cpp_include_dir is not None:
        include = ("-I", str(prebuilt.cpp_include_dir))
        return (_compile("g++", *CPP_FLAGS, *include, "-o", "main", "main.cpp"), _run("./main"))
    if language == "typescript" and prebuilt.tsc_snapshot is not None:
        tsc = ("node", "--snapshot-blob", str(prebuilt.tsc_snapshot), "main.ts")
        return (_compile(*tsc), _run("node", "main.js"))
    return STEPS[language]


def _run(*argv: str) -> CommandStep:
    return CommandStep(argv=argv, wall_seconds=STEP_SECONDS, name="run")


def _compile(*argv: str) -> CommandStep:
    return CommandStep(argv=argv, wall_seconds=STEP_SECONDS, name="compile")


# An absolute tsc and type roots: the work folder is a temporary one outside the repo, where
# neither node's module lookup nor tsc's search for @types would find the repo's.
TSC = ("node", str(NODE_MODULES / "typescript" / "bin" / "tsc"))
TSC_FLAGS = ("--target", "esnext", "--module", "commonjs", "--skipLibCheck", "--types", "node")
TYPE_ROOTS = ("--typeRoots", str(NODE_MODULES / "@types"))
JAVAC_FLAGS = (*(f"-J{flag}" for flag in JVM_FLAGS), "-encoding", "UTF-8", "-d", ".")

STEPS: dict[Language, tuple[CommandStep, ...]] = {
    "python": (_run("python3", "main.py"),),
    "javascript": (_run("node", "main.js"),),
    "typescript": (_compile(*TSC, *TSC_FLAGS, *TYPE_ROOTS, "main.ts"), _run("node", "main.js")),
    "shell": (_run("bash", "main.sh"),),
    "cpp": (_compile("g++", *CPP_FLAGS, "-o", "main", "main.cpp"), _run("./main")),
    "java": (
        _compile("javac", *JAVAC_FLAGS, "Problem.java"),
        _run("java", *JVM_FLAGS, "-ea", "-cp", ".", "Problem"),
    ),
    "csharp": (
        _compile("mcs", "-r:System.Numerics.dll", "-out:main.exe", "main.cs"),
        _run("mono", "main.exe"),
    ),
}
"""Each language's steps over the files of ``correctness_files``, as the released harness
runs them: compile where the language compiles, then run; a type error fails TypeScript's
compile step (tsc exits 2), and Java's ``assert`` fails only under ``-ea``."""
