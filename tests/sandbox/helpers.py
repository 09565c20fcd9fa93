"""Shared by the sandbox tests: tight limits, the root-only mark, and a process census."""

from __future__ import annotations

import os

import pytest

from datagen.verifiers.sandbox import Limits

NEEDS_ROOT = pytest.mark.skipif(
    os.geteuid() != 0, reason="the sandbox's isolation needs root (CI runs as root)"
)

TIGHT = Limits(
    cpu_seconds=1,
    wall_seconds=3.0,
    memory_bytes=256 << 20,
    output_bytes=64 << 10,
    processes=8,
    trace_steps=50,
)
"""Tight enough that runaways end within seconds."""


def processes_of(uids: tuple[int, ...]) -> list[str]:
    """``pid uid`` of every live process whose real user id is one of ``uids``.

    Zombies are left out: a killed process orphaned to init waits there until init reaps it,
    which some container inits do late; it no longer runs or holds anything but its pid.
    """
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/status") as handle:
                fields = dict(line.split(":", 1) for line in handle if ":" in line)
        except OSError:
            continue
        real_uid = int(fields.get("Uid", "-1").split()[0])
        if real_uid in uids and not fields.get("State", "").strip().startswith("Z"):
            found.append(f"{name} {real_uid}")
    return found
