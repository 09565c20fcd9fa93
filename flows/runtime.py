"""Prefect settings that datagen's commands need before Prefect is imported.

- No network here or on many clusters: telemetry off.
- Without ``PREFECT_API_URL`` Prefect starts an ephemeral API on one SQLite file in
  ``PREFECT_HOME``; two ``datagen run`` processes on one machine then contend for that file
  and one can fail with "database is locked" (PrefectHQ/prefect#19771). When no server is
  configured, each run gets its own Prefect home under the store's ``_prefect/`` folder, so
  concurrent runs never share a database (it is removed when the run ends, by the run's
  guard if the run was killed, or by ``catalog gc`` if the guard could not). Point
  ``PREFECT_API_URL`` at a ``prefect server start`` to keep every run's history in one place.
- ``with_runner`` puts a flow's shard tasks on threads (default) or on Ray
  (``datagen.flows.ray_runner``); Ray's workers are other processes, so they need an API URL.
"""

from __future__ import annotations

import atexit
import os
import shutil
from pathlib import Path
from typing import Any

from datagen.catalog import Store


def prepare_prefect(store: Store) -> Path | None:
    """Set Prefect's environment for this process; returns the private home if one was made."""
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    # A failed run's traceback goes to Prefect's API log (the flow run's logs), not three times
    # onto the terminal: the command line prints the error once (one line for a bad source).
    os.environ.setdefault("PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", "CRITICAL")
    # The ephemeral API gets 20 s to start by default; on a loaded 2-core machine two runs
    # starting together took longer and failed ("Timed out ... ephemeral Prefect API").
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    if os.environ.get("PREFECT_API_URL") or os.environ.get("DATAGEN_SHARED_PREFECT_HOME"):
        return None
    home = store.prefect_home()
    os.environ["PREFECT_HOME"] = str(home)
    os.environ["PREFECT_MEMO_STORE_PATH"] = str(home / "memo_store.toml")
    atexit.register(shutil.rmtree, home, ignore_errors=True)
    return home


def with_runner(flow: Any, *, runner: str, ray_address: str | None) -> Any:
    """The flow with its shard tasks on the chosen task runner ('threads' is the default).

    'ray' first gives the Ray workers a Prefect API they can report task runs to (see
    ``api_for_workers``), then joins the cluster at ``ray_address`` (or starts one on this
    machine) and returns the flow on a ``ShardTaskRunner``.
    """
    if runner == "threads":
        if ray_address:
            raise ValueError("--ray-address needs --runner ray")
        return flow
    if runner != "ray":
        raise ValueError(f"unknown runner {runner!r}: use 'threads' or 'ray'")
    try:
        from datagen.flows.ray_runner import ShardTaskRunner, connect
    except ImportError as exc:
        raise ValueError(
            f"--runner ray needs Ray and prefect-ray ({exc}): pip install 'datagen[ray]'"
        ) from exc
    connect(ray_address, api_url=api_for_workers())
    return flow.with_options(task_runner=ShardTaskRunner(address=ray_address))


def api_for_workers() -> str:
    """A Prefect API URL that processes other than this one can reach.

    Without ``PREFECT_API_URL`` Prefect's ephemeral API is private to a process: a Ray worker
    would start its own (measured: every task then timed out waiting for it). So the
    ephemeral server is started here, on 127.0.0.1, and its URL becomes this process's
    ``PREFECT_API_URL``; Prefect serialises its settings into every task it sends to Ray, and
    ``connect`` also exports the URL to the workers' environment. Workers on other machines
    cannot reach 127.0.0.1: point ``PREFECT_API_URL`` at a ``prefect server start --host
    0.0.0.0`` for those (``connect`` refuses a loopback URL for a multi-machine cluster).
    """
    if url := os.environ.get("PREFECT_API_URL"):
        return url
    from prefect.context import refresh_global_settings_context
    from prefect.server.api.server import SubprocessASGIServer

    server = SubprocessASGIServer()  # the instance Prefect's own clients would start
    server.start()
    os.environ["PREFECT_API_URL"] = server.api_url
    refresh_global_settings_context()
    return server.api_url
