"""Does the installed llama.cpp library run on this CPU? Asked once, in a child process.

A llama.cpp build made for another CPU (llama.cpp's default is ``-march=native``; pip's wheel
cache keeps what it built) dies with SIGILL on its first decode, and an AMX build faulted
that way on Sapphire Rapids machines (docs/cpus.md). In-process, that is a signal-killed run
with no message. So before the embedded engine imports ``llama_cpp``, a child process loads
the library and the model and generates a few tokens; the verdict is kept in the cache
folder under a key of the library's files and the CPU's flags, so each (build, CPU) pair is
checked once per machine (about 2 s) and a broken build gives a clear error saying what to
reinstall.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from filelock import FileLock

from datagen.generators.cache import cache_dir
from datagen.generators.engines.base import EngineError

CHECK_TIMEOUT_S = 180.0
CHECK_TOKENS = 4
FAULTS = frozenset({signal.SIGILL, signal.SIGSEGV, signal.SIGBUS, signal.SIGFPE, signal.SIGABRT})
"""Signals the library's own code raises: a verdict worth keeping. Others (SIGKILL from the
OOM killer, SIGTERM from a user) come from outside and say nothing about the build."""
CHILD_CODE = """
import sys
from llama_cpp import Llama
llama = Llama(model_path=sys.argv[1], n_ctx=256, n_threads=int(sys.argv[2]), verbose=False)
out = llama.create_completion("Question: What is 2 plus 2?\\nAnswer:", max_tokens=int(sys.argv[3]),
                              temperature=0.0)
print(out["usage"]["completion_tokens"])
"""
REINSTALL = (
    "Reinstall the portable build: run `scripts/setup` in the datagen checkout (it builds "
    "llama-cpp-python for any x86-64-v3 CPU), or by hand: CMAKE_ARGS='-DGGML_NATIVE=OFF' pip "
    "install --force-reinstall --no-deps --no-cache-dir --no-binary llama-cpp-python "
    "llama-cpp-python=={version}."
)


@dataclass(frozen=True)
class Verdict:
    """What the child process showed: whether the library generated, and if not, why."""

    ok: bool
    detail: str
    library: str
    cpu: str
    checked_at: str


def library_dir() -> Path:
    """The folder llama-cpp-python loads ``libllama.so`` from, found without importing it.

    llama-cpp-python loads the library when ``llama_cpp`` is imported, so importing it to ask
    would already run the code under test; ``LLAMA_CPP_LIB_PATH`` overrides the folder.
    """
    if override := os.environ.get("LLAMA_CPP_LIB_PATH"):
        return Path(override)
    spec = importlib.util.find_spec("llama_cpp")
    if spec is None or spec.origin is None:
        raise EngineError("embedded engine: llama-cpp-python is not installed (run scripts/setup)")
    return Path(spec.origin).parent / "lib"


def cpu_description() -> tuple[str, str]:
    """(model name, flags) of this machine's CPU, as /proc/cpuinfo states them."""
    model, flags = "unknown CPU", ""
    try:
        lines = Path("/proc/cpuinfo").read_text().splitlines()
    except OSError:
        return model, flags
    for line in lines:
        name, _, value = line.partition(":")
        if name.strip() == "model name" and model == "unknown CPU":
            model = value.strip()
        elif name.strip() == "flags" and not flags:
            flags = " ".join(sorted(value.split()))
    return model, flags


def check_key(folder: Path) -> str:
    """A key of the library's files (names and contents) and of the CPU's flags."""
    files = sorted(p for p in folder.glob("*.so*") if p.is_file())
    if not files:
        raise EngineError(f"embedded engine: no llama.cpp library (*.so) in {folder}")
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.name.encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    digest.update(cpu_description()[1].encode())
    return digest.hexdigest()[:32]


def ensure_library_runs(model_path: Path, *, threads: int) -> Verdict:
    """The library's verdict on this CPU; raises ``EngineError`` if it cannot generate."""
    folder = library_dir()
    key = check_key(folder)
    verdicts = cache_dir() / "llama-check"
    verdicts.mkdir(parents=True, exist_ok=True)
    remembered = verdicts / f"{key}.json"
    with FileLock(str(verdicts / f"{key}.lock")):
        if remembered.exists():
            verdict = Verdict(**json.loads(remembered.read_text()))
            source = f"remembered from a check at {verdict.checked_at} ({remembered})"
        else:
            verdict, conclusive = _run_child(folder, str(model_path), threads)
            source = "checked just now"
            if conclusive:  # a fault or a success stays; a timeout, exception or kill may pass
                remembered.write_text(json.dumps(asdict(verdict)))
    if not verdict.ok:
        override = (
            " LLAMA_CPP_LIB_PATH points at that folder: unset it or rebuild what it holds."
            if os.environ.get("LLAMA_CPP_LIB_PATH")
            else ""
        )
        raise EngineError(
            f"embedded engine: the llama.cpp library in {folder} cannot generate on this CPU "
            f"({verdict.cpu}): {verdict.detail} ({source}). It was probably built for "
            f"another CPU (llama.cpp builds with -march=native unless told otherwise)."
            f"{override} {REINSTALL.format(version=_installed_version())}"
        )
    return verdict


def _installed_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("llama_cpp_python")
    except PackageNotFoundError:
        return "VERSION"


def _run_child(folder: Path, model_path: str, threads: int) -> tuple[Verdict, bool]:
    """The child's verdict, and whether it is conclusive enough to remember."""
    cpu = cpu_description()[0]
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    command = [sys.executable, "-c", CHILD_CODE, model_path, str(threads), str(CHECK_TOKENS)]
    env = os.environ | {"LLAMA_CPP_LIB_PATH": str(folder)}
    try:
        done = subprocess.run(
            command, env=env, capture_output=True, text=True, timeout=CHECK_TIMEOUT_S
        )
    except subprocess.TimeoutExpired:
        detail = f"the check did not finish within {CHECK_TIMEOUT_S:.0f} s"
        verdict = Verdict(ok=False, detail=detail, library=str(folder), cpu=cpu, checked_at=stamp)
        return verdict, False
    if done.returncode < 0:
        name = signal.Signals(-done.returncode).name
        reason = " (illegal instruction)" if name == "SIGILL" else ""
        detail = f"killed by {name}{reason} while loading the model and generating"
    elif done.returncode != 0:
        tail = done.stderr.strip().splitlines()[-1:] or ["no message"]
        detail = f"the check exited with status {done.returncode}: {tail[0]}"
    else:
        detail = f"generated {done.stdout.strip()} tokens"
    ok = done.returncode == 0
    verdict = Verdict(ok=ok, detail=detail, library=str(folder), cpu=cpu, checked_at=stamp)
    return verdict, ok or -done.returncode in FAULTS
