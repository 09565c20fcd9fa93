"""Row shapes and hand-off instructions of each trainer, for each view it trains on.

A layout turns one generic view row (see ``trainer_export``) into the row a trainer reads and
says, in the export's README, how to start that trainer on the files. The shapes follow each
trainer's own loader, read at these versions:

- verl 0.9.0: ``RLHFDataset`` rows ``data_source``, chat ``prompt``, ``ability``,
  ``reward_model {style, ground_truth}``, ``extra_info``; the naive reward loop calls
  ``compute_score(data_source=, solution_str=, ground_truth=, extra_info=)``.
- TRL 1.16.0: conversational ``prompt`` (GRPO, plus the columns the reward function reads) and
  ``prompt``/``chosen``/``rejected`` message lists (RewardTrainer, DPOTrainer).
- OpenRLHF 0.11.0: ``RewardDataset`` with ``--data.prompt_key/chosen_key/rejected_key`` and
  ``--data.apply_chat_template``; an optional ``margin`` column for its margin loss.
- LLaMA-Factory 0.9.5: ShareGPT ranking rows (``conversations``, ``chosen``, ``rejected``
  messages with ``from``/``value``) named by a ``dataset_info.json`` entry with
  ``"ranking": true``.

sft rows with audio or video (``trainer_media``) become LLaMA-Factory rows with ``videos`` and
``audios`` columns, and TRL messages of content parts.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from datagen.catalog.export import ExportError
from datagen.catalog.trainer_media import (
    LLAMAFACTORY_COLUMNS,
    LLAMAFACTORY_MEDIA_MODEL,
    content_parts,
    llamafactory_media,
    llamafactory_media_note,
    trl_media_guide,
)

Row = Mapping[str, Any]
Shaper = Callable[[Row, str, int], dict[str, Any]]
"""``(view row, split name, index within the split) -> trainer row``."""


@dataclass(frozen=True, kw_only=True)
class GuideFacts:
    """What a README needs to name: the data's place, its files and the reward entry points."""

    ref: str
    dataset: str
    out_dir: str
    files: dict[str, str]
    counts: dict[str, int]
    reward_path: str | None = None
    reward_import: str | None = None
    media: int = 0
    """Clips the export carries in ``media/`` (sft rows with audio or video)."""

    def path(self, split: str) -> str:
        return f"{self.out_dir}/{self.files[split]}"

    @property
    def eval_split(self) -> str | None:
        """The split to evaluate on: ``val``, else ``test``, if it has rows (trainers fail on an
        empty evaluation set)."""
        return next((s for s in ("val", "test") if self.counts.get(s)), None)


@dataclass(frozen=True)
class Layout:
    """One trainer's rows and instructions for one view."""

    trainer: str
    view: str
    suffix: str
    shape: Shaper
    guide: Callable[[GuideFacts], str]
    extra_files: Callable[[GuideFacts], dict[str, str]] | None = None


def _extra_info(row: Row, split: str, index: int) -> dict[str, Any]:
    """verl's convention (``index``, ``split``) plus the ids that trace a row back."""
    return {
        "index": index,
        "split": split,
        "id": row["id"],
        "group_id": row["group_id"],
        **row["extra_info"],
    }


def _verl_critique(row: Row, split: str, index: int) -> dict[str, Any]:
    return {
        "data_source": row["data_source"],
        "prompt": row["prompt"],
        "ability": row["ability"],
        "reward_model": {"style": "rule", "ground_truth": row["ground_truth"]},
        "extra_info": _extra_info(row, split, index),
    }


def _trl_critique(row: Row, split: str, index: int) -> dict[str, Any]:
    return {
        "prompt": row["prompt"],
        "data_source": row["data_source"],
        "ground_truth": row["ground_truth"],
        "extra_info": _extra_info(row, split, index),
    }


def _trl_preference(row: Row, split: str, index: int) -> dict[str, Any]:
    """No top-level ``margin``: TRL's RewardTrainer would fold it into its loss unasked."""
    return {
        "prompt": row["prompt"],
        "chosen": row["chosen"],
        "rejected": row["rejected"],
        "extra_info": _extra_info(row, split, index) | {"margin": row["margin"]},
    }


def _openrlhf_preference(row: Row, split: str, index: int) -> dict[str, Any]:
    """``margin`` is read only with ``--model.margin_loss_enable``."""
    return {
        "prompt": row["prompt"],
        "chosen": row["chosen"],
        "rejected": row["rejected"],
        "margin": row["margin"],
        "extra_info": _extra_info(row, split, index),
    }


# LLaMA-Factory's ShareGPT converter wants, after an optional leading system message, user or
# tool turns at even positions and assistant turns at odd ones, ending on a user or tool turn.
_SHAREGPT_TAGS = {"user": "human", "tool": "observation", "assistant": "gpt"}
_ASKING = {"user", "tool"}


def sharegpt_conversation(row_id: str, messages: list[Row]) -> list[dict[str, str]]:
    """Chat messages as ShareGPT turns that alternate as LLaMA-Factory requires.

    Consecutive turns on the same side (two tool results, a tool result then a user
    follow-up) are joined into one turn, tagged ``human`` if a user spoke in it.
    """
    system = "\n\n".join(m["content"] for m in messages if m["role"] == "system")
    turns: list[dict[str, str]] = [{"from": "system", "value": system}] if system else []
    chat = [m for m in messages if m["role"] != "system"]
    if not chat or chat[0]["role"] not in _ASKING or chat[-1]["role"] not in _ASKING:
        roles = [m["role"] for m in chat]
        raise ExportError(
            f"row {row_id}: LLaMA-Factory needs a conversation that starts and ends with a user "
            f"or tool turn, got roles {roles}"
        )
    for message in chat:
        if message["role"] not in _SHAREGPT_TAGS:
            raise ExportError(f"row {row_id}: LLaMA-Factory has no tag for {message['role']!r}")
        tag = _SHAREGPT_TAGS[message["role"]]
        last = turns[-1] if turns and turns[-1]["from"] != "system" else None
        if last is not None and (last["from"] == "gpt") == (tag == "gpt"):
            last["value"] += "\n\n" + message["content"]
            last["from"] = "human" if "human" in (last["from"], tag) else last["from"]
        else:
            turns.append({"from": tag, "value": message["content"]})
    return turns


def _sharegpt_reply(row_id: str, messages: list[Row]) -> dict[str, str]:
    if len(messages) != 1 or messages[0]["role"] != "assistant":
        raise ExportError(f"row {row_id}: LLaMA-Factory ranking needs one assistant reply")
    return {"from": "gpt", "value": messages[0]["content"]}


def _trl_sft(row: Row, split: str, index: int) -> dict[str, Any]:
    messages = content_parts(row["messages"], row["media"]) if "media" in row else row["messages"]
    return {"messages": messages, "extra_info": _extra_info(row, split, index)}


def _llamafactory_sft(row: Row, split: str, index: int) -> dict[str, Any]:
    *asking, answer = row["messages"]
    return {
        "conversations": [
            *sharegpt_conversation(row["id"], asking),
            {"from": "gpt", "value": answer["content"]},
        ],
        **(llamafactory_media(row["media"]) if "media" in row else {}),
        "extra_info": _extra_info(row, split, index),
    }


def _llamafactory_preference(row: Row, split: str, index: int) -> dict[str, Any]:
    return {
        "conversations": sharegpt_conversation(row["id"], row["prompt"]),
        "chosen": _sharegpt_reply(row["id"], row["chosen"]),
        "rejected": _sharegpt_reply(row["id"], row["rejected"]),
        "extra_info": _extra_info(row, split, index) | {"margin": row["margin"]},
    }


def llamafactory_name(dataset: str, split: str) -> str:
    """The ``dataset_info.json`` key of one split, e.g. ``toolpref_pairwise_train``."""
    return f"{re.sub(r'[^0-9A-Za-z]+', '_', dataset)}_{split}"


def _llamafactory_info(facts: GuideFacts) -> dict[str, str]:
    columns = {"messages": "conversations", "chosen": "chosen", "rejected": "rejected"}
    return _dataset_info(facts, {"ranking": True, "columns": columns})


def _llamafactory_sft_info(facts: GuideFacts) -> dict[str, str]:
    media = {column: column for column in LLAMAFACTORY_COLUMNS.values()} if facts.media else {}
    return _dataset_info(facts, {"columns": {"messages": "conversations", **media}})


def _dataset_info(facts: GuideFacts, entry: dict[str, Any]) -> dict[str, str]:
    entries = {
        llamafactory_name(facts.dataset, split): {
            "file_name": file_name,
            "formatting": "sharegpt",
            **entry,
        }
        for split, file_name in facts.files.items()
    }
    return {"dataset_info.json": json.dumps(entries, indent=2) + "\n"}


def _bash(*lines: str) -> str:
    return "```bash\n" + " \\\n    ".join(lines) + "\n```"


_ROW_OPTIONS_NOTE = (
    "A row's `extra_info` may choose how its verifier scores it: a ToolPref critique row names "
    "its `<choice>` `parser`, `strict` (ToolRM's released reward: the first "
    "`<choice>\\nN\\n</choice>`) or `lenient` (the last `<choice>N</choice>`; rows without a "
    "`parser` are scored so), and its `mode`: a `no_think` prompt ends with `/no_think`, "
    'which Qwen3 chat templates read as "answer without thinking".'
)


def _verl_guide(facts: GuideFacts) -> str:
    val = facts.eval_split
    return "\n\n".join(
        [
            "## Train with verl (GRPO with the verifiable reward)",
            _bash(
                "python3 -m verl.trainer.main_ppo",
                "algorithm.adv_estimator=grpo",
                f"data.train_files={facts.path('train')}",
                *([f"data.val_files={facts.path(val)}"] if val else []),
                "data.prompt_key=prompt",
                "data.reward_fn_key=data_source",
                "data.max_prompt_length=4096",
                "data.max_response_length=1024",
                "actor_rollout_ref.model.path=Qwen/Qwen3-4B",
                "actor_rollout_ref.rollout.n=8",
                f"reward.custom_reward_function.path={facts.reward_path}",
                "reward.custom_reward_function.name=compute_score",
            ),
            "Rows: `data_source`, chat `prompt`, `ability`, `reward_model: {style: rule, "
            "ground_truth}` and `extra_info` (`index`, `split`, the row, pair and task ids). "
            "`compute_score(data_source, solution_str, ground_truth, extra_info=None, **kwargs)` "
            "dispatches on `data_source` to the dataset's verifier and takes `ground_truth` as "
            "text or number. verl loads that file by path, and the file imports `datagen` "
            "absolutely: install datagen in verl's environment. "
            "`reward.custom_reward_function.path=pkg://datagen.verifiers.rewards` names the same "
            "module by package; verl releases before 0.8 read these keys without the `reward.` "
            "prefix. " + _ROW_OPTIONS_NOTE,
        ]
    )


def _trl_dataset_flags(facts: GuideFacts) -> list[str]:
    """The ``trl`` CLI's flags that name the export's splits (evaluation when there is one)."""
    val = facts.eval_split
    flags = [f"--dataset_name {facts.out_dir} --dataset_train_split train"]
    if val:
        flags.append(f"--dataset_test_split {val} --eval_strategy steps --eval_steps 100")
    return flags


def _trl_critique_guide(facts: GuideFacts) -> str:
    return "\n\n".join(
        [
            "## Train with TRL (GRPO with the verifiable reward)",
            _bash(
                "trl grpo --model_name_or_path Qwen/Qwen3-0.6B",
                *_trl_dataset_flags(facts),
                f"--reward_funcs {facts.reward_import}",
                "--output_dir checkpoints/critic-grpo",
            ),
            "Rows: a conversational `prompt` plus the columns the reward function reads: "
            "`data_source`, `ground_truth` (and `extra_info`). GRPOTrainer calls "
            "`reward_func(prompts=, completions=, data_source=, ground_truth=, ...)`, which "
            "scores each completion (text, or TRL's `[{role, content}]` messages) and logs each "
            "verdict's reason as `reward_reason`; it reads each row's `extra_info` too. "
            + _ROW_OPTIONS_NOTE
            + " In Python: "
            "`GRPOTrainer(model, reward_funcs=reward_func, "
            f"train_dataset=load_dataset({facts.out_dir!r})['train'])`.",
        ]
    )


def _trl_preference_guide(facts: GuideFacts) -> str:
    flags = _trl_dataset_flags(facts)
    return "\n\n".join(
        [
            "## Train with TRL (reward model or DPO on the pairs)",
            _bash(
                "trl reward --model_name_or_path Qwen/Qwen3-0.6B",
                *flags,
                "--output_dir checkpoints/pairwise-rm",
            ),
            _bash(
                "trl dpo --model_name_or_path Qwen/Qwen3-0.6B",
                *flags,
                "--output_dir checkpoints/pairwise-dpo",
            ),
            "Rows: conversational `prompt`, `chosen` and `rejected` (lists of `{role, content}` "
            "messages, the function specs in the system message). The score margin sits in "
            "`extra_info.margin`, not in a `margin` column, which RewardTrainer would add to its "
            "loss.",
        ]
    )


def _trl_sft_guide(facts: GuideFacts) -> str:
    if facts.media:
        return trl_media_guide(facts.out_dir, facts.media)
    return "\n\n".join(
        [
            "## Train with TRL (supervised fine-tuning on the conversations)",
            _bash(
                "trl sft --model_name_or_path Qwen/Qwen3-0.6B",
                *_trl_dataset_flags(facts),
                "--assistant_only_loss true",
                "--output_dir checkpoints/sft",
            ),
            "Rows: `messages`, a conversation of `{role, content}` turns that ends with the "
            "assistant turn to learn; tool results have role `tool`. `--assistant_only_loss` "
            "keeps the loss off every turn the assistant did not write.",
        ]
    )


def _llamafactory_sft_guide(facts: GuideFacts) -> str:
    model = [
        "model_name_or_path: Qwen/Qwen3-4B-Instruct-2507",
        "template: qwen3_nothink      # your model's template",
    ]
    config = [
        *(LLAMAFACTORY_MEDIA_MODEL if facts.media else model),
        "stage: sft",
        "do_train: true",
        "finetuning_type: lora",
        f"dataset_dir: {facts.out_dir}",
        *([f"media_dir: {facts.out_dir}"] if facts.media else []),
        f"dataset: {llamafactory_name(facts.dataset, 'train')}",
        "cutoff_len: 4096",
        "output_dir: saves/sft",
    ]
    return "\n\n".join(
        [
            "## Train with LLaMA-Factory (supervised fine-tuning)",
            "Save this as `sft.yaml`:",
            "```yaml\n" + "\n".join(config) + "\n```",
            "```bash\nllamafactory-cli train sft.yaml\n```",
            "`dataset_info.json` beside the data names each split (`formatting: sharegpt`, "
            "column `conversations`); tool results are `observation` turns, which LLaMA-Factory "
            "leaves out of the loss.",
            *([llamafactory_media_note(facts.media)] if facts.media else []),
        ]
    )


def _openrlhf_guide(facts: GuideFacts) -> str:
    val = facts.eval_split
    flags = [
        "--model.model_name_or_path Qwen/Qwen3-0.6B",
        f"--data.dataset {facts.path('train')}",
        *([f"--eval.dataset {facts.path(val)} --eval.split train"] if val else []),
        "--data.prompt_key prompt --data.chosen_key chosen --data.rejected_key rejected",
        "--data.apply_chat_template --data.max_len 4096",
    ]
    return "\n\n".join(
        [
            "## Train with OpenRLHF (reward model or DPO on the pairs)",
            _bash("deepspeed --module openrlhf.cli.train_rm", *flags,
                  "--ckpt.output_dir checkpoints/pairwise-rm"),
            "`openrlhf.cli.train_dpo` takes the same data flags. Rows: `prompt`, `chosen` and "
            "`rejected` message lists (the function specs in the system message) and `margin` "
            "(chosen minus rejected verifier score), read with `--model.margin_loss_enable`. "
            "A Parquet file loads as split `train`, hence `--eval.split train` (train_dpo's "
            "default is `test`).",
        ]
    )  # fmt: skip


def _llamafactory_guide(facts: GuideFacts) -> str:
    val = facts.eval_split
    config = [
        "model_name_or_path: Qwen/Qwen3-4B-Instruct-2507",
        "template: qwen3_nothink      # your model's template",
        "stage: rm                    # or dpo",
        "do_train: true",
        "finetuning_type: lora",
        f"dataset_dir: {facts.out_dir}",
        f"dataset: {llamafactory_name(facts.dataset, 'train')}",
        *([f"eval_dataset: {llamafactory_name(facts.dataset, val)}",
           "eval_strategy: steps", "eval_steps: 100"] if val else []),
        "cutoff_len: 4096",
        "output_dir: saves/pairwise-rm",
    ]  # fmt: skip
    return "\n\n".join(
        [
            "## Train with LLaMA-Factory (reward model or DPO on the pairs)",
            "Save this as `pairwise_rm.yaml`:",
            "```yaml\n" + "\n".join(config) + "\n```",
            "```bash\nllamafactory-cli train pairwise_rm.yaml\n```",
            "`dataset_info.json` beside the data names each split (`formatting: sharegpt`, "
            "`ranking: true`, columns `conversations`, `chosen`, `rejected`); the function "
            "specs are in the leading system turn.",
        ]
    )


LAYOUTS: dict[tuple[str, str], Layout] = {
    (layout.trainer, layout.view): layout
    for layout in (
        Layout("verl", "rl", "parquet", _verl_critique, _verl_guide),
        Layout("trl", "rl", "parquet", _trl_critique, _trl_critique_guide),
        Layout("trl", "preference", "parquet", _trl_preference, _trl_preference_guide),
        Layout("trl", "sft", "parquet", _trl_sft, _trl_sft_guide),
        Layout("openrlhf", "preference", "parquet", _openrlhf_preference, _openrlhf_guide),
        Layout(
            "llamafactory",
            "preference",
            "jsonl",
            _llamafactory_preference,
            _llamafactory_guide,
            _llamafactory_info,
        ),
        Layout(
            "llamafactory",
            "sft",
            "jsonl",
            _llamafactory_sft,
            _llamafactory_sft_guide,
            _llamafactory_sft_info,
        ),
    )
}
TRAINERS = tuple(dict.fromkeys(trainer for trainer, _ in LAYOUTS))
