"""Embedded engine throughput: datagen's engine vs the same prompts through llama-cpp-python.

    python bench/engine_overhead.py [--prompts 16] [--max-tokens 48] [--rounds 3] [--smoke]

Both sides load the same GGUF with the same threads and context, reset the KV cache before
each one-sample request (what datagen does for determinism) and sample with the same seeds.
Rounds alternate datagen/raw so machine noise hits both; prints tokens/s each and the ratio.
"""

from __future__ import annotations

import argparse
import os
import time

from llama_cpp import Llama

from datagen.generators.engines import Request, Sampling
from datagen.generators.engines.embedded import EmbeddedEngine, default_model_path

try:
    from bench.machine import describe_machine
except ImportError:  # run as a script from bench/
    from machine import describe_machine

QUESTIONS = [
    "What is the capital of France?",
    "Name three prime numbers.",
    "Explain what a function call is.",
    "Write a short greeting.",
]


def prompts(count: int) -> list[str]:
    return [f"Question: {QUESTIONS[i % len(QUESTIONS)]} (#{i})\nAnswer:" for i in range(count)]


def run_datagen(engine: EmbeddedEngine, texts: list[str], max_tokens: int) -> int:
    requests = [
        Request(
            request_id=str(i),
            prompt=t,
            sampling=Sampling(temperature=0.8, max_tokens=max_tokens, seed=i),
        )
        for i, t in enumerate(texts)
    ]
    return sum(c.completion_tokens for r in engine.generate(requests) for c in r.completions)


def run_raw(llama: Llama, texts: list[str], max_tokens: int) -> int:
    tokens = 0
    for i, text in enumerate(texts):
        llama.reset()
        out = llama.create_completion(
            text, max_tokens=max_tokens, temperature=0.8, top_p=1.0, seed=i
        )
        tokens += out["usage"]["completion_tokens"]
    return tokens


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prompts", type=int, default=16)
    parser.add_argument("--max-tokens", type=int, default=48)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--smoke", action="store_true", help="a tiny run that checks the script works"
    )
    args = parser.parse_args()
    if args.smoke:
        args.prompts, args.max_tokens, args.rounds = 2, 4, 1
    path = default_model_path()
    threads = os.cpu_count() or 1
    engine = EmbeddedEngine(model_path=path, n_ctx=4096, n_threads=threads)
    llama = Llama(model_path=str(path), n_ctx=4096, n_threads=threads, verbose=False)
    texts = prompts(args.prompts)
    totals = {"datagen": [0, 0.0], "raw": [0, 0.0]}
    for _ in range(args.rounds):
        for name, run in (
            ("datagen", lambda: run_datagen(engine, texts, args.max_tokens)),
            ("raw", lambda: run_raw(llama, texts, args.max_tokens)),
        ):
            start = time.perf_counter()
            totals[name][0] += run()
            totals[name][1] += time.perf_counter() - start
    rates = {name: tokens / seconds for name, (tokens, seconds) in totals.items()}
    print(f"machine: {describe_machine()}")
    print(f"{args.prompts} prompts x {args.rounds} rounds, max_tokens {args.max_tokens}")
    for name, value in rates.items():
        tokens, seconds = totals[name]
        print(f"{name:8s}: {value:8.1f} tokens/s ({tokens} tokens in {seconds:.1f} s)")
    print(f"ratio datagen/raw: {rates['datagen'] / rates['raw']:.3f}")


if __name__ == "__main__":
    main()
