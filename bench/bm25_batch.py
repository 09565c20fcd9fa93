"""BM25 queries/s answered in one batch ÷ the same queries one per call (A²Search's search tool).

    python bench/bm25_batch.py [--passages 100000] [--queries 2000] [--k 3] [--repeats 3] [--smoke]

The corpus is generated: passages of 30-80 words drawn from a Zipf-like vocabulary of 30,000
made-up words (so term statistics look like text), titles of two words; queries are 3-6 words
drawn the same way. Both sides call ``SearchIndex.search`` on one index (the agent loop's search
tool calls it once per turn with every live trajectory's query); repeats alternate which side
goes first. Prints the index build time, each side's queries/s and their ratio (goal >= 3).
"""

from __future__ import annotations

import argparse
import itertools
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # bench.machine as a script

from bench.machine import describe_machine  # noqa: E402
from datagen.generators.a2search.search_index import SearchIndex  # noqa: E402

VOCABULARY = 30_000


def corpus(count: int, rng: random.Random) -> tuple[list[dict], list[str]]:
    letters = "abcdefghijklmnopqrstuvwxyz"
    vocabulary = ["".join(rng.choices(letters, k=rng.randint(3, 9))) for _ in range(VOCABULARY)]
    cumulative = list(itertools.accumulate(1 / (rank + 1) for rank in range(VOCABULARY)))

    def draw(n: int) -> str:
        return " ".join(rng.choices(vocabulary, cum_weights=cumulative, k=n))

    passages = [
        {"id": f"p{i}", "title": draw(2), "text": draw(rng.randint(30, 80))} for i in range(count)
    ]
    return passages, [draw(rng.randint(3, 6)) for _ in range(count)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passages", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=2_000)
    parser.add_argument("--k", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--smoke", action="store_true", help="a tiny run that checks the script")
    args = parser.parse_args()
    if args.smoke:
        args.passages, args.queries, args.repeats = 2_000, 50, 1
    rng = random.Random(0)
    passages, pool = corpus(args.passages, rng)
    queries = pool[: args.queries]
    start = time.perf_counter()
    index = SearchIndex.build(passages)
    build_seconds = time.perf_counter() - start
    sides = {
        "batched": lambda: index.search(queries, k=args.k),
        "one per call": lambda: [index.search([q], k=args.k)[0] for q in queries],
    }
    seconds = dict.fromkeys(sides, 0.0)
    answers = {}
    for repeat in range(args.repeats):
        for name in list(sides) if repeat % 2 == 0 else list(sides)[::-1]:
            start = time.perf_counter()
            answers[name] = sides[name]()
            seconds[name] += time.perf_counter() - start
    same = answers["batched"] == answers["one per call"]
    print(f"machine: {describe_machine()}")
    print(f"corpus: {args.passages} passages, index built in {build_seconds:.1f} s")
    print(f"{args.queries} queries x {args.repeats} repeats, k={args.k}; same hits: {same}")
    rates = {name: args.queries * args.repeats / s for name, s in seconds.items()}
    for name, rate in rates.items():
        print(f"{name:12s}: {rate:9.1f} queries/s ({seconds[name]:.2f} s)")
    print(f"ratio batched/one per call: {rates['batched'] / rates['one per call']:.2f}")


if __name__ == "__main__":
    main()
