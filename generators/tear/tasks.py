"""TeaR tasks: the RL prompt, the base-model completion prompt, and difficulty balancing.

The published prompt is a chat message asking for the return value, answered after
``Answer:`` (what ``verifiers.answer_match`` reads). The embedded base model cannot follow
that instruction, so the solve stage asks it the same question as code to complete:
``assert f(x) == `` — it writes the value on that line.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from datagen.generators.outcome import Record
from datagen.generators.sampling import stable_int

INSTRUCTION = (
    "Here is a Python function:\n\n```python\n{code}\n```\n\n"
    "What does `{call}` return? Reason step by step if you need to, then give the final answer "
    "as a Python literal on a last line of the form `Answer: <value>`."
)


def build_messages(*, code: str, call: str) -> list[dict[str, str]]:
    return [{"role": "user", "content": INSTRUCTION.format(code=code.strip(), call=call)}]


def completion_prompt(*, code: str, call: str) -> str:
    """The question for a base model: the code, then an assert whose right side it completes."""
    return f"{code.strip()}\n\n\n# The value that {call} returns:\nassert {call} == "


PASS_RATE_EDGES = (0.25, 0.5, 0.75)


def pass_rate_bucket(rate: float) -> str:
    """``"0"``, ``"(0,0.25)"``, ... ``"1"``: unsolved and always-solved tasks get their own."""
    if rate <= 0.0:
        return "0"
    if rate >= 1.0:
        return "1"
    lows = (0.0, *PASS_RATE_EDGES)
    highs = (*PASS_RATE_EDGES, 1.0)
    for low, high in zip(lows, highs, strict=True):
        if rate < high:
            return f"[{low:g},{high:g})" if low else f"(0,{high:g})"
    return "1"


@dataclass
class BalanceReport:
    """What balancing did: bucket sizes before and after, and the share cap it applied."""

    before: dict[str, int] = field(default_factory=dict)
    after: dict[str, int] = field(default_factory=dict)
    max_share: float = 1.0
    note: str = ""


def balance_buckets(
    tasks: Sequence[Record], *, max_share: float, seed: int
) -> tuple[list[Record], BalanceReport]:
    """Cap every pass-rate bucket at ``max_share`` of the kept tasks, keeping the most tasks.

    Within an over-full bucket, which tasks stay is decided by a seeded hash of their ids (not
    by order). With a single non-empty bucket there is nothing to balance against: all stay.
    """
    if not 0.0 < max_share <= 1.0:
        raise ValueError(f"max_share must be in (0, 1], got {max_share}")
    groups: dict[str, list[Record]] = {}
    for task in tasks:
        groups.setdefault(task["pass_bucket"], []).append(task)
    report = BalanceReport(
        before={k: len(v) for k, v in sorted(groups.items())}, max_share=max_share
    )
    quotas = dict(report.before)
    if len(groups) <= 1 or max_share >= 1.0:
        report.note = "single bucket: nothing to balance" if len(groups) == 1 else ""
    else:
        while True:  # shrink the largest bucket until it holds at most max_share of the total
            largest = max(quotas, key=lambda k: (quotas[k], k))
            rest = sum(quotas.values()) - quotas[largest]
            cap = math.floor(max_share * rest / (1.0 - max_share))
            if quotas[largest] <= cap:
                break
            quotas[largest] = max(cap, 1)
            if quotas[largest] == 1 and cap < 1:
                break
    kept_ids = {
        task["task_id"]
        for key, members in groups.items()
        for task in sorted(members, key=lambda t: stable_int("balance", seed, t["task_id"]))[
            : quotas[key]
        ]
    }
    kept = [task for task in tasks if task["task_id"] in kept_ids]
    report.after = {key: sum(t["pass_bucket"] == key for t in kept) for key in report.before}
    return kept, report
