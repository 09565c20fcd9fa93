"""Step 4's optional engine judge: is an alternative the reference under another name?

Normalised match catches "the Belize" = "Belize"; a judge catches what it cannot ("Belize
(country)", "USA" for "United States"). Each candidate is asked once, yes/no under a choice
constraint, at temperature 0 with a seed of its own; a ``yes`` drops it as equivalent.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from datagen.generators.engine_stage import engine_stage
from datagen.generators.engines.base import Engine, Request, ResponseFormat, Result, Sampling
from datagen.generators.sampling import stable_int
from datagen.schemas.records import Record, StageOutcome

JUDGE_PROMPT = (
    "You compare answers. Two answers to a question are the same answer when they name the same "
    "thing (another name, spelling, abbreviation or a longer form of it). Reply yes or no."
)


def judge_messages(candidate: Record) -> tuple:
    return (
        {"role": "system", "content": JUDGE_PROMPT},
        {
            "role": "user",
            "content": f"Question: {candidate['question']}\nReference answer: "
            f"{candidate['reference']}\nOther answer: {candidate['answer']}\n"
            "Are they the same answer? Reply yes or no.",
        },
    )


def judge_stage(
    candidates: Sequence[Record], *, engines: Callable[[str], Engine], engine: str, seed: int
) -> StageOutcome:
    """``{candidate_id, same_as_reference}`` per candidate."""

    def requests(candidate: Record) -> list[tuple[str, Request]]:
        sampling = Sampling(
            temperature=0.0,
            max_tokens=4,
            seed=stable_int("judge", seed, candidate["candidate_id"], bits=31),
        )
        request = Request(
            request_id=candidate["candidate_id"],
            messages=judge_messages(candidate),
            sampling=sampling,
            response_format=ResponseFormat.from_choices(("yes", "no")),
        )
        return [(engine, request)]

    def parse(candidate: Record, _: Request, result: Result) -> list[Record]:
        same = result.completions[0].text.strip().lower() == "yes"
        return [{"candidate_id": candidate["candidate_id"], "same_as_reference": same}]

    return engine_stage(candidates, stage="judge", engines=engines, requests=requests, parse=parse)
