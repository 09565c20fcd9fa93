"""Work every TypeScript and C++ check would repeat, done once per machine and kept.

Most of a C++ check is g++ parsing ``<bits/stdc++.h>`` (1.0 s of 1.1 s here) and most of a
TypeScript check is tsc parsing and binding its libraries (0.9 s of 1.3 s). So the first
code sandbox of a checkout builds a precompiled header of ``<bits/stdc++.h>`` and a V8
startup snapshot of tsc with its libraries loaded (``tsc_snapshot.js``), about 3 s each,
and the harness's steps use them: the same compiler, the same options, the same messages,
each check still a fresh process. Each is kept under ``PREBUILT_ROOT`` in a folder named by
a hash of what it depends on (the compiler's version and target, the flags, TypeScript's
version, this module's scripts, the CPU model), so an upgrade or another machine builds its
own; a folder appears whole or not at all (built aside, then renamed). Where one cannot be
built the harness uses the plain commands, which give the same verdicts, slower.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import shutil
import subprocess
import sys
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from datagen.verifiers.code.toolchains import NODE_MODULES, REPO_ROOT, RUN_PATH

PREBUILT_ROOT = REPO_ROOT / "prebuilt"
"""Readable by the sandbox's run users wherever the checkout is (``Sandbox(tool_dirs=...)``)."""
CPP_FLAGS = ("-std=c++17", "-O0")
"""The flags of every C++ compile: a precompiled header is used only under the flags it was
built with (g++ silently falls back to the header otherwise)."""
TSC_SCRIPT = Path(__file__).with_name("tsc_snapshot.js")
BUILD_SECONDS = 120


@dataclass(frozen=True, slots=True)
class Prebuilt:
    """Where the kept work is, or None for each piece that is not there."""

    cpp_include_dir: Path | None
    """Holds ``bits/stdc++.h.gch``; put first on g++'s include path (``-I``)."""
    tsc_snapshot: Path | None
    """``node --snapshot-blob <this> main.ts`` compiles main.ts as the harness's tsc would."""


def find_prebuilt() -> Prebuilt:
    """What has been built for this machine's toolchains (nothing is built here)."""
    cpp, tsc = _cpp_folder(), _tsc_folder()
    return Prebuilt(
        cpp if cpp and (cpp / "bits" / "stdc++.h.gch").is_file() else None,
        tsc / "tsc.blob" if tsc and (tsc / "tsc.blob").is_file() else None,
    )


def ensure_prebuilt() -> Prebuilt:
    """Build what is missing and can be built; failures are reported on stderr, not raised:
    the plain commands still check every program."""
    found = find_prebuilt()
    if found.cpp_include_dir is None and (folder := _cpp_folder()) is not None:
        _build(folder, _build_cpp_header)
    if found.tsc_snapshot is None and (folder := _tsc_folder()) is not None:
        _build(folder, _build_tsc_snapshot)
    return find_prebuilt()


def _build(folder: Path, make: Callable[[Path], None]) -> None:
    partial = folder.with_name(f".{folder.name}.{uuid.uuid4().hex[:8]}")
    try:
        partial.mkdir(parents=True)
        make(partial)
        os.chmod(partial, 0o755)
        os.rename(partial, folder)
    except subprocess.CalledProcessError as exc:
        output = (exc.stdout or b"").decode(errors="replace")[-2000:]
        print(f"datagen: could not prebuild {folder.name}: {exc}\n{output}", file=sys.stderr)
    except subprocess.TimeoutExpired as exc:
        print(f"datagen: could not prebuild {folder.name}: {exc}", file=sys.stderr)
    except OSError as exc:  # a read-only checkout, or another process renamed first
        if not folder.is_dir():
            print(f"datagen: could not prebuild {folder.name}: {exc}", file=sys.stderr)
    finally:
        shutil.rmtree(partial, ignore_errors=True)


def _build_cpp_header(folder: Path) -> None:
    (folder / "bits").mkdir()
    header = _stdcpp_header()
    target = folder / "bits" / "stdc++.h.gch"
    _run(["g++", *CPP_FLAGS, "-x", "c++-header", str(header), "-o", str(target)])
    os.chmod(folder / "bits", 0o755)
    os.chmod(target, 0o644)


def _build_tsc_snapshot(folder: Path) -> None:
    blob = folder / "tsc.blob"
    environment = {"DATAGEN_NODE_MODULES": str(NODE_MODULES), "DATAGEN_WARM_DIR": str(folder)}
    command = ["node", "--no-warnings", "--snapshot-blob", str(blob), "--build-snapshot"]
    _run([*command, str(TSC_SCRIPT)], environment)
    os.chmod(blob, 0o644)


def _run(argv: list[str], environment: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        argv,
        env={"PATH": RUN_PATH, "LANG": "C.UTF-8", **(environment or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        timeout=BUILD_SECONDS,
        check=True,
    )
    return done.stdout.decode()


@cache
def _cpp_folder() -> Path | None:
    if shutil.which("g++", path=RUN_PATH) is None:
        return None
    try:
        version = _run(["g++", "-dumpfullversion", "-dumpmachine"])
        header = str(_stdcpp_header())
    except (subprocess.SubprocessError, OSError):
        return None
    return PREBUILT_ROOT / f"cpp-pch-{_key(version, header, *CPP_FLAGS)}"


@cache
def _tsc_folder() -> Path | None:
    package = NODE_MODULES / "typescript" / "package.json"
    if shutil.which("node", path=RUN_PATH) is None or not package.is_file():
        return None
    try:
        node = _run(["node", "--version"])
    except (subprocess.SubprocessError, OSError):
        return None
    typescript = json.loads(package.read_text())["version"]
    types = (NODE_MODULES / "@types" / "node" / "package.json").read_bytes()
    script = TSC_SCRIPT.read_bytes()
    return PREBUILT_ROOT / f"tsc-{_key(node, typescript, types, script, _cpu_model())}"


def _stdcpp_header() -> Path:
    """Where g++ finds ``<bits/stdc++.h>``: the first header of its dependency list."""
    listing = subprocess.run(
        ["g++", *CPP_FLAGS, "-x", "c++", "-M", "-"],
        input=b"#include <bits/stdc++.h>\n",
        env={"PATH": RUN_PATH},
        stdout=subprocess.PIPE,
        timeout=60,
        check=True,
    ).stdout.decode()
    paths = listing.replace("\\\n", " ").split()
    return Path(next(p for p in paths if p.endswith("bits/stdc++.h")))


def _cpu_model() -> str:
    """A V8 snapshot is made for one machine; a different CPU builds its own."""
    try:
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def _key(*parts: str | bytes) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part if isinstance(part, bytes) else part.encode())
        digest.update(b"\0")
    return digest.hexdigest()[:16]
