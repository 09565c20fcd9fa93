"""Recipes: typed configs that refuse bad values, round-trip through JSON, and become the
command line's options; the worked example runs end to end on the fake engine."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from datagen.catalog import Catalog, Store
from datagen.flows.cli import app
from datagen.generators.config import fields_of, from_json, to_json
from datagen.generators.recipes import all_recipes
from datagen.schemas import first_error

RECIPES = all_recipes()


@pytest.mark.parametrize("name", sorted(RECIPES))
def test_every_config_round_trips_through_json_and_every_option_has_help(name: str) -> None:
    recipe = RECIPES[name]
    config = recipe.config()
    assert from_json(recipe.config, to_json(config)) == config
    assert all(help_text for *_, help_text in fields_of(recipe.config))


@pytest.mark.parametrize(
    ("name", "values", "message"),
    [
        ("toolpref", {"samples": 0}, "samples must be >= 1"),
        ("toolpref", {"temperatures": ()}, "at least one temperature"),
        ("toolpref", {"max_bucket_share": 0.0}, r"max_bucket_share must be in \(0, 1\]"),
        ("toolpref", {"engine": "no spaces allowed"}, "unknown engine"),
        ("tear", {"variants": "pictures"}, "comma-separated subset of code, description"),
        ("tear", {"min_pass_rate": 0.9, "max_pass_rate": 0.1}, "min_pass_rate <= max_pass_rate"),
        ("tear", {"limit": -1}, "limit must be >= 0"),
        ("example", {"shard_size": 0}, "shard_size must be >= 1"),
    ],
)
def test_a_bad_value_is_refused_naming_the_option(name: str, values: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        RECIPES[name].config(**values)


def test_unknown_keys_in_stored_parameters_are_refused() -> None:
    with pytest.raises(ValueError, match=r"unknown options \['nope'\]"):
        from_json(RECIPES["example"].config, {"nope": 1})


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["toolpref", "--samples", "0"], "invalid options for datagen run toolpref: samples must"),
        (
            ["toolpref", "--temperatures", "0.5,hot"],
            "--temperatures: '0.5,hot' is not a list of float",
        ),
        (["tear", "--variants", "code,pictures"], "comma-separated subset"),
    ],
)
def test_the_command_line_refuses_bad_options_before_any_work(
    tmp_path: Path, args: list[str], message: str
) -> None:
    done = CliRunner().invoke(app, ["run", *args, "--store", str(tmp_path)])
    assert done.exit_code == 2, done.output
    assert message in " ".join(done.output.split())
    assert not any(tmp_path.iterdir()), "nothing may be written before the config is valid"


def test_the_command_line_turns_tuple_options_into_tuples(monkeypatch, tmp_path: Path) -> None:
    from datagen.flows import cli

    seen = {}
    monkeypatch.setattr(cli, "_run_flow", lambda recipe, config, **_: seen.update(config=config))
    done = CliRunner().invoke(
        app, ["run", "toolpref", "--temperatures", "0.2, 0.9", "--limit", "3"]
    )
    assert done.exit_code == 0, done.output
    assert seen["config"].temperatures == (0.2, 0.9) and seen["config"].limit == 3


@pytest.mark.parametrize(
    ("args", "sources"),
    [
        ([], ("bfcl",)),
        (["--source", "a.jsonl", "--source", "b.jsonl"], ("a.jsonl", "b.jsonl")),
        (["--source", "a.jsonl,b.jsonl"], ("a.jsonl", "b.jsonl")),
        (["--source", "a.jsonl", "--source", "b.jsonl,bfcl"], ("a.jsonl", "b.jsonl", "bfcl")),
    ],
)
def test_a_tuple_option_can_be_repeated_or_comma_separated(
    monkeypatch, args: list[str], sources: tuple[str, ...]
) -> None:
    from datagen.flows import cli

    seen = {}
    monkeypatch.setattr(cli, "_run_flow", lambda recipe, config, **_: seen.update(config=config))
    done = CliRunner().invoke(
        app, ["run", "toolpref", *args, "--temperatures", "0.2", "--temperatures", "0.9"]
    )
    assert done.exit_code == 0, done.output
    assert seen["config"].source == sources and seen["config"].temperatures == (0.2, 0.9)


def test_the_worked_example_runs_end_to_end_and_resumes(tmp_path: Path) -> None:
    env = os.environ | {"DATAGEN_STORE": str(tmp_path)}
    command = [sys.executable, "-m", "datagen.flows.cli", "run", "example", "--problems", "12"]
    for run in (1, 2):
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr[-3000:]
        assert f"published example@{run}" in done.stdout
    assert "solve: 2 of 2 shards resumed from the store" in done.stderr
    catalog = Catalog(Store(tmp_path))
    rows = catalog.read("example@1").to_pylist()
    assert rows and all(first_error("example/rl.v1", row) is None for row in rows)
    assert all(0 <= row["pass_rate"] < 1 for row in rows)  # the default band drops sure things
    shown = catalog.show("example@2")
    assert shown["content_hash"] == catalog.show("example@1")["content_hash"]
    assert shown["params"]["problems"] == 12
