"""A one-line description of the machine, printed by every benchmark beside its figures."""

from __future__ import annotations

import os
import platform
from pathlib import Path


def describe_machine() -> str:
    cpu = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        total_kb = int(meminfo.read_text().split()[1])
        memory = f", {total_kb / 2**20:.0f} GiB"
    python = f"Python {platform.python_version()}"
    load = f", load {os.getloadavg()[0]:.2f}"  # a busy machine makes every rate noisy
    return f"{os.cpu_count()} cores ({cpu}){memory}, {python}, {platform.system()}{load}"
