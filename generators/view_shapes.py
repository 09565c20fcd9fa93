"""Shapes that several datasets' trainer views share (``generators.views`` lists the views)."""

from __future__ import annotations

from collections.abc import Iterable

from datagen.schemas.records import Record


def sft_from_rl(rl_rows: Iterable[Record]) -> list[Record]:
    """One conversation per ``rl`` row: its prompt, then its verifiable answer as the assistant
    turn (``Answer: X``, the form the prompts ask for), so SFT teaches what RL rewards."""
    return [
        {
            "id": row["id"],
            "group_id": row["group_id"],
            "messages": [
                *row["prompt"],
                {"role": "assistant", "content": f"Answer: {row['ground_truth']}"},
            ],
            "extra_info": row["extra_info"],
        }
        for row in rl_rows
    ]
