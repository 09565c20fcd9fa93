"""Omni-Detective's clips per minute: the whole flow on the detective engine, beside the same
flow on the named fake engine, which costs nothing, so what is left is the observers, the
checks and the orchestration.

    python bench/omni_detective.py [--engine embedded] [--baseline fake:agent] [--limit N]
                                   [--inquiries 4] [--turn-tokens 320] [--smoke]

Every run is the real ``omni_detective`` flow, called in this process on one ephemeral Prefect
API, over the demo clips; each side has a fresh store of its own. The clips are made once
(espeak-ng, sox, ffmpeg), timed apart, and copied into each store as the demo's cache, so a
run reads them (their hashes checked) and makes none. Four runs, in this order:

1. ``--engine``, cold: new store, so no shard to resume and no observer analysis on disk.
2. ``--baseline``, cold: the same, on the fake (``fake:agent`` writes the protocol's JSON
   inquiries and a short caption at once).
3. ``--baseline`` again in run 2's store with seed + 1: the seed is in the shards' resume key,
   so every shard is new work, but the observers' analyses (``<store>/media/analyses``) are
   on disk from run 2 and are read, not run. Run 2 − run 3 is the observers' cost.
4. run 3 again, unchanged: every shard resumed from the store's work cache (a warm rerun).

Each run prints its wall and CPU time, its engine requests and the analyses it wrote (how a
cold run is told from a cache hit; the script stops if a cold run read a cache). The engines
are reached through kind ``timed`` (registered here; its spec is ``timed:<engine spec>``),
which counts the time at least one engine call was in flight, the requests and the tokens.
Start-up is timed apart: imports and the Prefect API, Whisper's load, each engine's load (the
embedded model's), so no run pays them.

The figure is the ratio of clips per minute, baseline ÷ engine: how many times faster the
flow would be if the detective cost nothing. The engine's run is split into the wall time
during which a turn was in flight (an embedded engine's wait for its turn on the CPU,
``cpu_turns``, included) and the rest; shards run at once, so one shard's observers can run
while another's turns do, and the observers' cost is taken from the fake's runs instead.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import re
import resource
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING

try:
    from bench.machine import describe_machine
except ImportError:  # run as a script from bench/
    from machine import describe_machine

if TYPE_CHECKING:
    from datagen.generators.engines import Engine, Request, Result

TIMED = "timed"


@dataclass
class EngineUse:
    """What an engine did: seconds with a call in flight, requests, tokens."""

    busy_s: float = 0.0
    requests: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0

    def minus(self, before: EngineUse) -> EngineUse:
        return EngineUse(
            *(getattr(self, f.name) - getattr(before, f.name) for f in fields(EngineUse))
        )


class TimedEngine:
    """Another engine, its use counted; calls from shards at once count their union of time."""

    def __init__(self, inner: Engine, *, name: str) -> None:
        self.inner, self.name, self.model = inner, name, inner.model
        self.use = EngineUse()
        self._lock = threading.Lock()
        self._in_flight, self._since = 0, 0.0

    def generate(self, requests: Sequence[Request]) -> list[Result]:
        with self._lock:
            if self._in_flight == 0:
                self._since = time.perf_counter()
            self._in_flight += 1
        try:
            results = self.inner.generate(requests)
        finally:
            with self._lock:
                self._in_flight -= 1
                if self._in_flight == 0:
                    self.use.busy_s += time.perf_counter() - self._since
        with self._lock:
            self.use.requests += len(requests)
            self.use.prompt_tokens += sum(r.prompt_tokens for r in results)
            self.use.completion_tokens += sum(
                c.completion_tokens for r in results for c in r.completions
            )
        return results

    def snapshot(self) -> EngineUse:
        with self._lock:
            return EngineUse(**vars(self.use))

    def close(self) -> None:
        self.inner.close()


@dataclass
class Run:
    """One flow call: its wall time, engine use, analyses written and its report."""

    label: str
    clips: int
    wall_s: float
    cpu_s: float
    use: EngineUse
    analyses: int
    report: str

    @property
    def clips_per_min(self) -> float:
        return 60 * self.clips / self.wall_s

    def note(self, pattern: str) -> str:
        found = re.search(pattern, self.report)
        return found[1] if found else "?"


def cpu_seconds() -> float:
    """CPU time of this process's threads and of the programs it ran and waited for (ffmpeg,
    tesseract; not Prefect's API server, which runs until the end): on a busy machine the
    wall time grows with what other processes take, this much less."""
    own, programs = (
        resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
    )
    return own.ru_utime + own.ru_stime + programs.ru_utime + programs.ru_stime


def analyses_on_disk(store: Path) -> int:
    return sum(1 for _ in (store / "media" / "analyses").rglob("*.json"))


def run_flow(
    label: str, engine: TimedEngine, store: Path, args: argparse.Namespace, *, seed: int
) -> Run:
    """The omni-detective flow into ``store``; its report (stderr) kept, shown if it fails."""
    from datagen.flows.omni_detective import omni_detective
    from datagen.generators.omni.recipe import OmniDetectiveConfig

    config = OmniDetectiveConfig(
        source="demo",
        limit=args.limit,
        engine=engine.name,
        inquiries=args.inquiries,
        turn_tokens=args.turn_tokens,
        seed=seed,
    )
    before, analyses = engine.snapshot(), analyses_on_disk(store)
    report = io.StringIO()
    start, cpu = time.perf_counter(), cpu_seconds()
    try:
        with contextlib.redirect_stderr(report):
            omni_detective(config, store=str(store))
    except BaseException:
        sys.stderr.write(report.getvalue())
        raise
    wall = time.perf_counter() - start
    return Run(
        label=label,
        clips=args.chosen,
        wall_s=wall,
        cpu_s=cpu_seconds() - cpu,
        use=engine.snapshot().minus(before),
        analyses=analyses_on_disk(store) - analyses,
        report=report.getvalue(),
    )


def start_up(specs: Sequence[str], scratch: Path) -> tuple[dict[str, TimedEngine], dict]:
    """Imports, Prefect's API, Whisper and the engines, each timed; the engines, wrapped."""
    seconds = {}
    start = time.perf_counter()
    from datagen.catalog import Store
    from datagen.flows.runtime import prepare_prefect

    prepare_prefect(Store(scratch / "prefect"))  # before Prefect reads its settings
    from prefect import flow

    from datagen.flows.omni_detective import omni_detective  # noqa: F401 (timed import)

    flow(name="bench-warm-up")(lambda: None)()
    seconds["imports + Prefect API"] = time.perf_counter() - start

    from datagen.generators.omni.observers.asr import load_whisper
    from datagen.generators.omni.requirements import whisper_model_dir

    start = time.perf_counter()
    load_whisper(str(whisper_model_dir(None)))
    seconds["Whisper load"] = time.perf_counter() - start

    from datagen.generators.engines import open_engine, register_engine

    engines = {}
    for spec in dict.fromkeys(specs):
        start = time.perf_counter()
        engines[spec] = TimedEngine(open_engine(spec), name=f"{TIMED}:{spec}")
        seconds[f"{spec} load"] = time.perf_counter() - start
    by_name = {engine.name: engine for engine in engines.values()}
    register_engine(TIMED, lambda spec: by_name[str(spec)])
    return engines, seconds


def make_demo(folder: Path) -> tuple[list[dict], float]:
    """The demo clips, made once in ``folder``; their records and the seconds it took."""
    from datagen.generators.omni.media import read_demo

    start = time.perf_counter()
    records = read_demo(store=folder).records
    return records, time.perf_counter() - start


def fresh_store(base: Path, name: str) -> Path:
    """A new store holding only the demo's clips and cache record (no analyses, no work)."""
    store = base.parent / name
    shutil.copytree(base / "media", store / "media")
    return store


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engine", default="embedded", help="the detective engine measured")
    parser.add_argument(
        "--baseline", default="fake:agent", help="the engine beside it (default: the fake)"
    )
    parser.add_argument("--limit", type=int, help="the first N demo clips (default: all)")
    parser.add_argument("--inquiries", type=int, default=4, help="as the flow's --inquiries")
    parser.add_argument("--turn-tokens", type=int, default=320, help="as --turn-tokens")
    parser.add_argument("--smoke", action="store_true", help="fake engine, 1 clip, 1 inquiry")
    args = parser.parse_args()
    if args.smoke:
        args.engine, args.limit, args.inquiries, args.turn_tokens = "fake:agent", 1, 1, 64
    with tempfile.TemporaryDirectory(prefix="datagen-bench-omni-") as folder:
        scratch = Path(folder)
        records, made_s = make_demo(scratch / "demo")
        chosen = records[: args.limit]
        args.clips, args.chosen = len(records), len(chosen)
        engines, startup = start_up([args.engine, args.baseline], scratch)
        stores = {name: fresh_store(scratch / "demo", name) for name in ("engine", "baseline")}
        engine, baseline, store = engines[args.engine], engines[args.baseline], stores["baseline"]
        runs = [
            run_flow(f"{args.engine}, cold", engine, stores["engine"], args, seed=0),
            run_flow(f"{args.baseline}, cold", baseline, store, args, seed=0),
            run_flow(f"{args.baseline}, analyses cached (seed 1)", baseline, store, args, seed=1),
            run_flow(f"{args.baseline}, rerun (shards resumed)", baseline, store, args, seed=1),
        ]
    report(args, chosen, made_s, startup, runs)


def report(
    args: argparse.Namespace,
    clips: list[dict],
    made_s: float,
    startup: dict[str, float],
    runs: list[Run],
) -> None:
    media_s = sum(c["duration_s"] for c in clips)
    kinds = ", ".join(
        f"{c['origin']} {c['duration_s']:.0f} s "
        + "+".join(k for k in ("audio", "video") if c[f"has_{k}"])
        for c in clips
    )
    print(f"machine: {describe_machine()}")
    print(
        f"flow: omni-detective, {len(clips)} of {args.clips} demo clips ({media_s:.0f} s of "
        f"media: {kinds}), inquiries {args.inquiries}, turn tokens {args.turn_tokens}"
    )
    print(f"demo clips made once: {made_s:.1f} s (not in any run)")
    print("start-up (not in any run): " + ", ".join(f"{k} {v:.1f} s" for k, v in startup.items()))
    print(
        f"{'run':40s} {'wall s':>7s} {'CPU s':>6s} {'clips/min':>9s} {'engine busy s':>13s} "
        f"{'requests':>8s} {'tokens in':>9s} {'tokens out':>10s} {'analyses':>8s}  "
        "resumed  flagged"
    )
    for run in runs:
        resumed = run.note(r"(\d+ of \d+) shards resumed")
        flagged = run.note(r"hallucination check: (\S+) of caption")
        print(
            f"{run.label:40s} {run.wall_s:7.1f} {run.cpu_s:6.1f} {run.clips_per_min:9.2f} "
            f"{run.use.busy_s:13.1f} "
            f"{run.use.requests:8d} {run.use.prompt_tokens:9d} {run.use.completion_tokens:10d} "
            f"{run.analyses:8d}  {resumed:7s}  {flagged}"
        )
    engine, cold, cached, rerun = runs
    cold_ran = all(r.analyses > 0 and r.use.requests > 0 for r in (engine, cold))
    if not cold_ran or cached.analyses != 0 or rerun.use.requests != 0:
        raise SystemExit("a cold run read a cache or a warm one did not: the figures are wrong")
    busy = engine.use.busy_s
    share, rest, observers = busy / engine.wall_s, engine.wall_s - busy, cold.wall_s - cached.wall_s
    print(f"clips/min {args.engine}: {engine.clips_per_min:.2f}")
    print(f"clips/min {args.baseline}: {cold.clips_per_min:.2f}")
    print(
        f"ratio {args.baseline}/{args.engine} clips per minute: "
        f"{cold.clips_per_min / engine.clips_per_min:.2f}"
    )
    print(
        f"ratio {args.baseline}/{args.engine} by CPU time (less noisy on a busy machine): "
        f"{engine.cpu_s / cold.cpu_s:.2f} ({engine.cpu_s / engine.clips:.1f} vs "
        f"{cold.cpu_s / cold.clips:.1f} CPU s per clip)"
    )
    print(
        f"{args.engine} run: engine turns in flight {busy:.1f} s ({share:.0%}), no turn in "
        f"flight {rest:.1f} s ({1 - share:.0%}); per busy s {engine.use.prompt_tokens / busy:.0f} "
        f"tokens in, {engine.use.completion_tokens / busy:.1f} tokens out"
    )
    print(
        f"{args.baseline} run: observers' analyses {observers:.1f} s ({observers / cold.wall_s:.0%}"
        f"; cold − cached, {observers / engine.wall_s:.0%} of the {args.engine} run), the rest "
        f"(checks, cloze, orchestration, publish) {cached.wall_s:.1f} s"
    )
    print(f"warm rerun, every shard resumed: {rerun.wall_s:.1f} s")


if __name__ == "__main__":
    main()
