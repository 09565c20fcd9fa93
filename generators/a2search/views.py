"""A²Search's rows for trainers: RL on the answer set (``a2search``), SFT on the verified
trajectories (``a2search-trajectories``)."""

from __future__ import annotations

from collections.abc import Iterable

from datagen.generators.a2search.configs import agent_messages
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
            "prompt": list(agent_messages(row["question"], "exhaustive", row["protocol"])),
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


SEARCH_TOOL_NOTE = """## The search tool in the trainer's rollouts

RL on these rows needs the search that made them. Serve the same BM25 index (Search-R1's
`/retrieve` shape) next to the trainer:

```bash
datagen serve search --corpus CORPUS --port 8000   # the run's --corpus: demo, or your file
```

verl's multi-turn search tool calls it; save as `search_tool_config.yaml`:

```yaml
tools:
  - class_name: verl.tools.search_tool.SearchTool
    config:
      retrieval_service_url: http://127.0.0.1:8000/retrieve
      topk: 3
    tool_schema:
      type: function
      function:
        name: search
        description: Search the document collection.
        parameters:
          type: object
          properties:
            query_list: {type: array, items: {type: string}, description: Queries to search.}
          required: [query_list]
```

and add to the `verl.trainer.main_ppo` command: `data.return_raw_chat=True
actor_rollout_ref.rollout.multi_turn.enable=True
actor_rollout_ref.rollout.multi_turn.tool_config_path=search_tool_config.yaml`. The reward
(`compute_score`, data source `a2search`) is AnsF1 of the final `<answer>` block."""
"""Added to every a2search export's README: rollouts need the same search."""

TRAINER_NOTES = {"verl": SEARCH_TOOL_NOTE, "trl": SEARCH_TOOL_NOTE}
