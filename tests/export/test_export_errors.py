"""What an export refuses, and how the command line says so."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from typer.testing import CliRunner

from datagen.catalog import Catalog, ExportError, Store, write_parquet_atomic
from datagen.catalog.trainer_export import check_view_rows, layout_for
from datagen.catalog.trainer_formats import sharegpt_conversation
from datagen.flows.cli import app
from datagen.flows.export import export_for_trainer
from datagen.schemas.records import StageCounts

CRITIQUE_ROW = {
    "id": "p#1", "group_id": "t1", "data_source": "toolpref-pairwise", "ability": "critique",
    "prompt": [{"role": "user", "content": "which?"}], "ground_truth": "1", "extra_info": {},
}  # fmt: skip
PREFERENCE_ROW = {
    "id": "p", "group_id": "t1", "prompt": [{"role": "user", "content": "call it"}],
    "chosen": [{"role": "assistant", "content": "[]"}],
    "rejected": [{"role": "assistant", "content": "x"}], "margin": 0.5, "extra_info": {},
}  # fmt: skip


SFT_ROW = {
    "id": "s", "group_id": "t1", "extra_info": {},
    "messages": [{"role": "user", "content": "2+2?"}, {"role": "assistant", "content": "4"}],
}  # fmt: skip


@pytest.mark.parametrize(
    ("trainer", "view", "expected"),
    [
        ("verl", None, ("verl", "rl")),
        ("openrlhf", None, ("openrlhf", "preference")),
        ("llamafactory", "preference", ("llamafactory", "preference")),
        ("trl", "critique", ("trl", "rl")),  # the rl view's older name
        ("trl", "sft", ("trl", "sft")),
        ("llamafactory", "sft", ("llamafactory", "sft")),
        (
            "trl",
            None,
            "trl trains on several views; choose one with --view: rl or preference or sft",
        ),
        ("verl", "preference", "verl does not train on the preference view; it takes: rl"),
        ("openrlhf", "critique", "openrlhf does not train on the rl view"),
        ("trl", "pretrain", "unknown view 'pretrain'; views are: rl, preference, sft"),
        ("axolotl", None, "unknown trainer format 'axolotl'; use one of: verl, trl, openrlhf"),
        ("parquet", None, "unknown trainer format 'parquet'"),
    ],
)
def test_layout_for(trainer: str, view: str | None, expected: Any) -> None:
    if isinstance(expected, tuple):
        layout = layout_for(trainer, view)
        assert (layout.trainer, layout.view) == expected
    else:
        with pytest.raises(ExportError, match=re.escape(expected)):
            layout_for(trainer, view)


def _changed(row: dict, **changes: Any) -> dict:
    row = copy.deepcopy(row)
    for key, value in changes.items():
        if value is KeyError:
            del row[key]
        else:
            row[key] = value
    return row


@pytest.mark.parametrize(
    ("view", "rows", "message"),
    [
        ("rl", [CRITIQUE_ROW], None),
        ("rl", [_changed(CRITIQUE_ROW, ground_truth=["a", "b"])], None),  # an answer set
        ("sft", [SFT_ROW], None),
        ("sft", [_changed(SFT_ROW, messages=SFT_ROW["messages"][:1])], "end with the assistant"),
        ("sft", [_changed(SFT_ROW, messages=[])], "messages has no messages"),
        ("preference", [PREFERENCE_ROW], None),
        ("preference", [_changed(PREFERENCE_ROW, margin=1)], None),
        ("rl", [], "has no rows"),
        ("rl", ["not a row"], "rl row 0 is a str, not a mapping"),
        ("rl", [_changed(CRITIQUE_ROW, ground_truth=KeyError)], "'p#1' lacks ground_truth"),
        ("rl", [_changed(CRITIQUE_ROW, ground_truth=None)], "ground_truth is NoneType"),
        ("rl", [_changed(CRITIQUE_ROW, extra_info=None)], "extra_info is NoneType"),
        ("rl", [_changed(CRITIQUE_ROW, prompt=[])], "prompt has no messages"),
        ("rl", [_changed(CRITIQUE_ROW, prompt="which?")], "prompt is str"),
        ("rl", [_changed(CRITIQUE_ROW, prompt=[{"role": "user"}])], "not a {role, content}"),
        ("rl", [_changed(CRITIQUE_ROW, prompt=[{"role": "bot", "content": "x"}])],
         "not a {role, content}"),
        ("rl", [_changed(CRITIQUE_ROW, prompt=[{"role": "user", "content": None}])],
         "not a {role, content}"),
        ("preference", [_changed(PREFERENCE_ROW, margin=True)], "margin is bool"),
        ("preference", [_changed(PREFERENCE_ROW, margin="0.5")], "margin is str"),
        ("preference", [_changed(PREFERENCE_ROW, chosen=["[]"])], "chosen holds '[]'"),
        ("preference", [CRITIQUE_ROW], "lacks chosen, rejected, margin"),
    ],
)  # fmt: skip
def test_check_view_rows(view: str, rows: list, message: str | None) -> None:
    if message is None:
        check_view_rows(view, rows)
    else:
        with pytest.raises(ExportError, match=re.escape(message)):
            check_view_rows(view, rows)


def _msgs(*roles: str) -> list[dict[str, str]]:
    return [{"role": role, "content": f"{role} {i}"} for i, role in enumerate(roles)]


@pytest.mark.parametrize(
    ("roles", "expected"),
    [
        (("user",), ["human"]),
        (("system", "user"), ["system", "human"]),
        (("system", "system", "user"), ["system", "human"]),
        (("user", "assistant", "tool"), ["human", "gpt", "observation"]),
        (("user", "user"), ["human"]),
        (("user", "assistant", "tool", "tool"), ["human", "gpt", "observation"]),
        (("user", "assistant", "assistant", "tool", "user"), ["human", "gpt", "human"]),
        (("assistant", "user"), "starts and ends with a user or tool turn"),
        (("user", "assistant"), "starts and ends with a user or tool turn"),
        (("system",), "starts and ends with a user or tool turn"),
        (("user", "critic", "user"), "no tag for 'critic'"),
    ],
)
def test_sharegpt_conversation(roles: tuple[str, ...], expected: Any) -> None:
    if isinstance(expected, str):
        with pytest.raises(ExportError, match=expected):
            sharegpt_conversation("r1", _msgs(*roles))
        return
    turns = sharegpt_conversation("r1", _msgs(*roles))
    assert [t["from"] for t in turns] == expected
    assert "\n\n".join(t["value"] for t in turns) == "\n\n".join(
        m["content"] for m in _msgs(*roles)
    )


def test_a_dataset_without_views_is_refused(tmp_path: Path) -> None:
    store = Store.resolve(tmp_path / "store")
    part = write_parquet_atomic(pa.table({"x": [1]}), store.staging_dir() / "part.parquet")
    catalog = Catalog(store, lock_timeout=10)
    catalog.publish(
        dataset="other", files=[part.path], schema_id="toolpref/pair.v1", params={},
        code_version="t", flow_run_id=None, stats={},
        stage_counts=[StageCounts(stage="s", n_in=1, n_out=1, n_filtered=0, n_quarantined=0)],
    )  # fmt: skip
    with pytest.raises(ExportError, match="dataset 'other' has no trainer views"):
        export_for_trainer(catalog, "other@1", trainer="verl", out_dir=tmp_path / "out")
    assert not (tmp_path / "out").exists()


def cli(*args: str, store: Path) -> Any:
    return CliRunner().invoke(app, [*args, "--store", str(store)])


def test_cli_exports_a_trainer_format(toolpref_store: tuple[Catalog, str], tmp_path: Path) -> None:
    catalog, ref = toolpref_store
    out = tmp_path / "trl"
    result = cli("export", ref, "--format", "trl", "--view", "preference", "--out", str(out),
                 "--split", "val=0.25,train=0.75", store=catalog.store.root)  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "(preference view) for trl" in result.output
    assert "warning" not in result.output
    assert sorted(p.name for p in out.iterdir()) == [
        "README.md", "plots", "train.parquet", "val.parquet"
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--format", "trl"), "trl trains on several views"),
        (("--format", "verl", "--view", "preference"), "verl does not train on the preference"),
        (("--format", "verl", "--split", "train=0.9"), "must add up to 1"),
        (("--format", "verl", "--split", "train=0.9,dev=0.1"), "unknown split 'dev'"),
        (("--format", "hf", "--view", "critique"), "--question-language apply to trainer formats"),
        (("--format", "parquet", "--split", "train=1"), "--question-language apply"),
        (("--format", "csv"), "unknown format 'csv'; use one of: parquet, hf, verl, trl"),
    ],
)
def test_cli_refuses_with_a_reason(
    toolpref_store: tuple[Catalog, str], tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    catalog, ref = toolpref_store
    result = cli("export", ref, *args, "--out", str(tmp_path / "out"), store=catalog.store.root)
    assert result.exit_code == 1
    assert message in " ".join(result.output.split())
    assert not (tmp_path / "out").exists()


def test_cli_refuses_a_folder_that_is_not_empty(
    toolpref_store: tuple[Catalog, str], tmp_path: Path
) -> None:
    catalog, ref = toolpref_store
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "keep.txt").write_text("mine")
    result = cli("export", ref, "--format", "verl", "--out", str(tmp_path / "out"),
                 store=catalog.store.root)  # fmt: skip
    assert result.exit_code == 1 and "is not empty" in " ".join(result.output.split())
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["keep.txt"]


def test_cli_warns_about_an_empty_split(
    toolpref_store: tuple[Catalog, str], tmp_path: Path
) -> None:
    catalog, ref = toolpref_store
    result = cli("export", ref, "--format", "verl", "--out", str(tmp_path / "verl"),
                 "--split", "train=0.999,val=0.001", store=catalog.store.root)  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "split 'val' is empty" in " ".join(result.output.split())
