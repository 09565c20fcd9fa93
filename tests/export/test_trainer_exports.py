"""Every trainer format exported from a published version: files, shapes, splits, READMEs.

verl, OpenRLHF and LLaMA-Factory cannot be installed beside vLLM's pins, so their rows are
checked against what their loaders read (verl 0.9.0 ``RLHFDataset`` and reward loop, OpenRLHF
0.11.0 ``RewardDataset.preprocess_data``, LLaMA-Factory 0.9.5 ``SharegptDatasetConverter``),
loaded the way those loaders load them (``datasets`` Parquet/JSON builders).
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import datasets
import pyarrow.parquet as pq
import pytest

from datagen.catalog import Catalog
from datagen.catalog.card import version_card
from datagen.catalog.trainer_formats import LAYOUTS
from datagen.flows.export import export_for_trainer
from datagen.verifiers import rewards
from tests.export.handmade import critique_records, critique_records_v1, read_jsonl
from tests.export.test_rewards import load_like_verl

SPLIT = "train=0.75,val=0.25"
COMMANDS = {
    ("verl", "rl"): "python3 -m verl.trainer.main_ppo",
    ("trl", "rl"): "trl grpo",
    ("trl", "preference"): "trl reward",
    ("trl", "sft"): "trl sft",
    ("openrlhf", "preference"): "deepspeed --module openrlhf.cli.train_rm",
    ("llamafactory", "preference"): "llamafactory-cli train",
    ("llamafactory", "sft"): "llamafactory-cli train sft.yaml",
}


@pytest.fixture(scope="module")
def exported(toolpref_store: tuple[Catalog, str], tmp_path_factory) -> dict[tuple[str, str], Any]:
    """Each layout exported once from the hand-made version."""
    catalog, ref = toolpref_store
    root = tmp_path_factory.mktemp("exports")
    return {
        (trainer, view): export_for_trainer(
            catalog, ref, trainer=trainer, view=view, out_dir=root / f"{trainer}-{view}",
            split=SPLIT,
        )
        for trainer, view in LAYOUTS
    }  # fmt: skip


def rows_of(path: Path) -> list[dict[str, Any]]:
    return read_jsonl(path) if path.suffix == ".jsonl" else pq.read_table(path).to_pylist()


def test_every_layout_has_a_readme_command() -> None:
    assert set(COMMANDS) == set(LAYOUTS)


@pytest.mark.parametrize(("trainer", "view"), list(COMMANDS))
def test_export_writes_splits_readme_and_card(
    exported: dict, toolpref_store: tuple[Catalog, str], trainer: str, view: str
) -> None:
    catalog, ref = toolpref_store
    done = exported[trainer, view]
    assert (done.trainer, done.view) == (trainer, view)
    assert set(done.files) == {"train", "val"} and all(p.is_file() for p in done.files.values())
    assert {s: len(rows_of(p)) for s, p in done.files.items()} == done.counts
    assert done.counts["train"] > done.counts["val"] > 0
    readme = (done.out_dir / "README.md").read_text()
    assert readme.startswith("---\npretty_name: toolpref-pairwise\n")  # no card: generic
    for split, path in done.files.items():
        assert f"  - split: {split}\n    path:\n    - {path.name}\n" in readme
    assert COMMANDS[trainer, view] in readme
    assert f"## {ref}: {view} view for {trainer}" in readme
    card = version_card(catalog, ref)
    assert card.body.split("## Plots")[0] in readme  # the version's card, then the trainer's
    assert not (done.out_dir / "card.md").exists()
    for plot in card.plots:
        assert (done.out_dir / "plots" / f"{plot.name}.png").read_bytes() == plot.png


@pytest.mark.parametrize(("trainer", "view"), list(COMMANDS))
def test_splits_are_disjoint_by_task_and_cover_every_row(
    exported: dict, trainer: str, view: str
) -> None:
    done = exported[trainer, view]
    split_of_task: dict[str, set[str]] = defaultdict(set)
    ids: list[str] = []
    for split, path in done.files.items():
        for index, row in enumerate(rows_of(path)):
            info = row["extra_info"]
            assert (info["split"], info["index"]) == (split, index)
            split_of_task[info["task_id"]].add(split)
            ids.append(info["id"])
    assert all(len(splits) == 1 for splits in split_of_task.values())
    source = critique_records()
    expected = {r["row_id"] for r in source} if view == "rl" else {r["pair_id"] for r in source}
    assert sorted(ids) == sorted(expected)


def test_both_orders_of_a_pair_share_a_split(exported: dict) -> None:
    splits: dict[str, set[str]] = defaultdict(set)
    for split, path in exported["verl", "rl"].files.items():
        for row in rows_of(path):
            splits[row["extra_info"]["pair_id"]].add(split)
    pairs_with_two_rows = {r["pair_id"] for r in critique_records()}
    assert set(splits) == pairs_with_two_rows
    assert all(len(s) == 1 for s in splits.values())


def test_exports_are_deterministic(toolpref_store: tuple[Catalog, str], tmp_path: Path) -> None:
    catalog, ref = toolpref_store
    first, second = (
        export_for_trainer(catalog, ref, trainer="openrlhf", out_dir=tmp_path / n, split=SPLIT)
        for n in ("a", "b")
    )
    for split in first.files:
        assert pq.read_table(first.files[split]).equals(pq.read_table(second.files[split]))


def test_verl_rows_have_verls_shape_and_score_with_its_reward(
    exported: dict, hf_cache: str
) -> None:
    done = exported["verl", "rl"]
    answers = {r["row_id"]: r["answer"] for r in critique_records()}
    compute_score = load_like_verl(rewards.__file__)
    for path in done.files.values():
        table = pq.read_table(path)
        assert table.column_names == [
            "data_source",
            "prompt",
            "ability",
            "reward_model",
            "extra_info",
        ]
        loaded = datasets.load_dataset(
            "parquet", data_files=str(path), split="train", cache_dir=hf_cache
        )
        for row in loaded:
            assert row["data_source"] == "toolpref-pairwise" and row["ability"]
            assert [m["role"] for m in row["prompt"]] == ["user"]
            assert row["reward_model"]["style"] == "rule"
            assert (row["extra_info"]["mode"], row["extra_info"]["parser"]) == ("think", "strict")
            truth = row["reward_model"]["ground_truth"]
            answer = answers[row["extra_info"]["id"]]
            for given in (truth, int(truth)):
                assert (
                    compute_score(
                        data_source=row["data_source"],
                        solution_str=answer,
                        ground_truth=given,
                        extra_info=dict(row["extra_info"]),
                    )
                    == 1.0
                )
            flipped = answer.replace(f"\n{truth}\n", f"\n{3 - int(truth)}\n")
            assert compute_score(row["data_source"], flipped, truth, row["extra_info"]) == 0.0


LOOSE = "<evaluation>Response {n} is better.</evaluation>\n<choice>{n}</choice>"
"""An answer only the lenient parser accepts (no newlines inside the tag)."""


@pytest.mark.parametrize(("trainer", "view"), [("verl", "rl"), ("trl", "rl")])
def test_rows_score_strictly_unless_published_as_v1(
    toolpref_store: tuple[Catalog, str],
    toolpref_v1_store: tuple[Catalog, str],
    tmp_path: Path,
    trainer: str,
    view: str,
) -> None:
    """v2 rows name the strict parser in ``extra_info``; v1 rows name none and, as before v2,
    are scored leniently: a v1 version still exports and scores."""
    for name, (catalog, ref), strict in (
        ("v2", toolpref_store, True),
        ("v1", toolpref_v1_store, False),
    ):
        done = export_for_trainer(
            catalog,
            ref,
            trainer=trainer,
            view=view,
            out_dir=tmp_path / name,
            split=SPLIT,
        )
        rows = [row for path in done.files.values() for row in rows_of(path)]
        assert len(rows) == len(critique_records_v1())
        for row in rows:
            truth = (
                row["reward_model"]["ground_truth"] if trainer == "verl" else row["ground_truth"]
            )
            loose = LOOSE.format(n=truth)
            info = row["extra_info"]
            assert ("parser" in info) is strict
            assert rewards.compute_score("toolpref-pairwise", loose, truth, info) == (not strict)
            scores = rewards.reward_func(
                prompts=[row["prompt"]], completions=[loose], data_source=[row["data_source"]],
                ground_truth=[truth], extra_info=[info],
            )  # fmt: skip
            assert scores == [float(not strict)]


def openrlhf_preprocess(data: dict, apply_chat_template: Any) -> tuple[str, str, str, float]:
    """OpenRLHF 0.11.0 ``preprocess_data`` with ``--data.prompt_key prompt`` and a chat template."""
    prompt = apply_chat_template(data["prompt"], tokenize=False, add_generation_prompt=True)
    chosen = apply_chat_template(data["prompt"] + data["chosen"], tokenize=False)[len(prompt) :]
    rejected = apply_chat_template(data["prompt"] + data["rejected"], tokenize=False)[len(prompt) :]
    return prompt, chosen, rejected, data["margin"] if data.get("margin") is not None else 0


def test_openrlhf_rows_feed_its_reward_dataset(
    exported: dict, tokenizer: Any, hf_cache: str
) -> None:
    done = exported["openrlhf", "preference"]
    for path in done.files.values():
        # blending_datasets: a .parquet path loads with the parquet builder, as split "train"
        loaded = datasets.load_dataset("parquet", data_files=str(path), cache_dir=hf_cache)["train"]
        assert {"prompt", "chosen", "rejected", "margin"} <= set(loaded.column_names)
        for row in loaded:
            prompt, chosen, rejected, margin = openrlhf_preprocess(
                row, tokenizer.apply_chat_template
            )
            assert prompt.endswith("<|im_start|>assistant\n") and "Available functions" in prompt
            assert chosen == row["chosen"][0]["content"] + "<|im_end|>\n"
            assert rejected == row["rejected"][0]["content"] + "<|im_end|>\n"
            assert chosen != rejected and margin > 0


def sharegpt_ranking_ok(row: dict) -> bool:
    """LLaMA-Factory 0.9.5's ``SharegptDatasetConverter`` acceptance rules for a ranking row."""
    messages = row["conversations"]
    if messages and messages[0]["from"] == "system":
        messages = messages[1:]
    accept = (("human", "observation"), ("gpt", "function_call"))
    if any(m["from"] not in accept[i % 2] for i, m in enumerate(messages)):
        return False
    return len(messages) % 2 == 1 and all(
        isinstance(row[k], dict) and row[k]["from"] in accept[1] for k in ("chosen", "rejected")
    )


def test_llamafactory_rows_and_dataset_info(exported: dict, hf_cache: str) -> None:
    done = exported["llamafactory", "preference"]
    info = json.loads((done.out_dir / "dataset_info.json").read_text())
    assert set(info) == {f"toolpref_pairwise_{s}" for s in done.files}
    for split, path in done.files.items():
        entry = info[f"toolpref_pairwise_{split}"]
        assert entry == {
            "file_name": path.name, "formatting": "sharegpt", "ranking": True,
            "columns": {"messages": "conversations", "chosen": "chosen", "rejected": "rejected"},
        }  # fmt: skip
        loaded = datasets.load_dataset(
            "json", data_files=str(done.out_dir / entry["file_name"]), cache_dir=hf_cache
        )
        rows = list(loaded["train"])
        assert rows and all(sharegpt_ranking_ok(row) for row in rows)
    readme = (done.out_dir / "README.md").read_text()
    assert f"dataset_dir: {done.out_dir}" in readme and "dataset: toolpref_pairwise_train" in readme


def test_llamafactory_merges_turns_that_would_break_alternation(exported: dict) -> None:
    done = exported["llamafactory", "preference"]
    rows = [r for p in done.files.values() for r in read_jsonl(p)]
    ends_on_tools = next(r for r in rows if r["extra_info"]["task_id"] == "ends-on-tools")
    assert [t["from"] for t in ends_on_tools["conversations"]] == [
        "system", "human", "gpt", "observation"
    ]  # fmt: skip
    assert ends_on_tools["conversations"][-1]["value"] == "18 C\n\n12 C"
    multi = next(r for r in rows if r["extra_info"]["task_id"] == "multi-turn")
    assert [t["from"] for t in multi["conversations"]] == ["system", "human", "gpt", "human"]
    assert multi["conversations"][-1]["value"] == "-3 C\n\nAnd in Rome?"


def test_readmes_name_the_reward_entry_points_and_data_flags(exported: dict) -> None:
    verl = (exported["verl", "rl"].out_dir / "README.md").read_text()
    assert f"reward.custom_reward_function.path={Path(rewards.__file__).resolve()}" in verl
    assert "reward.custom_reward_function.name=compute_score" in verl
    trl = (exported["trl", "rl"].out_dir / "README.md").read_text()
    assert "--reward_funcs datagen.verifiers.rewards.reward_func" in trl
    assert "--dataset_test_split val" in trl
    for readme in (verl, trl):
        assert "`<choice>` `parser`, `strict`" in readme and "`/no_think`" in readme
    openrlhf = (exported["openrlhf", "preference"].out_dir / "README.md").read_text()
    for flag in (
        "--data.prompt_key prompt",
        "--data.chosen_key chosen",
        "--data.rejected_key rejected",
        "--data.apply_chat_template",
        "--eval.split train",
    ):
        assert flag in openrlhf  # fmt: skip


def test_an_empty_split_is_written_but_not_evaluated_on(
    toolpref_store: tuple[Catalog, str], tmp_path: Path
) -> None:
    catalog, ref = toolpref_store
    done = export_for_trainer(
        catalog, ref, trainer="verl", out_dir=tmp_path / "verl", split="train=0.999,val=0.001"
    )
    assert done.counts["val"] == 0 and done.counts["train"] == len(critique_records())
    train, val = (pq.read_table(done.files[s]) for s in ("train", "val"))
    assert val.num_rows == 0 and val.schema.equals(train.schema)
    readme = (done.out_dir / "README.md").read_text()
    assert "data.train_files=" in readme and "data.val_files=" not in readme
