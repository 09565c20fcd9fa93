"""A²Search's rows for trainers: RL on the answer set (``a2search``), SFT on the verified
trajectories (``a2search-trajectories``)."""

from __future__ import annotations

from collections.abc import Iterable

from datagen.generators.a2search.agent import agent_messages
from datagen.generators.view_shapes import sft_from_trajectories
from datagen.schemas.records import Record

DATA_SOURCE = "a2search"
"""The ``data_source`` of the rl view; ``verifiers.rewards`` dispatches it to AnsF1."""


def rl_view(rows: Iterable[Record]) -> list[Record]:
    """The question under the protocol's prompt; the answer set (alias lists) as ground truth."""
    return [
        {
            "id": row["question_id"],
            "group_id": row["question_id"],
            "data_source": DATA_SOURCE,
            "ability": "search",
            "prompt": list(agent_messages(row["question"], "exhaustive")),
            "ground_truth": row["answer_set"],
            "extra_info": {"ambiguous": row["ambiguous"], "alternatives": row["alternatives"]},
        }
        for row in rows
    ]


def sft_view(rows: Iterable[Record]) -> list[Record]:
    """Each verified trajectory as a conversation; search results are ``tool`` turns."""
    return sft_from_trajectories(rows)


VIEWS = {"rl": rl_view}
TRAJECTORY_VIEWS = {"sft": sft_view}
