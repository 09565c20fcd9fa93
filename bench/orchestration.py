"""Orchestration overhead of the ToolPref flow around an engine of fixed latency.

    python bench/orchestration.py [--tasks 10000] [--latency-ms 10] [--samples 2]
                                  [--shard-size 500] [--smoke]

Writes a JSONL source of synthetic tool-use chats (OpenAI format, a few tool shapes), registers
``FakeFixedLatencyEngine`` (kind ``fake-latency``), which sleeps a fixed time per request and
answers with deterministic call texts (most right, some with a wrong value, a wrong function,
an extra call or broken JSON), and runs the real ``toolpref`` flow in this process on
Prefect's ephemeral API.

Start-up is measured first and apart: importing the flow and running a trivial Prefect flow,
which starts the ephemeral API the real run then reuses. The overhead is the flow call's wall
time minus the time the engine was busy (it serves one batch at a time, like one GPU or one
llama.cpp model, so its busy time is the sum of its sleeps). Printed as a share of the flow
call, and of the whole run including start-up (the goal is <= 2 %).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from datagen.generators.engines import (
    Completion,
    EngineSpec,
    Request,
    Result,
    register_engine,
)
from datagen.generators.sampling import stable_int

try:
    from bench.machine import describe_machine
except ImportError:  # run as a script from bench/
    from machine import describe_machine

ENGINE_KIND = "fake-latency"

CITIES = ["Paris", "Tokyo", "Lima", "Oslo", "Cairo", "Perth", "Quito", "Seoul"]
CURRENCIES = ["EUR", "USD", "JPY", "GBP", "CHF"]
TOPICS = ["solar panels", "tide tables", "sourdough", "bus routes", "chess openings"]


def _tool(name: str, description: str, properties: dict, required: list[str]) -> dict:
    return {
        "type": "function",
        "function": {
            "name": name,
            "description": description,
            "parameters": {"type": "object", "properties": properties, "required": required},
        },
    }


TOOLS = [
    _tool(
        "get_weather",
        "Current weather for a city.",
        {
            "city": {"type": "string", "description": "City name"},
            "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
        },
        ["city"],
    ),
    _tool(
        "triangle_area",
        "Area of a triangle.",
        {"base": {"type": "integer"}, "height": {"type": "integer"}},
        ["base", "height"],
    ),
    _tool(
        "convert_currency",
        "Convert an amount between currencies.",
        {
            "amount": {"type": "number"},
            "source": {"type": "string", "enum": CURRENCIES},
            "target": {"type": "string", "enum": CURRENCIES},
        },
        ["amount", "source", "target"],
    ),
    _tool(
        "search_web",
        "Search the web.",
        {
            "query": {"type": "string"},
            "max_results": {"type": "integer"},
            "safe": {"type": "boolean"},
        },
        ["query"],
    ),
]


def _call(rng: random.Random) -> tuple[str, dict[str, Any]]:
    name = rng.choice([t["function"]["name"] for t in TOOLS])
    if name == "get_weather":
        return name, {"city": rng.choice(CITIES), "unit": rng.choice(["celsius", "fahrenheit"])}
    if name == "triangle_area":
        return name, {"base": rng.randint(1, 99), "height": rng.randint(1, 99)}
    if name == "convert_currency":
        source, target = rng.sample(CURRENCIES, 2)
        return name, {"amount": rng.randint(1, 9999) / 4, "source": source, "target": target}
    return name, {"query": rng.choice(TOPICS), "max_results": rng.randint(1, 20), "safe": True}


def task_row(index: int, *, seed: int = 0) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """One OpenAI chat row (one to three calls, one to four tools) and its calls."""
    rng = random.Random(stable_int("task", seed, index))
    count, calls = rng.choice([1, 1, 1, 2, 3]), []
    while len(calls) < count:
        call = _call(rng)
        if call not in calls:  # the same call twice is a malformed row (segment.py), no task
            calls.append(call)
    names = {name for name, _ in calls}
    tools = [t for t in TOOLS if t["function"]["name"] in names or rng.random() < 0.4]
    request = "; then ".join(f"{name} with {json.dumps(args)}" for name, args in calls)
    row = {
        "messages": [
            {"role": "user", "content": f"Request {index}: please run {request}."},
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": f"call_{n}",
                        "type": "function",
                        "function": {"name": name, "arguments": json.dumps(args)},
                    }
                    for n, (name, args) in enumerate(calls)
                ],
            },
        ],
        "tools": tools,
    }
    return row, [{"name": name, "arguments": args} for name, args in calls]


def write_source(path: Path, count: int, *, seed: int = 0) -> dict[str, list[dict[str, Any]]]:
    """Write ``count`` rows as JSONL; returns each row's right calls by its user message."""
    answers = {}
    with open(path, "w", encoding="utf-8") as handle:
        for index in range(count):
            row, calls = task_row(index, seed=seed)
            handle.write(json.dumps(row) + "\n")
            answers[row["messages"][0]["content"]] = calls
    return answers


def _spoil(value: Any) -> Any:
    if isinstance(value, bool):
        return not value
    if isinstance(value, int | float):
        return value * 2 + 1
    return f"{value} (approx.)"


def answer_text(calls: list[dict[str, Any]], *, draw: int) -> str:
    """A plausible model answer to ``calls``: right half the time, else one kind of mistake."""
    kind = draw % 10
    calls = json.loads(json.dumps(calls))  # a private copy to spoil
    if kind in (5, 6):  # a wrong value
        arguments = calls[0]["arguments"]
        key = sorted(arguments)[draw % len(arguments)]
        arguments[key] = _spoil(arguments[key])
    elif kind == 7:  # a wrong function
        calls[0]["name"] = "lookup_" + calls[0]["name"]
    elif kind == 8:  # one call too many
        calls.append(calls[0])
    elif kind == 9:  # broken JSON, cut by the token budget
        return json.dumps(calls)[: 20 + draw % 15]
    return json.dumps(calls)


class FakeFixedLatencyEngine:
    """A named fake: ``latency_s`` per request, one batch at a time, its busy time counted.

    Answers come from ``answers`` (right calls by a request's last user message), spoiled or
    kept by a draw on the request's seed, so a run's candidates are the same every time.
    """

    def __init__(
        self, *, spec: str, latency_s: float, answers: dict[str, list[dict]], seed: int = 0
    ) -> None:
        self.name, self.model = spec, "fake-fixed-latency"
        self.latency_s, self.answers, self.seed = latency_s, answers, seed
        self.busy_seconds = 0.0
        self.requests = 0
        self.first_start: float | None = None  # perf_counter at the first batch
        self.last_end = 0.0  # and at the end of the last one
        self._lock = threading.Lock()

    def generate(self, requests: Sequence[Request]) -> list[Result]:
        """Answer, then sleep out the rest of ``latency_s`` per request, all under one lock."""
        with self._lock:
            start = time.perf_counter()
            self.first_start = self.first_start or start
            results = [self._answer(r) for r in requests]
            time.sleep(max(0.0, start + self.latency_s * len(requests) - time.perf_counter()))
            self.last_end = time.perf_counter()
            self.busy_seconds += self.last_end - start
            self.requests += len(requests)
        return results

    def _answer(self, request: Request) -> Result:
        user = [m["content"] for m in request.messages if m["role"] == "user"][-1]
        draw = stable_int("fake", self.seed, request.request_id, request.sampling.seed)
        text = answer_text(self.answers[user], draw=draw)
        completion = Completion(
            text=text, finish_reason="stop", completion_tokens=max(1, len(text) // 4)
        )
        return Result(
            request_id=request.request_id,
            completions=(completion,),
            prompt_tokens=200,
            model=self.model,
        )

    def close(self) -> None:
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=10_000)
    parser.add_argument("--latency-ms", type=float, default=10.0)
    parser.add_argument("--samples", type=int, default=2)
    parser.add_argument("--shard-size", type=int, default=500)
    parser.add_argument(
        "--smoke", action="store_true", help="a tiny run that checks the script works"
    )
    args = parser.parse_args()
    if args.smoke:
        args.tasks, args.latency_ms, args.shard_size = 40, 2.0, 20
    with tempfile.TemporaryDirectory(prefix="datagen-bench-") as folder:
        root = Path(folder)
        answers = write_source(root / "tasks.jsonl", args.tasks)
        engines: list[FakeFixedLatencyEngine] = []

        def build(spec: EngineSpec) -> FakeFixedLatencyEngine:
            engines.append(
                FakeFixedLatencyEngine(
                    spec=str(spec), latency_s=args.latency_ms / 1000, answers=answers
                )
            )
            return engines[-1]

        register_engine(ENGINE_KIND, build)
        start = time.perf_counter()
        from datagen.catalog import Store
        from datagen.flows.runtime import prepare_prefect

        prepare_prefect(Store(root / "store"))
        os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
        from prefect import flow

        from datagen.flows.toolpref import toolpref
        from datagen.generators.toolpref.recipe import ToolPrefConfig

        flow(name="bench-warm-up")(lambda: None)()
        startup = time.perf_counter() - start

        start = time.perf_counter()
        config = ToolPrefConfig(
            source=str(root / "tasks.jsonl"),
            samples=args.samples,
            engine=ENGINE_KIND,
            shard_size=args.shard_size,
        )
        info = toolpref(config, store=str(root / "store"))
        end = time.perf_counter()
    run = end - start
    engine = sum(e.busy_seconds for e in engines)
    overhead = run - engine
    before = min(e.first_start or end for e in engines) - start
    after = end - max(e.last_end for e in engines)
    print(f"machine: {describe_machine()}")
    print(
        f"run: {args.tasks} tasks x {args.samples} samples, shards of {args.shard_size}, "
        f"{sum(e.requests for e in engines)} requests at {args.latency_ms:g} ms, "
        f"published {info['rows']} rows"
    )
    print(f"start-up (imports + ephemeral Prefect API): {startup:8.2f} s")
    print(f"flow call wall time                       : {run:8.2f} s")
    print(f"engine busy time                          : {engine:8.2f} s")
    print(f"orchestration overhead                    : {overhead:8.2f} s")
    print(f"  before the first engine batch           : {before:8.2f} s")
    print(f"  engine idle between batches             : {overhead - before - after:8.2f} s")
    print(f"  after the last engine batch             : {after:8.2f} s")
    print(f"overhead share of the flow call: {100 * overhead / run:.2f} %")
    print(f"overhead share of the whole run: {100 * overhead / (run + startup):.2f} %")


if __name__ == "__main__":
    main()
