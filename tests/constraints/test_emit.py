"""The assembled ``check_instruction``: standard library only, the harness's extraction
rule, assertion messages that name the constraint, several constraints in one checker."""

from __future__ import annotations

import ast
import json
import subprocess
import sys

import pytest

from datagen.verifiers.code.extract import FENCED_BLOCK
from datagen.verifiers.code.extract import extract_code as harness_extract
from datagen.verifiers.code.harness import instruction_program
from datagen.verifiers.code.languages import LANGUAGES
from datagen.verifiers.constraints.checker_lex import extract_code
from datagen.verifiers.constraints.emit import check_instruction, failure_message
from datagen.verifiers.constraints.registry import constraint, decide, rules_for
from datagen.verifiers.constraints.rules import Constraint, UnsupportedLanguage


def _every_rule(language: str) -> list[Constraint]:
    """One constraint of every rule of ``language`` (a fixed name for function_name)."""
    chosen = []
    for rule in rules_for(language):
        choices = rule.choices(language) or ({"name": "solve"},)
        chosen.append(Constraint(rule, choices[0]))
    return chosen


def _run(source: str, response: str) -> AssertionError | None:
    namespace: dict[str, object] = {}
    exec(source, namespace)
    try:
        namespace["check_instruction"](response)  # type: ignore[operator]
    except AssertionError as error:
        return error
    return None


@pytest.mark.parametrize("language", LANGUAGES)
def test_assembled_checker_imports_only_the_standard_library(language: str) -> None:
    tree = ast.parse(check_instruction(_every_rule(language), language=language))
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
                for alias in node.names}  # fmt: skip
    imported |= {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert imported
    assert {name.split(".")[0] for name in imported} <= sys.stdlib_module_names


SAMPLES = {
    "python": "def solve(xs):\n    # Doubles.\n    return [x * 2 for x in xs]\n",
    "java": "import java.util.*;\nclass Main {\n    static int solve(int n) { return n; }\n}\n",
    "javascript": "const solve = (xs) => xs.map((x) => x * 2); // doubles\n",
    "typescript": "function solve(n: number): number {\n  return n > 0 ? n : -n;\n}\n",
    "shell": 'solve() {\n  for x in "$@"; do echo $x; done\n}\n',
    "cpp": "#include <vector>\nint solve(int n) {\n    return n < 2 ? n : solve(n - 1);\n}\n",
    "csharp": "class P\n{\n    static int Solve(int n) => n;\n    static void Main() { }\n}\n",
}


def test_checkers_run_in_a_bare_interpreter_with_decide_s_verdicts() -> None:
    """Isolated mode, no site-packages, no datagen: a row is checked anywhere, and every
    constraint function of every language's checker gives the tree-sitter verdict."""
    script = ["import json", "verdicts = {}"]
    expected = {}
    for language, code in SAMPLES.items():
        constraints = _every_rule(language)
        source = check_instruction(constraints, language=language)
        script += [
            "namespace = {}",
            f"exec({source!r}, namespace)",
            f"code = namespace['extract_code']({('```x' + chr(10) + code + '```')!r})",
            f"verdicts[{language!r}] = [namespace[f'constraint_{{n}}'](code)"
            f" for n in range(1, {len(constraints) + 1})]",
        ]
        expected[language] = decide(code, language, constraints)
    script.append("print(json.dumps(verdicts))")
    result = subprocess.run(
        [sys.executable, "-I", "-S", "-"],
        input="\n".join(script),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == expected


def test_checker_runs_through_the_harness_program() -> None:
    """``instruction_program`` (what the sandbox runs) around an assembled checker."""
    source = check_instruction([constraint("function_name", name="solve")], language="cpp")
    program = instruction_program("```cpp\nint solve(int n) { return n; }\n```", source)
    exec(program, {})
    with pytest.raises(AssertionError, match="function_name: Define a function named"):
        exec(instruction_program("```cpp\nint other() { return 0; }\n```", source), {})


def test_failing_assertion_carries_the_constraint_text() -> None:
    rule = constraint("max_lines", max_lines=2)
    source = check_instruction([rule], language="python")
    error = _run(source, "```python\nx = 1\ny = 2\nz = 3\n```")
    assert error is not None
    assert str(error) == failure_message(rule) == f"max_lines: {rule.text}"
    assert "within 2 lines" in str(error)


def test_first_broken_constraint_of_several_is_reported() -> None:
    constraints = [
        constraint("function_name", name="solve"),
        constraint("for_loop", mode="forbidden"),
        constraint("no_tabs"),
    ]
    source = check_instruction(constraints, language="javascript")
    good = "Sure.\n```js\nfunction solve(xs) {\n  return xs.map((x) => x * 2);\n}\n```"
    bad = "```js\nfunction solve(xs) {\n  for (const x of xs) {}\n}\n```"
    assert _run(source, good) is None
    error = _run(source, bad)
    assert error is not None and str(error).startswith("for_loop: Do not use for loops.")


def test_unsupported_language_is_refused() -> None:
    with pytest.raises(UnsupportedLanguage, match="function_names_snake_case"):
        check_instruction([constraint("function_names_snake_case")], language="csharp")


@pytest.mark.parametrize(
    "response",
    [
        "no fence at all",
        "```python\nx = 1\n```",
        "text\n```\nfirst\n```\nthen\n```python\nsecond\n```",
        "```python\nunclosed",
        "```python x=1```",
        "````\nfour\n````",
        "\n```java\nclass A {}\n```\ntrailing ``` ticks",
    ],
)
def test_extraction_is_the_harness_rule(response: str) -> None:
    assert extract_code(response) == harness_extract(response)


def test_extraction_pattern_is_the_harness_pattern() -> None:
    source = check_instruction([constraint("no_tabs")], language="python")
    assert FENCED_BLOCK.pattern in source


@pytest.mark.parametrize(
    ("rule", "params", "message"),
    [
        ("max_lines", {}, "takes parameters ['max_lines']"),
        ("max_lines", {"max_lines": "20"}, "max_lines='20' is not"),
        ("for_loop", {"mode": "sometimes"}, "mode='sometimes' is not"),
        ("no_tabs", {"extra": 1}, "takes parameters []"),
    ],
)
def test_constraint_parameters_are_checked(rule: str, params: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("[", r"\[").replace("]", r"\]")):
        constraint(rule, **params)
