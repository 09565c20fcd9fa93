"""Step 5 of A²Search: does the evidence the agent found support an alternative answer?

Each candidate is shown to every verifier configuration (an engine and a prompt) with the
question and the passages its trajectory retrieved (its queries searched again: the index is
the same, so are the passages), and answers ``yes`` or ``no`` under a choice constraint,
``votes`` times each. A candidate with at least ``eta`` yes votes is verified.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from datagen.generators.a2search.agent import load_index
from datagen.generators.a2search.configs import VERIFY_PROMPTS, VerifierConfig
from datagen.generators.a2search.search_index import Hit, SearchIndex
from datagen.generators.engine_stage import engine_stage
from datagen.generators.engines.base import Engine, Request, ResponseFormat, Result, Sampling
from datagen.generators.sampling import stable_int
from datagen.schemas.records import Record, StageOutcome

VOTE_CHOICES = ("yes", "no")
MAX_EVIDENCE = 8


def evidence(index: SearchIndex, queries: Sequence[str], *, k: int) -> list[Hit]:
    """The distinct passages the queries retrieve, in the order the agent saw them."""
    seen: dict[str, Hit] = {}
    for hits in index.search(list(queries), k=k) if queries else []:
        for hit in hits:
            seen.setdefault(hit.id, hit)
    return list(seen.values())[:MAX_EVIDENCE]


def verify_messages(candidate: Record, passages: Sequence[Hit], prompt: str) -> tuple:
    documents = "\n".join(f"[{i}] {h.title}: {h.text}" for i, h in enumerate(passages, start=1))
    return (
        {"role": "system", "content": VERIFY_PROMPTS[prompt]},
        {
            "role": "user",
            "content": f"Question: {candidate['question']}\nDocuments:\n"
            f"{documents or '(none)'}\nCandidate answer: {candidate['answer']}\n"
            "Is the candidate a correct answer? Reply yes or no.",
        },
    )


def verify_stage(
    candidates: Sequence[Record],
    *,
    engines: Callable[[str], Engine],
    index_dir: str,
    verifiers: Sequence[dict],
    votes: int,
    top_k: int,
    seed: int,
    corpus: str,
) -> StageOutcome:
    """One vote record ``{candidate_id, question_id, verifier, vote, passages}`` per sample."""
    index, configs = load_index(index_dir), [VerifierConfig(**v) for v in verifiers]
    asked: dict[str, tuple[str, int]] = {}  # request id -> (verifier id, passages shown)

    def requests(candidate: Record) -> list[tuple[str, Request]]:
        passages = evidence(index, candidate["queries"], k=top_k)
        for config in configs:
            asked[f"{candidate['candidate_id']}|{config.id}"] = (config.id, len(passages))
        return [
            (
                config.engine,
                Request(
                    request_id=f"{candidate['candidate_id']}|{config.id}",
                    messages=verify_messages(candidate, passages, config.prompt),
                    sampling=Sampling(
                        n=votes,
                        temperature=0.7,
                        max_tokens=4,
                        seed=stable_int(
                            "verify", seed, candidate["candidate_id"], config.id, bits=31
                        ),
                    ),
                    response_format=ResponseFormat.from_choices(VOTE_CHOICES),
                ),
            )
            for config in configs
        ]

    def parse(candidate: Record, request: Request, result: Result) -> list[Record]:
        verifier, passages = asked[request.request_id]
        return [
            {
                "candidate_id": candidate["candidate_id"],
                "question_id": candidate["question_id"],
                "verifier": verifier,
                "vote": text if (text := c.text.strip().lower()) in VOTE_CHOICES else "invalid",
                "passages": passages,
            }
            for c in result.completions
        ]

    return engine_stage(candidates, stage="verify", engines=engines, requests=requests, parse=parse)


def verified_candidates(
    candidates: Sequence[Record], votes: Sequence[Record], *, eta: int
) -> tuple[list[Record], list[Record]]:
    """(verified, rejected) candidates, each with its ``yes_votes`` and ``votes`` counted."""
    tally: dict[str, list[str]] = {}
    for vote in votes:
        tally.setdefault(vote["candidate_id"], []).append(vote["vote"])
    verified, rejected = [], []
    for candidate in candidates:
        cast = tally.get(candidate["candidate_id"], [])
        counted = candidate | {"yes_votes": cast.count("yes"), "votes": len(cast)}
        (verified if counted["yes_votes"] >= eta else rejected).append(counted)
    return verified, rejected
