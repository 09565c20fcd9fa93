"""Pairwise critique tasks: each pair, shown in both orders, with a verifiable answer.

The answer format is ToolRM's: an ``<evaluation>`` that explains the verdict from the
rule-based scores, then ``<choice>\\nN\\n</choice>``. Emitting every pair twice (chosen first,
then chosen second) makes the labels exactly 50/50 and removes position bias from training.
"""

from __future__ import annotations

import json
from typing import Any

Record = dict[str, Any]

CRITIC_SYSTEM_PROMPT = (
    "You are an expert judge of tool use. Given a conversation, the functions available to "
    "the assistant and two candidate responses that call those functions, decide which "
    "response calls the right functions with the right arguments. Explain your judgement "
    "inside <evaluation></evaluation>, then give the number of the better response inside "
    "<choice></choice>, on its own line."
)


def _render_conversation(messages: list[dict]) -> str:
    lines = []
    for message in messages:
        content = message.get("content") or ""
        if message.get("tool_calls"):
            content = (content + "\n" if content else "") + json.dumps(
                message["tool_calls"], ensure_ascii=False
            )
        lines.append(f"[{message.get('role', 'unknown')}] {content}")
    return "\n".join(lines)


def critique_prompt(
    *, messages: list[dict], tools: list[dict], response_1: str, response_2: str
) -> str:
    return (
        "## Conversation\n"
        f"{_render_conversation(messages)}\n\n"
        "## Available functions\n"
        f"{json.dumps(tools, ensure_ascii=False, indent=1)}\n\n"
        f"## Response 1\n{response_1}\n\n"
        f"## Response 2\n{response_2}\n\n"
        "Which response is better? Answer with <evaluation>...</evaluation> followed by "
        "<choice>\n1 or 2\n</choice>."
    )


def _judgement(position: int, score: float, reason: str) -> str:
    if score >= 1.0:
        return f"Response {position} makes the required calls with acceptable arguments."
    return f"Response {position} is flawed ({reason}); its rule-based score is {score:.2f}."


def critique_answer(
    *, label: int, score_1: float, score_2: float, reason_1: str, reason_2: str
) -> str:
    """The reference answer: an evaluation built from the verifier's reasons, then the choice."""
    evaluation = " ".join(
        [
            _judgement(1, score_1, reason_1),
            _judgement(2, score_2, reason_2),
            f"Response {label} is therefore better.",
        ]
    )
    return f"<evaluation>{evaluation}</evaluation>\n<choice>\n{label}\n</choice>"


def critique_rows(pair: Record, task: Record) -> list[Record]:
    """Two rows for one pair: chosen as response 1 (label 1) and as response 2 (label 2)."""
    rows = []
    for label in (1, 2):
        first, second = ("chosen", "rejected") if label == 1 else ("rejected", "chosen")
        response_1, response_2 = pair[f"{first}_text"], pair[f"{second}_text"]
        score_1, score_2 = pair[f"{first}_score"], pair[f"{second}_score"]
        rows.append(
            {
                "row_id": f"{pair['pair_id']}#{label}",
                "pair_id": pair["pair_id"],
                "task_id": pair["task_id"],
                "source": pair["source"],
                "category": pair["category"],
                "prompt": [
                    {"role": "system", "content": CRITIC_SYSTEM_PROMPT},
                    {
                        "role": "user",
                        "content": critique_prompt(
                            messages=task["messages"],
                            tools=task["tools"],
                            response_1=response_1,
                            response_2=response_2,
                        ),
                    },
                ],
                "answer": critique_answer(
                    label=label,
                    score_1=score_1,
                    score_2=score_2,
                    reason_1=pair[f"{first}_reason"],
                    reason_2=pair[f"{second}_reason"],
                ),
                "label": label,
                "conversation": json.dumps(task["messages"], ensure_ascii=False),
                "tools": json.dumps(task["tools"], ensure_ascii=False),
                "response_1": response_1,
                "response_2": response_2,
                "score_1": score_1,
                "score_2": score_2,
                "complexity": pair["complexity"],
                "intensity": pair["intensity"],
            }
        )
    return rows
