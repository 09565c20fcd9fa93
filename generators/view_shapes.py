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


def sft_from_trajectories(trajectories: Iterable[Record]) -> list[Record]:
    """One conversation per answered agent trajectory (``schemas/agent/trajectory.v1``): its
    messages as they were, observations with role ``tool`` (trainers mask them), ending with
    the assistant's answer. Trajectories that ended another way teach no answer and are left out.
    """
    return [
        {
            "id": row["trajectory_id"],
            "group_id": row.get("group_id", row["trajectory_id"]),
            "messages": [_chat_message(m) for m in row["messages"]],
            "extra_info": {
                key: row[key]
                for key in ("finish_reason", "tool_calls", "malformed_turns", "completion_tokens")
            },
        }
        for row in trajectories
        if row["finish_reason"] == "answer"
    ]


def _chat_message(message: Record) -> Record:
    """A trajectory message as trainers read chat: role and content, and a native call's
    ``tool_calls`` / ``tool_call_id`` where it has them."""
    keys = ("role", "content", "tool_calls", "tool_call_id")
    return {key: message[key] for key in keys if key in message}
