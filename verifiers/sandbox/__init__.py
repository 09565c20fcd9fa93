"""A sandbox for untrusted code: isolated, limited, parallel, one fresh process per job.

``Sandbox(limits=Limits(...)).run_batch([ExecutionJob(...), ...])`` returns one
``ExecutionResult`` per job, ``ok``/``error``/``timeout``/``killed`` with a reason; a
``CommandJob`` (files, then programs to run on them: compile, run) gets a ``CommandResult``. See
``pool.py`` for the process layout, ``isolation.py`` for what keeps a run in its box, and
``outcome.py`` for how a status is decided.

``Sandbox`` is imported on first use: the zygote imports this package too, and every
module it holds makes each fork dearer (``pool``'s ``threading`` alone adds an after-fork
hook that costs about 0.3 ms per run).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from datagen.verifiers.sandbox.isolation import IsolationReport
from datagen.verifiers.sandbox.records import (
    STATUSES,
    CommandJob,
    CommandResult,
    CommandStep,
    ExecutionJob,
    ExecutionResult,
    Limits,
    Status,
)

if TYPE_CHECKING:
    from datagen.verifiers.sandbox.pool import Sandbox, SandboxError

__all__ = [
    "STATUSES",
    "CommandJob",
    "CommandResult",
    "CommandStep",
    "ExecutionJob",
    "ExecutionResult",
    "IsolationReport",
    "Limits",
    "Sandbox",
    "SandboxError",
    "Status",
]


def __getattr__(name: str) -> Any:
    if name in ("Sandbox", "SandboxError"):
        from datagen.verifiers.sandbox import pool

        return getattr(pool, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
