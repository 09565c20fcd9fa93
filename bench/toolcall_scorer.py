"""Tool-call scoring throughput: datagen's checker vs BFCL's ``ast_checker``, on one core.

    python bench/toolcall_scorer.py [--rounds 7] [--candidates 4] [--smoke]

Both score the parity tests' cases (a correct answer per BFCL task of eight Python categories
and seeded mutations of it, ``tests/verifiers/bfcl_mutations.py``), already decoded from JSON,
in the same order, in-process: BFCL's checker from the pinned wheel (``bfcl_reference.py``)
and datagen's ``ToolCallChecker``, grouped as the pipeline groups them: ``score_stage`` shares
one checker between a task's candidates, ``samples_per_task`` of them (``SamplingPlan``'s
default, 4; ``--candidates``), so each task's cases are cut into groups of that size, each
scored by a checker built for it, its build timed with them. For reference, the table also
shows ``check_tool_calls`` per case (a checker per candidate), and a last line the ratio with
one checker for all of a task's cases (about 13 here: more candidates than the pipeline makes).
datagen's side returns BFCL's verdict plus a graded score and a reason for every case; before
timing, each case's verdict from a shared checker is checked against ``check_tool_calls``'s
and BFCL's.
Rounds alternate the sides; each figure is the best round's CPU time (``time.process_time``,
garbage collector off while timed). Prints cases/s for each side, and the ratio overall and
on the valid and invalid cases apart.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # for tests.verifiers, and bench.machine when run as a script

from bench.machine import describe_machine  # noqa: E402
from datagen.generators.sampling import SamplingPlan  # noqa: E402
from datagen.generators.toolpref import bfcl_wheel  # noqa: E402
from datagen.verifiers.toolcall import ToolCallChecker, check_tool_calls  # noqa: E402
from tests.verifiers.bfcl_mutations import cases, to_bfcl, to_calls  # noqa: E402
from tests.verifiers.bfcl_reference import PARITY_CATEGORIES, AstCheck, bfcl_ast_checker  # noqa: E402

SMOKE_TASKS = 15
"""Tasks per category in a ``--smoke`` run."""


@dataclass
class Task:
    """One BFCL task and its cases, each in both checkers' input shape."""

    functions: list
    truth: list
    category: str
    bfcl_outputs: list[list]
    calls: list[list]
    valid: list[bool]

    def subset(self, valid: bool) -> Task:
        return self._select([i for i, v in enumerate(self.valid) if v is valid])

    def groups(self, size: int) -> list[Task]:
        """The cases cut into consecutive groups of ``size``: one checker's candidates each."""
        return [
            self._select(range(i, min(i + size, len(self.calls))))
            for i in range(0, len(self.calls), size)
        ]

    def _select(self, keep: Sequence[int]) -> Task:
        return Task(
            self.functions,
            self.truth,
            self.category,
            [self.bfcl_outputs[i] for i in keep],
            [self.calls[i] for i in keep],
            [self.valid[i] for i in keep],
        )


def build_tasks(check: AstCheck, tasks_per_category: int | None) -> list[Task]:
    """The parity cases, grouped by task, with BFCL's verdict (a raise counts as invalid)."""
    tasks = []
    for category in PARITY_CATEGORIES:
        rng = random.Random(f"parity-{category}")
        for question, answer in bfcl_wheel.read_category(category)[:tasks_per_category]:
            functions, truth = question["function"], answer["ground_truth"]
            task = Task(functions, truth, category, [], [], [])
            for _, output in cases(functions, truth, rng):
                task.bfcl_outputs.append(to_bfcl(output))
                task.calls.append(to_calls(output))
                task.valid.append(_bfcl_valid(check, task, task.bfcl_outputs[-1]))
            tasks.append(task)
    return tasks


def _bfcl_valid(check: AstCheck, task: Task, output: list) -> bool:
    try:
        return check(task.functions, output, task.truth, task.category)["valid"]
    except Exception:
        return False


def verify(tasks: list[Task]) -> None:
    """A task's shared checker gives each case what ``check_tool_calls`` and BFCL give."""
    for task in tasks:
        checker = ToolCallChecker(
            functions=task.functions, ground_truth=task.truth, category=task.category
        )
        for calls, valid in zip(task.calls, task.valid, strict=True):
            shared = checker.check(calls)
            alone = check_tool_calls(
                functions=task.functions,
                ground_truth=task.truth,
                calls=calls,
                category=task.category,
            )
            if shared != alone or shared.valid is not valid:
                raise AssertionError(f"{task.category}: {shared} vs {alone}, BFCL {valid}: {calls}")


def run_ours(tasks: list[Task]) -> int:
    valid = 0
    for task in tasks:
        checker = ToolCallChecker(
            functions=task.functions, ground_truth=task.truth, category=task.category
        )
        for calls in task.calls:
            valid += checker.check(calls).valid
    return valid


def run_ours_per_case(tasks: list[Task]) -> int:
    valid = 0
    for task in tasks:
        functions, truth, category = task.functions, task.truth, task.category
        for calls in task.calls:
            verdict = check_tool_calls(
                functions=functions, ground_truth=truth, calls=calls, category=category
            )
            valid += verdict.valid
    return valid


def run_bfcl(check: AstCheck, tasks: list[Task]) -> int:
    valid = 0
    for task in tasks:
        functions, truth, category = task.functions, task.truth, task.category
        for output in task.bfcl_outputs:
            # a raise counts as invalid; try costs nothing, suppress() would be timed
            try:  # noqa: SIM105
                valid += check(functions, output, truth, category)["valid"]
            except Exception:
                pass
    return valid


def cpu_seconds(run: Callable[[], int], expected_valid: int) -> float:
    gc.collect()
    gc.disable()
    try:
        start = time.process_time()
        valid = run()
        elapsed = time.process_time() - start
    finally:
        gc.enable()
    if valid != expected_valid:
        raise AssertionError(f"{valid} valid cases, expected {expected_valid}")
    return elapsed


SIDES = ("ours", "ours_per_case", "bfcl")
WHOLE_TASK = "ours_whole_task"
"""An extra side, on all cases only: one checker for all of a task's cases."""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument(
        "--candidates",
        type=int,
        default=SamplingPlan().samples_per_task,
        help="candidates per task sharing one checker (default: the pipeline's samples_per_task)",
    )
    parser.add_argument(
        "--smoke", action="store_true", help="a tiny run that checks the script works"
    )
    args = parser.parse_args()
    if args.candidates < 1:
        parser.error("--candidates must be >= 1")
    rounds = 1 if args.smoke else args.rounds
    os.sched_setaffinity(0, {0})
    with tempfile.TemporaryDirectory() as folder, bfcl_ast_checker(Path(folder)) as check:
        tasks = build_tasks(check, SMOKE_TASKS if args.smoke else None)
        verify(tasks)
        subsets = {
            "all": tasks,
            "valid": [task.subset(True) for task in tasks],
            "invalid": [task.subset(False) for task in tasks],
        }
        counts = {name: sum(len(t.calls) for t in group) for name, group in subsets.items()}
        shared = {
            name: [part for task in group for part in task.groups(args.candidates)]
            for name, group in subsets.items()
        }
        best: dict[tuple[str, str], float] = {}
        for number in range(rounds):
            for name, group in subsets.items():
                expected = counts["valid"] if name != "invalid" else 0
                runs = {
                    "ours": lambda parts=shared[name]: run_ours(parts),
                    "ours_per_case": lambda group=group: run_ours_per_case(group),
                    "bfcl": lambda group=group: run_bfcl(check, group),
                }
                if name == "all":
                    runs[WHOLE_TASK] = lambda group=group: run_ours(group)
                for side in runs if number % 2 == 0 else reversed(runs):
                    seconds = cpu_seconds(runs[side], expected)
                    best[side, name] = min(best.get((side, name), seconds), seconds)
    command = " ".join(["python", "bench/toolcall_scorer.py", *sys.argv[1:]])
    print(f"machine: {describe_machine()}, pinned to CPU 0")
    print(f"command: {command}")
    print(
        f"cases: {counts['all']:,} from {len(tasks):,} BFCL tasks "
        f"({counts['valid']:,} valid, {counts['invalid']:,} invalid); "
        f"best of {rounds} alternating round(s), CPU time"
    )
    heading = f"datagen K={args.candidates}"
    print(f"cases/s     {heading:>16}  datagen per case  BFCL ast_checker  ratio")
    for name in subsets:
        rate = {side: counts[name] / best[side, name] for side in SIDES}
        print(
            f"  {name:<9} {rate['ours']:16,.0f}  {rate['ours_per_case']:16,.0f}  "
            f"{rate['bfcl']:16,.0f}  {rate['ours'] / rate['bfcl']:.2f}x"
        )
    overall = best["bfcl", "all"] / best["ours", "all"]
    whole_task = best["bfcl", "all"] / best[WHOLE_TASK, "all"]
    print(
        f"ratio datagen/bfcl: {overall:.2f}x (goal >= 2.0; K={args.candidates}: one checker per "
        f"{args.candidates} candidates of a task, as the pipeline shares one per task)"
    )
    print(
        f"ratio with one checker for all of a task's cases "
        f"({counts['all'] / len(tasks):.1f} per task): {whole_task:.2f}x"
    )


if __name__ == "__main__":
    main()
