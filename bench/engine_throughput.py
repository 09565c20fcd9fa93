"""vLLM engine throughput: datagen's ``vllm`` engine vs the same prompts through ``LLM.generate``.

    python bench/engine_throughput.py [--model PATH] [--engine-args 'tp=2&max_model_len=8192']
                                      [--prompts 64] [--max-tokens 128] [--repeats 6] [--smoke]

Without ``--model`` it builds the tests' tiny random-weight Qwen2 (``tests/vllm/tiny_model.py``)
and runs it with the tests' CPU engine arguments; on a GPU machine, give a real model folder
and its engine arguments (the ``vllm:`` spec's options, e.g. ``tp=2&max_model_len=8192``).

Both sides drive **one** ``vllm.LLM``: datagen's engine is opened from its spec
(``open_engine("vllm:PATH?...")``) and the raw side calls ``generate`` on the ``LLM`` inside it,
so weights, KV cache, engine arguments and scheduler are the same and only the code around
vLLM differs. (Two ``LLM`` objects in one process do start on the CPU build here, but on a GPU
each claims ``gpu_memory_utilization`` of the device, so the second would not fit.)

Each repeat runs both sides on the same completion prompts, one request per prompt with its
own seed: the datagen side as ``Request`` objects through ``Engine.generate``, the raw side as
one ``LLM.generate`` call with one ``SamplingParams`` per prompt, equal to those datagen builds
(same temperature, top_p, max_tokens, seed). datagen's ``Sampling`` has no ``ignore_eos``, so
a model may stop early; both sides then stop at the same token, since batch and seeds are the
same, and the script counts the repeats that gave both sides the same texts (all of them on
the CPU build; a GPU kernel that is not deterministic may change a few, and tokens/s stays
comparable). One untimed warm-up round per side comes first; repeats then alternate which side
goes first, so machine noise and cache warmth hit both.

Prints tokens/s of each side (tokens over wall time summed over the repeats), their ratio
(the goal is >= 0.97) with the median and range of the per-repeat ratios, and the ratio by
this process's CPU time. On a GPU the wall-time ratio is the figure; on a busy CPU-only
machine, where other processes' load swings a round's wall time several-fold, the CPU-time
ratio is the steadier one (the CPU build runs the model in this process, so its CPU time holds
the model's work and datagen's; not so with ``multiprocessing=1`` or on a GPU).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # for tests.vllm's tiny model, and bench.machine as a script

from bench.machine import describe_machine  # noqa: E402
from datagen.generators.engines import Engine, Request, Sampling, open_engine  # noqa: E402

TINY_ENGINE_ARGS = "max_model_len=4096&enforce_eager=1&kv_cache_memory_bytes=268435456"
"""The tests' engine arguments for the tiny model (tests/vllm/conftest.py) on the CPU build."""

TEMPERATURE = 0.8
TOP_P = 0.95

TOPICS = [
    "the water cycle",
    "how a compiler turns source code into machine code",
    "why the sky is blue",
    "the rules of chess for a beginner",
    "how vaccines train the immune system",
    "the history of the printing press",
    "how a hash table handles collisions",
    "what causes the seasons on Earth",
]


@dataclass
class Side:
    """One side's totals over the timed repeats, and its rate in each repeat."""

    name: str
    tokens: int = 0
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    rates: list[float] = field(default_factory=list)

    def add(self, tokens: int, seconds: float, cpu_seconds: float) -> None:
        self.tokens += tokens
        self.seconds += seconds
        self.cpu_seconds += cpu_seconds
        self.rates.append(tokens / seconds)

    @property
    def rate(self) -> float:
        return self.tokens / self.seconds

    @property
    def cpu_rate(self) -> float:
        return self.tokens / self.cpu_seconds


def prompts(count: int) -> list[str]:
    """Completion prompts of varied length, distinct so no two requests are the same."""
    return [
        f"Request #{i}. Write a clear, detailed explanation of {TOPICS[i % len(TOPICS)]}"
        f" for reader {i}, in {3 + i % 5} paragraphs.\n\nExplanation:"
        for i in range(count)
    ]


def run_datagen(engine: Engine, texts: list[str], max_tokens: int) -> tuple[int, list[str]]:
    """Generated tokens and texts, through datagen's engine interface."""
    requests = [
        Request(
            request_id=str(i),
            prompt=text,
            sampling=Sampling(temperature=TEMPERATURE, top_p=TOP_P, max_tokens=max_tokens, seed=i),
        )
        for i, text in enumerate(texts)
    ]
    completions = [c for result in engine.generate(requests) for c in result.completions]
    return sum(c.completion_tokens for c in completions), [c.text for c in completions]


def run_raw(llm: Any, texts: list[str], max_tokens: int) -> tuple[int, list[str]]:
    """Generated tokens and texts, straight through ``vllm.LLM.generate``."""
    from vllm import SamplingParams

    params = [
        SamplingParams(temperature=TEMPERATURE, top_p=TOP_P, max_tokens=max_tokens, seed=i)
        for i in range(len(texts))
    ]
    outputs = llm.generate(texts, params, use_tqdm=False)
    samples = [sample for output in outputs for sample in output.outputs]
    return sum(len(s.token_ids) for s in samples), [s.text for s in samples]


def timed(run: Callable[[], tuple[int, list[str]]]) -> tuple[int, list[str], float, float]:
    """Tokens, texts, wall seconds and this process's CPU seconds of one run."""
    start, start_cpu = time.perf_counter(), time.process_time()
    tokens, texts = run()
    return tokens, texts, time.perf_counter() - start, time.process_time() - start_cpu


def engine_spec(model: str | None, engine_args: str | None, scratch: Path) -> str:
    """The ``vllm:`` spec to open: the given model, or the tiny model built in ``scratch``."""
    if model is None:
        from tests.vllm.tiny_model import build_tiny_model

        model = str(build_tiny_model(scratch / "tiny-qwen2"))
        engine_args = TINY_ENGINE_ARGS if engine_args is None else engine_args
    return f"vllm:{model}" + (f"?{engine_args}" if engine_args else "")


def measure(
    engine: Engine, texts: list[str], max_tokens: int, repeats: int
) -> tuple[list[Side], int]:
    """Warm both sides up, then time ``repeats`` alternating rounds.

    Returns the sides and the number of repeats in which both gave the same texts.
    """
    llm = engine.llm  # the LLM inside datagen's engine (VLLMEngine): both sides share it
    runs = {
        "datagen": lambda: run_datagen(engine, texts, max_tokens),
        "raw": lambda: run_raw(llm, texts, max_tokens),
    }
    for run in runs.values():
        run()
    sides = {name: Side(name) for name in runs}
    same = 0
    for repeat in range(repeats):
        order = list(runs) if repeat % 2 == 0 else list(reversed(runs))
        produced = {}
        for name in order:
            tokens, produced[name], seconds, cpu_seconds = timed(runs[name])
            sides[name].add(tokens, seconds, cpu_seconds)
        same += produced["datagen"] == produced["raw"]
    return list(sides.values()), same


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", help="model folder (default: the tests' tiny random model)")
    parser.add_argument(
        "--engine-args",
        help="the vllm: spec's options, e.g. 'tp=2&max_model_len=8192' "
        f"(default with the tiny model: {TINY_ENGINE_ARGS})",
    )
    parser.add_argument("--prompts", type=int, default=64, help="requests per round")
    parser.add_argument("--max-tokens", type=int, default=128, help="token budget per request")
    parser.add_argument(
        "--repeats",
        type=int,
        default=6,
        help="timed rounds per side (even: each goes first as often)",
    )
    parser.add_argument(
        "--smoke", action="store_true", help="a tiny run that checks the script works"
    )
    args = parser.parse_args()
    if args.smoke:
        args.prompts, args.max_tokens, args.repeats = 4, 8, 1
    with tempfile.TemporaryDirectory(prefix="engine-throughput-") as scratch:
        spec = engine_spec(args.model, args.engine_args, Path(scratch))
        start = time.perf_counter()
        engine = open_engine(spec)
        load_seconds = time.perf_counter() - start
        try:
            sides, same = measure(engine, prompts(args.prompts), args.max_tokens, args.repeats)
        finally:
            engine.close()
    datagen, raw = sides
    print(f"machine: {describe_machine()}")
    print(f"engine: {spec} (loaded in {load_seconds:.1f} s)")
    print(f"{args.prompts} prompts x {args.repeats} repeats, max_tokens {args.max_tokens}")
    print(f"same texts on both sides: {same} of {args.repeats} repeats")
    for side in sides:
        print(
            f"{side.name:8s}: {side.rate:9.1f} tokens/s "
            f"({side.tokens} tokens in {side.seconds:.2f} s, {side.cpu_seconds:.2f} s CPU)"
        )
    per_repeat = [d / r for d, r in zip(datagen.rates, raw.rates, strict=True)]
    print(
        f"ratio datagen/raw: {datagen.rate / raw.rate:.3f} (per repeat: median "
        f"{statistics.median(per_repeat):.3f}, {min(per_repeat):.3f}-{max(per_repeat):.3f})"
    )
    print(f"ratio datagen/raw by this process's CPU time: {datagen.cpu_rate / raw.cpu_rate:.3f}")


if __name__ == "__main__":
    main()
