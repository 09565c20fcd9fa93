"""Session-wide fixtures: the real embedded engine and one real Prefect server."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.ports import free_port

os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
SERVER_DEADLINE_S = 120  # a fresh server migrates its database first; a busy CI core is slow
SERVICES_OFF = (
    "CANCELLATION_CLEANUP", "DB_VACUUM", "EVENT_PERSISTER", "EVENT_LOGGER", "FOREMAN",
    "LATE_RUNS", "PAUSE_EXPIRATIONS", "REPOSSESSOR", "CLEANUP_RECONCILER", "TASK_RUN_RECORDER",
    "TRIGGERS",
)  # fmt: skip
"""Prefect 3.7.7's server services but the scheduler (``settings/models/server/services.py``)."""


@pytest.fixture(scope="session")
def embedded_engine():
    """The real llama.cpp engine with the packaged Gemma 3 270M GGUF, loaded once."""
    from datagen.generators.engines import open_engine

    return open_engine("embedded")


@pytest.fixture(scope="session", autouse=True)
def prefect_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One real ``prefect server start`` on loopback for the session; its API URL is exported.

    Every ``datagen`` command the tests start in a fresh process would otherwise start its own
    ephemeral API (measured: 12 of a fake run's 20 s on a fast core, and CI's cores are about
    three times slower). The tests about the ephemeral API (killed runs leave no server behind)
    drop the variable for their command. Of the server's services only the scheduler runs
    (``datagen schedule``'s tests need its scheduled runs); the others stay off, as with
    ``--no-services``.
    """
    home = tmp_path_factory.mktemp("prefect-server-home")
    port = free_port()
    url = f"http://127.0.0.1:{port}/api"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env |= {"PREFECT_HOME": str(home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    env |= {f"PREFECT_SERVER_SERVICES_{name}_ENABLED": "false" for name in SERVICES_OFF}
    log = (home / "server.log").open("wb")
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("prefect")), "server", "start", "--host",
         "127.0.0.1", "--port", str(port), "--no-ui"],
        env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        preexec_fn=_die_with_parent,  # a pytest killed before its teardown leaves no server
    )  # fmt: skip
    try:
        deadline = time.monotonic() + SERVER_DEADLINE_S
        while not _healthy(url):
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"prefect server did not start:\n{(home / 'server.log').read_text()}")
            time.sleep(0.2)
        os.environ["PREFECT_API_URL"] = url
        yield url
    finally:
        os.environ.pop("PREFECT_API_URL", None)
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        log.close()


def _die_with_parent() -> None:
    """In the child before exec: the kernel sends SIGTERM when the test process dies."""
    import ctypes

    PR_SET_PDEATHSIG = 1
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _healthy(url: str) -> bool:
    import httpx

    try:
        return httpx.get(f"{url}/health", timeout=2).status_code == 200
    except httpx.TransportError:
        return False


@pytest.fixture(scope="session")
def prefect_harness(prefect_server: str) -> Iterator[None]:
    """Flows run in this process report to the session's Prefect server."""
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings(updates={PREFECT_API_URL: prefect_server}):
        yield
