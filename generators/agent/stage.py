"""The agent loop as a shard stage: a shard's tasks run together, trajectories come out.

A flow maps this over shards (``map_records``), so each shard's trajectories are stored under
a key of its inputs, config and code: a crash loses at most the shards in flight. A trajectory
the engine could not continue is quarantined with the engine's reason (``engine_error:<kind>``);
every other one is a record, whatever its finish reason (the report counts them).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence

from datagen.generators.agent.loop import AgentLoop, AgentTask
from datagen.schemas.records import Quarantined, Record, StageOutcome


def agent_stage(
    records: Sequence[Record],
    *,
    stage: str,
    loop: AgentLoop,
    tasks: Callable[[Record], Sequence[AgentTask]],
) -> StageOutcome:
    """Every record's agent tasks through ``loop`` at once; trajectories in task order."""
    planned = [(record, task) for record in records for task in tasks(record)]
    trajectories = loop.run([task for _, task in planned])
    outputs: list[Record] = []
    quarantined: list[Quarantined] = []
    for (record, task), trajectory in zip(planned, trajectories, strict=True):
        if trajectory.finish_reason == "engine_error":
            quarantined.append(Quarantined(task.trajectory_id, str(trajectory.error), record))
        else:
            outputs.append(trajectory.record())
    return StageOutcome(stage, len(planned), outputs, 0, quarantined).check()


def finish_reasons(trajectories: Iterable[Record]) -> dict[str, int]:
    """How many trajectories ended each way, for a run's report."""
    return dict(Counter(t["finish_reason"] for t in trajectories).most_common())
