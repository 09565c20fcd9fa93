"""Throughput of the sandbox against one ``python -c`` subprocess per sample.

Both sides run the same small jobs with the same parallelism (one worker per core) and the
same per-run isolation: the sandbox's limits as rlimits, an unprivileged user id, a fresh
temporary working directory. The baseline gets no namespaces (the sandbox enters them once
in its zygote), so the ratio it prints errs in the baseline's favour. Its child drops the
user id itself, after start-up, because the interpreter may live where that user cannot
read (e.g. under /root). Run as root:

    python bench/sandbox.py              # 200 jobs
    python bench/sandbox.py --jobs 1000
    python bench/sandbox.py --smoke      # a few jobs, exit 1 unless every result is right
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

from datagen.verifiers.sandbox import ExecutionJob, Limits, Sandbox
from datagen.verifiers.sandbox.uids import claim_uids

try:
    from bench.machine import describe_machine
except ImportError:  # run as a script from bench/
    from machine import describe_machine

GOAL = 10.0

PROGRAMS = [
    ("def f(a, b):\n    return a + b\n", (17, 23), "40"),
    ("def f(n):\n    return [i * i for i in range(n) if i % 3]\n", (10,), "[1, 4, 16, 25, 49, 64]"),
    (
        "def f(s):\n    seen = {}\n    for ch in s:\n        seen[ch] = seen.get(ch, 0) + 1\n"
        "    return sorted(seen.items())\n",
        ("abracadabra",),
        "[('a', 5), ('b', 2), ('c', 1), ('d', 1), ('r', 2)]",
    ),
    (
        "def f(n):\n    a, b = 0, 1\n    for _ in range(n):\n"
        "        a, b = b, a + b\n    return a\n",
        (30,),
        "832040",
    ),
]

BASELINE_SCRIPT = """
import json, os, resource, sys
job = json.loads(sys.stdin.read())
for name, soft, hard in job["rlimits"]:
    resource.setrlimit(getattr(resource, name), (soft, hard))
uid = job["uid"]
os.setgroups([]); os.setresgid(uid, uid, uid); os.setresuid(uid, uid, uid)
try:
    namespace = {"__name__": "__sandbox__"}
    exec(compile(job["code"], "<sandbox>", "exec"), namespace)
    print(json.dumps({"status": "ok", "output": repr(namespace["f"](*job["args"]))}))
except BaseException as exc:
    print(json.dumps({"status": "error", "reason": f"{type(exc).__name__}: {exc}"}))
"""


def make_jobs(count: int) -> list[tuple[ExecutionJob, str]]:
    jobs = []
    for index in range(count):
        code, args, expected = PROGRAMS[index % len(PROGRAMS)]
        jobs.append((ExecutionJob(id=index, code=code, entry_point="f", args=args), expected))
    return jobs


class Baseline:
    """One ``python -c`` per job, ``workers`` at a time, isolated like a sandbox run."""

    def __init__(self, limits: Limits, workers: int):
        self.workers = workers
        self.uids = claim_uids(workers).uids  # held until the benchmark exits
        self.wall_timeout = limits.wall_seconds
        self.rlimits = [
            ("RLIMIT_CPU", limits.cpu_seconds, limits.cpu_seconds + 1),
            ("RLIMIT_AS", limits.memory_bytes, limits.memory_bytes),
            ("RLIMIT_FSIZE", limits.file_bytes, limits.file_bytes),
            ("RLIMIT_NOFILE", limits.open_files, limits.open_files),
            ("RLIMIT_CORE", 0, 0),
            ("RLIMIT_NPROC", limits.processes, limits.processes),
        ]

    def run_batch(self, jobs: list[ExecutionJob]) -> list[str | None]:
        with ThreadPoolExecutor(max_workers=self.workers) as pool:
            return list(pool.map(self._one, enumerate(jobs)))

    def _one(self, index_job: tuple[int, ExecutionJob]) -> str | None:
        index, job = index_job
        uid = self.uids[index % self.workers]
        work_dir = tempfile.mkdtemp(prefix="bench-sandbox-")
        os.chown(work_dir, uid, uid)
        payload = {"code": job.code, "args": job.args, "uid": uid, "rlimits": self.rlimits}
        try:
            done = subprocess.run(
                [sys.executable, "-c", BASELINE_SCRIPT],
                input=json.dumps(payload),
                capture_output=True,
                text=True,
                cwd=work_dir,
                timeout=self.wall_timeout,
            )
            return json.loads(done.stdout).get("output")
        finally:
            shutil.rmtree(work_dir, ignore_errors=True)


def children_cpu() -> float:
    """CPU seconds of reaped children; the zygote's count (with its runners) once closed."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def sandbox_overhead_cpu(limits: Limits, workers: int) -> float:
    """CPU seconds of starting and closing a sandbox that runs nothing."""
    before = children_cpu()
    Sandbox(limits=limits, workers=workers).close()
    return children_cpu() - before


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=200, help="jobs per side (default 200)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="parallel runs")
    parser.add_argument("--rounds", type=int, default=4, help="alternations of the two sides")
    parser.add_argument("--smoke", action="store_true", help="a tiny run that checks results")
    options = parser.parse_args()
    count, rounds = (8, 1) if options.smoke else (options.jobs, options.rounds)
    limits = Limits(cpu_seconds=5, wall_seconds=30)
    pairs = make_jobs(count)
    jobs, expected = [job for job, _ in pairs], [want for _, want in pairs]
    print(f"machine: {describe_machine()}")
    print(f"{count} jobs per side in {rounds} alternating rounds, {options.workers} workers")
    overhead_cpu = sandbox_overhead_cpu(limits, options.workers)
    baseline = Baseline(limits, options.workers)
    outputs: dict[str, list] = {"sandbox": [], "baseline": []}
    seconds = {"sandbox": 0.0, "baseline": 0.0}
    baseline_cpu = 0.0
    cpu_before = children_cpu()
    started = time.perf_counter()
    with Sandbox(limits=limits, workers=options.workers) as sandbox:
        print(f"sandbox start-up: {time.perf_counter() - started:.3f} s (once, not counted)")
        print("isolation:\n  " + sandbox.isolation.describe().replace("\n", "\n  "))
        for round_index in range(rounds):
            chunk = jobs[round_index::rounds]
            started = time.perf_counter()
            outputs["sandbox"] += [result.output for result in sandbox.run_batch(chunk)]
            seconds["sandbox"] += time.perf_counter() - started
            started, cpu = time.perf_counter(), children_cpu()
            outputs["baseline"] += baseline.run_batch(chunk)
            seconds["baseline"] += time.perf_counter() - started
            baseline_cpu += children_cpu() - cpu
    sandbox_cpu = children_cpu() - cpu_before - baseline_cpu - overhead_cpu
    order = [job for round_index in range(rounds) for job in jobs[round_index::rounds]]
    want = {job.id: expect for job, expect in zip(jobs, expected, strict=True)}
    wrong = [
        (side, job.id, got)
        for side, side_outputs in outputs.items()
        for job, got in zip(order, side_outputs, strict=True)
        if got != want[job.id]
    ]
    rates = {side: count / elapsed for side, elapsed in seconds.items()}
    cpu_ms = {"sandbox": sandbox_cpu / count * 1e3, "baseline": baseline_cpu / count * 1e3}
    print(f"sandbox:           {rates['sandbox']:8.1f} jobs/s {cpu_ms['sandbox']:7.2f} ms CPU/job")
    print(
        f"python -c per job: {rates['baseline']:8.1f} jobs/s {cpu_ms['baseline']:7.2f} ms CPU/job"
    )
    speedup = rates["sandbox"] / rates["baseline"]
    saving = cpu_ms["baseline"] / max(cpu_ms["sandbox"], 1e-9)
    print(f"ratio:             {speedup:8.1f}× (goal ≥ {GOAL:g}×); {saving:.1f}× less CPU per job")
    for side, job_id, got in wrong[:5]:
        print(f"WRONG {side} job {job_id}: {got!r}")
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
