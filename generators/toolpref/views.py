"""Published ToolPref-Pairwise rows seen the three ways trainers use them.

- **rl** (formerly *critique*): RL with a verifiable reward, the ToolRM way. The policy is the
  critic: it reads the pairwise critique prompt and is rewarded by ``verifiers.rewards`` when
  its ``<choice>`` equals the label. Both orders of every pair are kept (that is what removes
  position bias), or one drawn by seed (``--orders swap``). A critique.v2 row's ``mode``
  (think/no_think) and ``parser`` (the reward's strict or lenient ``<choice>`` parser) go
  into ``extra_info``; a v1 row has neither and is scored leniently.
- **preference**: reward-model or DPO training on the pairs themselves. The prompt is the
  tool-calling request the candidates answered: the conversation after a system message that
  lists the functions, worded as the generation prompt (``prompts.build_messages``), because
  the responses are JSON call lists written to that instruction. One row per pair, taken from
  its label-1 row (or its label-2 row with the responses swapped, if that is all there is).
- **sft**: supervised fine-tuning of a tool caller on the better response of each pair: the
  preference view's prompt, then its chosen reply.

Every view row carries ``group_id`` = the task id: exports split by it, so a task and both
orders of its pairs never straddle train and validation.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from datagen.generators.toolpref.critique_prompt import plain_call
from datagen.generators.toolpref.prompts import build_messages
from datagen.schemas.records import Record

DATA_SOURCE = "toolpref-pairwise"
"""The ``data_source`` the critique view writes; ``verifiers.rewards`` dispatches on it."""
ABILITY = "tool-use-critique"
PROMPT_VARIANT = "direct"
"""The generation prompt the preference view shows (the plan samples several; one is canonical)."""

_PAIR_INFO = ("pair_id", "task_id", "source", "category", "complexity", "intensity")
_CRITIQUE_INFO = ("mode", "parser", "error_type")
"""critique.v2's row settings: the reward reads ``parser`` from ``extra_info``; a
``trbench/critique.v1`` row adds its rejected answer's BFCL ``error_type``."""


def critique_view(rows: Iterable[Record]) -> list[Record]:
    """One critique-view row per published row: the critique prompt, the label as text."""
    return [
        {
            "id": row["row_id"],
            "group_id": row["task_id"],
            "data_source": DATA_SOURCE,
            "ability": ABILITY,
            "prompt": [{"role": m["role"], "content": m["content"]} for m in row["prompt"]],
            "ground_truth": str(row["label"]),
            "extra_info": {
                **{key: row[key] for key in _PAIR_INFO},
                "score_1": float(row["score_1"]),
                "score_2": float(row["score_2"]),
                **{key: row[key] for key in _CRITIQUE_INFO if key in row},
            },
        }
        for row in rows
    ]


def preference_view(rows: Iterable[Record]) -> list[Record]:
    """One preference-view row per pair, in the order pairs first appear."""
    by_pair: dict[str, Record] = {}
    for row in rows:
        kept = by_pair.get(row["pair_id"])
        if kept is None or (row["label"] == 1 and kept["label"] != 1):
            by_pair[row["pair_id"]] = row
    return [_preference_row(row) for row in by_pair.values()]


def _preference_row(row: Record) -> Record:
    chosen, rejected = (1, 2) if row["label"] == 1 else (2, 1)
    conversation = [plain_message(m) for m in json.loads(row["conversation"])]
    chosen_score, rejected_score = float(row[f"score_{chosen}"]), float(row[f"score_{rejected}"])
    return {
        "id": row["pair_id"],
        "group_id": row["task_id"],
        "prompt": list(
            build_messages(
                messages=conversation, tools=json.loads(row["tools"]), variant=PROMPT_VARIANT
            )
        ),
        "chosen": [{"role": "assistant", "content": row[f"response_{chosen}"]}],
        "rejected": [{"role": "assistant", "content": row[f"response_{rejected}"]}],
        "margin": chosen_score - rejected_score,
        "extra_info": {
            **{key: row[key] for key in _PAIR_INFO},
            "chosen_score": chosen_score,
            "rejected_score": rejected_score,
        },
    }


def plain_message(message: Record) -> dict[str, str]:
    """A task message as ``{role, content}`` text, the one shape every trainer's chat data takes.

    Earlier assistant tool calls are written the way the responses are (a JSON list of
    ``{"name", "arguments"}``), after any text the assistant wrote, so the context and the
    answers being compared speak one format.
    """
    content = message.get("content") or ""
    calls = [plain_call(call) for call in message.get("tool_calls") or []]
    if calls:
        rendered = json.dumps(calls, ensure_ascii=False, sort_keys=True)
        content = f"{content}\n{rendered}" if content else rendered
    return {"role": str(message.get("role")), "content": content}


def sft_view(rows: Iterable[Record]) -> list[Record]:
    """One conversation per pair: the tool-calling request and the better of the two calls."""
    return [
        {
            "id": pair["id"],
            "group_id": pair["group_id"],
            "messages": [*pair["prompt"], *pair["chosen"]],
            "extra_info": pair["extra_info"],
        }
        for pair in preference_view(rows)
    ]


VIEWS = {"rl": critique_view, "preference": preference_view, "sft": sft_view}
"""This dataset's views by name, for the registry in ``generators.views``."""
BENCH_VIEWS = {"rl": critique_view}
"""TRBench-BFCL's views: its rows are ToolPref's critique rows (and reward) for a critic, a
benchmark, so not the pairs to train a tool caller or a reward model on."""
