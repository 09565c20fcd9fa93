"""The example's rows for trainers: RL with the verifiable answer, or SFT on it."""

from __future__ import annotations

from collections.abc import Iterable

from datagen.generators.view_shapes import sft_from_rl
from datagen.schemas.records import Record

DATA_SOURCE = "example"
"""The ``data_source`` of the rl view; ``verifiers.rewards`` dispatches on it."""


def rl_view(rows: Iterable[Record]) -> list[Record]:
    return [
        {
            "id": row["problem_id"],
            "group_id": row["problem_id"],
            "data_source": DATA_SOURCE,
            "ability": "arithmetic",
            "prompt": [{"role": "user", "content": f"{row['question']} End with 'Answer: N'."}],
            "ground_truth": row["answer"],
            "extra_info": {"pass_rate": row["pass_rate"]},
        }
        for row in rows
    ]


def sft_view(rows: Iterable[Record]) -> list[Record]:
    """One conversation per task: the question, then its verified answer."""
    return sft_from_rl(rl_view(rows))


VIEWS = {"rl": rl_view, "sft": sft_view}
