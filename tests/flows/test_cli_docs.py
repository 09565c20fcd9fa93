"""Every CLI command is documented (help text and README), and CI runs the README's tests."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import typer.main

from datagen.flows.cli import app

ROOT = Path(__file__).resolve().parents[2]


def _commands(group: Any, prefix: str = "datagen") -> list[tuple[str, Any]]:
    """Leaf commands with their full paths (typer vendors click, so duck-type the groups)."""
    found = []
    for name, command in group.commands.items():
        path = f"{prefix} {name}"
        if hasattr(command, "commands"):
            found += _commands(command, path)
        else:
            found.append((path, command))
    return found


COMMANDS = _commands(typer.main.get_command(app))


def test_every_command_and_option_has_help() -> None:
    assert len(COMMANDS) >= 9
    for path, command in COMMANDS:
        assert (command.help or "").strip(), f"{path} has no help text"
        for param in command.params:
            if param.name != "help":
                assert (getattr(param, "help", "") or "").strip(), (
                    f"{path} {param.name} has no help"
                )


def test_every_command_appears_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text()
    for path, _ in COMMANDS:
        assert path in readme, f"README does not document `{path}`"


def test_readme_opens_with_exactly_two_commands_and_ci_runs_the_second() -> None:
    readme = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```bash\n(.*?)```", readme, flags=re.S)
    first, second = (b.strip() for b in blocks[:2])
    assert readme.index(first) < readme.index("## ")
    assert "\n" not in first and "\n" not in second
    assert "datagen run toolpref" in first and "catalog show toolpref-pairwise@latest" in first
    ci = (ROOT / ".ci" / "run").read_text().strip().splitlines()
    assert ci[-1] == second


def test_the_command_line_starts_without_the_heavy_libraries() -> None:
    """Every recipe is imported when the CLI starts: none may pull in Prefect, Arrow, the BM25
    index or an engine (A²Search's recipe once loaded bm25s and pyarrow: +180 ms per command)."""
    import subprocess
    import sys

    probe = (
        "import sys, datagen.flows.cli; "
        "heavy = {'prefect', 'pyarrow', 'bm25s', 'vllm', 'llama_cpp', 'torch'} & set(sys.modules); "
        "assert not heavy, heavy"
    )
    subprocess.run([sys.executable, "-c", probe], check=True, timeout=60)
