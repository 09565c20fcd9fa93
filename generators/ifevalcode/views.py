"""Published IFEvalCode rows seen the ways trainers use them.

- **rl**: the question (English by default; Chinese, or both, with ``--question-language``)
  as the prompt; the reward (``verifiers.rewards`` → ``code_reward``) runs the response's code
  against ``check_correctness`` and the whole response through ``check_instruction``, both in
  the sandbox, and pays correct × instruction-following. The ground truth is the JSON object
  that reward reads. ``group_id`` is the seed, so the problems derived from one seed never
  straddle train and validation.
- **sft**: the same question, answered with the row's reference response, which passes both
  checks.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from datagen.schemas.records import Record

DATA_SOURCE = "ifevalcode"
"""The ``data_source`` the rl view writes; ``verifiers.rewards`` dispatches on it."""
ABILITY = "code-instruction-following"
QUESTION_LANGUAGES = ("en", "zh", "both")


def question(row: Record, language: str = "en") -> str:
    """The row's question in ``language``: ``zh`` falls back to English where the row has no
    Chinese question; ``both`` is English, then Chinese."""
    if language not in QUESTION_LANGUAGES:
        raise ValueError(f"question language must be one of {QUESTION_LANGUAGES}, got {language!r}")
    english, chinese = row["english_question"], row.get("chinese_question") or ""
    if language == "zh":
        return chinese or english
    if language == "both" and chinese:
        return f"{english}\n\n{chinese}"
    return english


def rl_view(rows: Iterable[Record], *, question_language: str = "en") -> list[Record]:
    return [
        {
            "id": row["id"],
            "group_id": row["seed_id"],
            "data_source": DATA_SOURCE,
            "ability": ABILITY,
            "prompt": [{"role": "user", "content": question(row, question_language)}],
            "ground_truth": json.dumps(
                {
                    "programming_language": row["programming_language"],
                    "check_correctness": row["check_correctness"],
                    "check_instruction": row["check_instruction"],
                },
                ensure_ascii=False,
            ),
            "extra_info": {
                "programming_language": row["programming_language"],
                "direction": row["direction"],
                "constraints": [c["kind"] for c in row["constraints"]],
                "seed_id": row["seed_id"],
            },
        }
        for row in rows
    ]


def sft_view(rows: Iterable[Record], *, question_language: str = "en") -> list[Record]:
    """One conversation per problem: the question, then the reference response."""
    rows = list(rows)
    return [
        {
            "id": rl["id"],
            "group_id": rl["group_id"],
            "messages": [
                *rl["prompt"],
                {"role": "assistant", "content": row["reference_response"]},
            ],
            "extra_info": rl["extra_info"],
        }
        for row, rl in zip(rows, rl_view(rows, question_language=question_language), strict=True)
    ]


VIEWS = {"rl": rl_view, "sft": sft_view}
