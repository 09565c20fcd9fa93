"""The example's stages: make the questions, ask the engine, rate and select them."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence

from datagen.generators.engine_stage import engine_stage
from datagen.generators.engines.base import Engine, Request, Result, Sampling
from datagen.generators.sampling import derive_seed, stable_int
from datagen.generators.selection import balance, band, capped_largest
from datagen.schemas.records import Record, SourceRead, StageOutcome
from datagen.verifiers.answer_match import answer_match


def make_problems(count: int, *, seed: int) -> SourceRead:
    """``count`` questions ``a + b`` / ``a * b``, the same for the same seed."""
    rng = random.Random(seed)
    problems = []
    for index in range(count):
        a, b, op = rng.randint(2, 99), rng.randint(2, 99), rng.choice("+*")
        answer = a + b if op == "+" else a * b
        problems.append(
            {"problem_id": f"p{index}", "question": f"What is {a} {op} {b}?", "answer": answer}
        )
    return SourceRead(problems, [], {"source": "example", "license": "Apache-2.0", "seed": seed})


def solve_stage(
    problems: Sequence[Record],
    *,
    engines: Callable[[str], Engine],
    engine: str,
    samples: int,
    seed: int,
) -> StageOutcome:
    """K answers per question, in one batch, each checked."""

    def requests(problem: Record) -> list[tuple[str, Request]]:
        sampling = Sampling(
            n=samples, max_tokens=16, seed=derive_seed(seed, problem["problem_id"], 0)
        )
        prompt = f"Question: {problem['question']}\nAnswer:"
        return [
            (engine, Request(request_id=problem["problem_id"], prompt=prompt, sampling=sampling))
        ]

    def parse(problem: Record, _: Request, result: Result) -> list[Record]:
        attempts = []
        for index, completion in enumerate(result.completions):
            verdict = answer_match(completion.text, problem["answer"])  # the RL reward too
            attempts.append(
                {
                    "problem_id": problem["problem_id"],
                    "sample_index": index,
                    "text": completion.text,
                    "value": verdict.value,
                    "reason": verdict.code,
                }
            )
        return attempts

    return engine_stage(problems, stage="solve", engines=engines, requests=requests, parse=parse)


def select_stage(
    problems: Sequence[Record],
    attempts: Sequence[Record],
    *,
    low: float,
    high: float,
    share: float,
    seed: int,
) -> list[StageOutcome]:
    """Rate each question by its pass rate, keep the band, balance the pass-rate buckets."""
    values: dict[str, list[float]] = {}
    for attempt in attempts:
        values.setdefault(attempt["problem_id"], []).append(attempt["value"])
    rated = []
    for problem in problems:
        if scores := values.get(problem["problem_id"]):  # none if the engine failed on it
            rate = sum(scores) / len(scores)
            rated.append(problem | {"pass_rate": rate, "pass_bucket": f"{rate:.2f}"})
    kept, outside = band(rated, score=lambda p: p["pass_rate"], low=low, high=high)
    difficulty = StageOutcome("difficulty_filter", len(rated), kept, n_filtered=outside).check()
    balanced, _ = balance(
        kept,
        bucket=lambda p: p["pass_bucket"],
        rank=lambda p: stable_int(seed, p["problem_id"]),
        quotas=capped_largest(share),
    )
    return [
        difficulty,
        StageOutcome("balance", len(kept), balanced, len(kept) - len(balanced)).check(),
    ]
