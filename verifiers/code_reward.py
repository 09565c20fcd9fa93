"""IFEvalCode's RL reward: the response's code passes its tests, and it follows the row's
instructions.

The ground truth an export writes is a JSON object ``{programming_language,
check_correctness, check_instruction}`` (as text, or already decoded). The reward is
``correct × instruction`` by default (``combine="correct"`` or ``"instruction"`` takes one
part alone); both parts go with the verdict, for verl's ``reward_extra_info`` and TRL's
logs. Every call runs through one warm sandbox per process, started on first use: verl calls
``compute_score`` once per response, and starting a sandbox per call would cost more than
most checks. The sandbox is strict (root, namespaces) unless ``DATAGEN_ALLOW_WEAK_ISOLATION=1``
is set, which a trainer that cannot run as root sets knowingly.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Sequence
from typing import Any, Literal

from datagen.verifiers.code_checks import (
    CodeCheck,
    CodeRow,
    check_rows,
    code_sandbox,
    malformed_check,
)
from datagen.verifiers.sandbox import Sandbox, SandboxError
from datagen.verifiers.verdict import Verdict

Combine = Literal["product", "correct", "instruction"]
COMBINES: tuple[Combine, ...] = ("product", "correct", "instruction")
TRUTH_FIELDS = ("programming_language", "check_correctness", "check_instruction")
WEAK_ISOLATION_VARIABLE = "DATAGEN_ALLOW_WEAK_ISOLATION"

_sandbox: Sandbox | None = None
_sandbox_lock = threading.Lock()


def code_rewards(
    completions: Sequence[Any], ground_truths: Sequence[Any], *, combine: Combine = "product"
) -> list[Verdict]:
    """One verdict per completion, all checked in one stream through the warm sandbox."""
    if combine not in COMBINES:
        raise ValueError(f"combine must be one of {', '.join(COMBINES)}, got {combine!r}")
    rows = [
        _row(index, c, t)
        for index, (c, t) in enumerate(zip(completions, ground_truths, strict=True))
    ]
    checks = list(check_rows(warm_sandbox(), rows))
    return [_verdict(check, combine) for check in checks]


def code_reward(completion: Any, ground_truth: Any) -> Verdict:
    """The verdict of one completion (``REWARDS``'s per-row signature)."""
    return code_rewards([completion], [ground_truth])[0]


def warm_sandbox() -> Sandbox:
    """This process's code sandbox, started on first use and kept until exit."""
    global _sandbox
    with _sandbox_lock:
        if _sandbox is None:
            weak = os.environ.get(WEAK_ISOLATION_VARIABLE) == "1"
            try:
                _sandbox = code_sandbox(strict=not weak)
            except SandboxError as exc:
                raise SandboxError(
                    f"{exc}\n(run the trainer as root, or set {WEAK_ISOLATION_VARIABLE}=1 "
                    f"to accept the weaker isolation)"
                ) from exc
        return _sandbox


def parse_ground_truth(ground_truth: Any) -> dict[str, str]:
    """The three fields of a ground truth given as JSON text or a mapping; ValueError says
    what is wrong."""
    if isinstance(ground_truth, str | bytes):
        try:
            ground_truth = json.loads(ground_truth)
        except ValueError as exc:
            raise ValueError(f"ground truth is not JSON: {exc}") from None
    if not isinstance(ground_truth, dict):
        raise ValueError(f"ground truth must be a JSON object, got {type(ground_truth).__name__}")
    missing = [name for name in TRUTH_FIELDS if not isinstance(ground_truth.get(name), str)]
    if missing:
        raise ValueError(f"ground truth lacks text fields: {', '.join(missing)}")
    return {name: ground_truth[name] for name in TRUTH_FIELDS}


def _row(index: int, completion: Any, ground_truth: Any) -> CodeRow | CodeCheck:
    if not isinstance(completion, str):
        return malformed_check(index, f"the completion is {type(completion).__name__}, not text")
    try:
        truth = parse_ground_truth(ground_truth)
    except ValueError as exc:
        reason = f"malformed_ground_truth: {exc}"
        return CodeCheck(index, False, False, reason, reason)
    return CodeRow(
        index,
        truth["programming_language"],
        completion,
        truth["check_correctness"],
        truth["check_instruction"],
    )


def _verdict(check: CodeCheck, combine: Combine) -> Verdict:
    correct, instruction = float(check.correct), float(check.instruction)
    value = {"product": correct * instruction, "correct": correct, "instruction": instruction}
    if combine != "instruction" and not check.correct:
        reason = _reason("incorrect", check.correct_reason)
    elif combine != "correct" and not check.instruction:
        reason = _reason("instruction_not_followed", check.instruction_reason)
    else:
        reason = "ok"
    parts = {"correct": correct, "instruction": instruction}
    return Verdict(value[combine], value[combine] == 1.0, reason, parts)


def _reason(code: str, detail: str) -> str:
    """A check's reason under the reward's code, unless it already names its own (a
    malformed row: the same code whichever part is asked for)."""
    if detail.startswith(("malformed", "unknown_language")):
        return detail
    return f"{code}: {detail}"
