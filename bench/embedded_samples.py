"""Embedded engine, n samples of one prompt: one request with ``n`` ÷ ``n`` requests of one.

    python bench/embedded_samples.py [--samples 4] [--max-tokens 48] [--rounds 3] [--smoke]

One request with ``n`` samples evaluates its prompt once (the later samples reuse its KV
cache); ``n`` one-sample requests with the same seeds evaluate it ``n`` times, which is what
every request cost before. The prompt is a TeaR-style solve prompt (a function, an input,
"what does it print"), ~1,100 tokens, the shape of TeaR's solve stage and A²Search's votes.
Rounds alternate which side goes first; prints each side's seconds and their ratio.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # bench.machine as a script

from bench.machine import describe_machine
from datagen.generators.engines import Request, Sampling
from datagen.generators.engines.embedded import EmbeddedEngine

FUNCTION = "\n".join(
    f"def step_{i}(values):\n    # step {i}: scale and shift\n"
    f"    return [v * {i % 5 + 1} + {i} for v in values if v % {i % 3 + 2} != 0]\n"
    for i in range(24)
)
PROMPT = f"{FUNCTION}\nvalues = [3, 8, 13, 21]\nprint(step_7(step_2(values)))\n\nOutput:"


def requests(samples: int, max_tokens: int, shared: bool) -> list[Request]:
    if shared:
        sampling = Sampling(temperature=0.8, max_tokens=max_tokens, n=samples, seed=1)
        return [Request(request_id="all", prompt=PROMPT, sampling=sampling)]
    return [
        Request(
            request_id=str(i),
            prompt=PROMPT,
            sampling=Sampling(temperature=0.8, max_tokens=max_tokens, seed=1 + i),
        )
        for i in range(samples)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=4)
    parser.add_argument("--max-tokens", type=int, default=48)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--smoke", action="store_true", help="a tiny run that checks the script")
    args = parser.parse_args()
    if args.smoke:
        args.samples, args.max_tokens, args.rounds = 2, 4, 1
    engine = EmbeddedEngine()
    seconds = {"one request with n": 0.0, "n requests of one": 0.0}
    tokens = dict.fromkeys(seconds, 0)
    for round_ in range(args.rounds):
        order = list(seconds) if round_ % 2 == 0 else list(seconds)[::-1]
        for name in order:
            batch = requests(args.samples, args.max_tokens, shared=name == "one request with n")
            start = time.perf_counter()
            results = engine.generate(batch)
            seconds[name] += time.perf_counter() - start
            tokens[name] += sum(c.completion_tokens for r in results for c in r.completions)
    prompt_tokens = results[0].prompt_tokens
    engine.close()
    print(f"machine: {describe_machine()}")
    print(f"prompt: {prompt_tokens} tokens; {args.samples} samples x {args.rounds} rounds")
    for name, s in seconds.items():
        print(f"{name:18s}: {s:7.2f} s, {tokens[name]} tokens sampled")
    ratio = seconds["n requests of one"] / seconds["one request with n"]
    print(f"ratio n requests of one/one request with n: {ratio:.2f}")


if __name__ == "__main__":
    main()
