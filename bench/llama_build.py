"""Tokens/s of one llama.cpp build ÷ another on this CPU: the portable build vs a native one.

    python bench/llama_build.py --b NATIVE_LIB_DIR [--a LIB_DIR] [--rounds 6] [--tokens 128]
    python bench/llama_build.py --smoke

``--a`` defaults to the installed library (the portable build scripts/setup installs). A
native build to compare with comes from the same script with other flags, unpacked:

    DATAGEN_LLAMA_CMAKE_ARGS='-DGGML_NATIVE=ON -DLLAVA_BUILD=OFF' scripts/llama-wheel .venv/bin/pip
    unzip -q WHEEL 'llama_cpp/lib/*' -d /tmp/native   # then --b /tmp/native/llama_cpp/lib

(on Intel with AMX add DATAGEN_LLAMA_CFLAGS='-mno-amx-tile -mno-amx-int8 -mno-amx-bf16': the
AMX path faults there, docs/cpus.md). Every round starts one fresh process per library,
pointed at it through ``LLAMA_CPP_LIB_PATH``, in alternating order (a b, b a, ...) so machine
noise hits both; each process loads the packaged GGUF, times prompt evaluation (a long
prompt, one token out) and generation (a short prompt, ``--tokens`` tokens, end of text
disabled), and reports tokens/s. Prints the medians and the ratios a/b.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

try:
    from bench.machine import describe_machine
except ImportError:  # run as a script from bench/
    from machine import describe_machine

from datagen.generators.engines.embedded import default_model_path, usable_cores
from datagen.generators.engines.llama_check import library_dir

ONE_ROUND = """
import json, sys, time
import llama_cpp
from llama_cpp import Llama

model, threads, tokens = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
llama = Llama(model_path=model, n_ctx=2048, n_threads=threads, verbose=False)
long_prompt = " ".join(f"item {i} is a number;" for i in range(int(sys.argv[4])))
prompt_tokens = len(llama.tokenize(long_prompt.encode()))
start = time.perf_counter()
llama.create_completion(long_prompt, max_tokens=1, temperature=0.0)
prompt_s = time.perf_counter() - start
llama.reset()
start = time.perf_counter()
out = llama.create_completion("Once upon a time", max_tokens=tokens, temperature=0.8, seed=1,
                              logit_bias={llama.token_eos(): -1e9})
generate_s = time.perf_counter() - start
print(json.dumps({
    "prompt_tps": prompt_tokens / prompt_s,
    "generate_tps": out["usage"]["completion_tokens"] / generate_s,
    "features": llama_cpp.llama_print_system_info().decode().strip(),
}))
"""


def run_round(library: Path, *, tokens: int, prompt_items: int) -> dict:
    env = os.environ | {"LLAMA_CPP_LIB_PATH": str(library)}
    command = [
        sys.executable, "-c", ONE_ROUND,
        str(default_model_path()), str(usable_cores()), str(tokens), str(prompt_items),
    ]  # fmt: skip
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"the round on {library} exited {done.returncode}: {done.stderr[-2000:]}")
    return json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--a", type=Path, help="library folder (default: the installed one)")
    parser.add_argument("--b", type=Path, help="library folder to compare with")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--tokens", type=int, default=128)
    parser.add_argument("--prompt-items", type=int, default=150, help="long prompt's length")
    parser.add_argument("--smoke", action="store_true", help="one tiny round, a == b (one process)")
    args = parser.parse_args()
    a = args.a or library_dir()
    if args.smoke:
        b, rounds, tokens, items = args.b or a, 1, 2, 10
    elif args.b is None:
        parser.error("--b (a library folder to compare with) is required")
    else:
        b, rounds, tokens, items = args.b, args.rounds, args.tokens, args.prompt_items

    print(f"machine: {describe_machine()}")
    print(f"a: {a}\nb: {b}")
    measured: dict[str, list[dict]] = {"a": [], "b": []}
    for index in range(rounds):
        order = ("a", "b") if index % 2 == 0 else ("b", "a")
        if args.smoke and a == b:  # one library: one process measures both sides
            order = order[:1]
        for side in order:
            library = a if side == "a" else b
            measured[side].append(run_round(library, tokens=tokens, prompt_items=items))
    if not measured["b"]:
        measured["b"] = measured["a"]
    for side in ("a", "b"):
        print(f"{side} features: {measured[side][0]['features']}")
    for figure in ("generate_tps", "prompt_tps"):
        medians = {s: statistics.median(r[figure] for r in measured[s]) for s in measured}
        print(
            f"{figure}: a {medians['a']:.1f}, b {medians['b']:.1f} tokens/s over {rounds} rounds"
            f"; ratio a/b: {medians['a'] / medians['b']:.3f}"
        )


if __name__ == "__main__":
    main()
