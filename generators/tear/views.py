"""Published TeaR rows seen the ways trainers use them.

- **rl** (formerly *critique*): RL with a verifiable reward. The prompt asks for the call's
  return value; the reward (``verifiers.rewards`` → ``answer_match``) compares the final answer
  with ``ground_truth``, the ``repr`` the sandbox recorded. ``group_id`` is the function id, so
  the inputs of one function, and both variants of each (with the code, with its description),
  never straddle train and validation. ``extra_info.variant`` says which prompt a row holds
  (rows published before variants existed, schema ``tear/rl.v1``, are all ``code``).
- **sft**: the same question, answered with the recorded output (``Answer: <repr>``).
"""

from __future__ import annotations

from collections.abc import Iterable

from datagen.generators.view_shapes import sft_from_rl
from datagen.schemas.records import Record

DATA_SOURCE = "tear"
"""The ``data_source`` the critique view writes; ``verifiers.rewards`` dispatches on it."""
ABILITY = "code-execution-reasoning"

_INFO = ("task_id", "function_id", "source", "entry_point", "call", "pass_bucket", "ast_nodes",
         "max_depth", "trace_steps", "data_structures")  # fmt: skip


def critique_view(rows: Iterable[Record]) -> list[Record]:
    """One row per task: the question as a chat prompt, the expected ``repr`` as text."""
    return [
        {
            "id": row["task_id"],
            "group_id": row["function_id"],
            "data_source": DATA_SOURCE,
            "ability": ABILITY,
            "prompt": [{"role": m["role"], "content": m["content"]} for m in row["prompt"]],
            "ground_truth": row["expected"],
            "extra_info": {
                **{key: row[key] for key in _INFO},
                "variant": row.get("variant") or "code",
                "pass_rate": float(row["pass_rate"]),
            },
        }
        for row in rows
    ]


def sft_view(rows: Iterable[Record]) -> list[Record]:
    """One conversation per task: the question, then its verified answer."""
    return sft_from_rl(critique_view(rows))


VIEWS = {"rl": critique_view, "sft": sft_view}
"""This dataset's views by name, for the registry in ``generators.views``."""
