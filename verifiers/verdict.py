"""The one return type every verifier shares.

A verifier is a pure function of its inputs, so the same function is a dataset filter and an
RL reward. Both uses need the same three facts: a number to train on, a yes/no to filter on,
and a reason to count rejects by.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Verdict:
    """``value`` in [0, 1]; ``reason`` is a stable snake_case code, optionally ``": detail"``;
    ``parts`` is set by rewards made of several checks.

    Group rejects by ``reason.split(": ", 1)[0]``; the detail is for people reading one record.
    """

    value: float
    passed: bool
    reason: str
    parts: dict[str, float] | None = None
    """The values a combined reward was made of (IFEvalCode: ``correct``, ``instruction``),
    for trainers to log beside it."""

    def __post_init__(self) -> None:
        if not 0.0 <= self.value <= 1.0:
            raise ValueError(f"Verdict.value must be in [0, 1], got {self.value!r}")

    @property
    def code(self) -> str:
        """The reason's stable code, without the human detail."""
        return self.reason.split(": ", 1)[0]
