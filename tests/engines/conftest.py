"""Real OpenAI-compatible servers for engine tests: llama-cpp-python's own server, on loopback.

Two servers with the packaged Gemma 3 270M GGUF start once per session, side by side
(about 3 s, 300 MB each) for the load-balancing test; the others use the first.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from datagen.generators.engines.embedded import default_model_path
from tests.ports import free_port

READY_DEADLINE_S = 90.0


@dataclass(frozen=True)
class LlamaServer:
    """One running server: its base URL (``.../v1``) and the model alias it reports."""

    url: str
    alias: str


def _start(model: Path, alias: str, log: Path) -> tuple[subprocess.Popen[bytes], LlamaServer]:
    port = free_port()
    command = [
        sys.executable, "-m", "llama_cpp.server",
        "--model", str(model), "--model_alias", alias,
        "--host", "127.0.0.1", "--port", str(port),
        "--n_ctx", "2048", "--n_threads", "1",  # two servers share two cores
        "--chat_format", "gemma",  # the GGUF has no chat template; llama-2 would be the default
        "--verbose", "False",
    ]  # fmt: skip
    with log.open("wb") as sink:
        process = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT)
    return process, LlamaServer(url=f"http://127.0.0.1:{port}/v1", alias=alias)


def _wait_ready(process: subprocess.Popen[bytes], server: LlamaServer, log: Path) -> None:
    deadline = time.monotonic() + READY_DEADLINE_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"llama_cpp.server exited with {process.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(f"{server.url}/models", timeout=2).status_code == 200:
                break
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    else:
        pytest.fail(f"llama_cpp.server not ready after {READY_DEADLINE_S} s:\n{log.read_text()}")
    # A fresh server's first completion takes seconds longer than the next ones; pay it
    # here so that per-test timings (and load balancing, which favours fast servers) are fair.
    warm_up = {"prompt": "Hello", "max_tokens": 1}
    httpx.post(
        f"{server.url}/completions", json=warm_up, timeout=READY_DEADLINE_S
    ).raise_for_status()


@pytest.fixture(scope="session")
def llama_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[LlamaServer]]:
    """Two llama-cpp-python servers (aliases ``gemma-3-270m-a`` and ``-b``), killed at the end."""
    model = default_model_path()
    folder = tmp_path_factory.mktemp("llama-servers")
    started: list[tuple[subprocess.Popen[bytes], LlamaServer, Path]] = []
    try:
        for alias in ("gemma-3-270m-a", "gemma-3-270m-b"):
            log = folder / f"{alias}.log"
            started.append((*_start(model, alias, log), log))
        for process, server, log in started:
            _wait_ready(process, server, log)
        yield [server for _, server, _ in started]
    finally:
        for process, _, _ in started:
            process.terminate()
        for process, _, _ in started:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture(scope="session")
def llama_server(llama_servers: list[LlamaServer]) -> LlamaServer:
    """The first server, for tests that need only one."""
    return llama_servers[0]
