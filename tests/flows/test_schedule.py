"""``datagen schedule`` against the session's real ``prefect server start`` (its scheduler on).

Served: the example every 5 s with a fake engine that makes the first run outlast the
interval, so the next due run collides and is skipped; the runs after it reuse the first
run's shards and find its rows unchanged. Ctrl-C (SIGINT to the process group) ends the
command cleanly with nothing left running. For a work pool: the command registers and exits, a
``prefect worker start`` in another folder runs the runs from the installed package.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

from datagen.catalog import Catalog, Store
from datagen.catalog.runs import RunRecord

from .test_killed_run import _alive, _descendants

SLOW_ENGINE = "fake:example?delay=6"  # the first run solves 3 shards, each call waits 6 s
RUNS_DEADLINE_S = 150.0
STOP_DEADLINE_S = 60.0


def _cli(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "datagen.flows.cli", *args],
        cwd=cwd, env=env or dict(os.environ), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, start_new_session=True,
    )  # fmt: skip


def _runs(store: Path) -> list[RunRecord]:
    if not (store / "catalog.duckdb").exists():
        return []
    return Catalog(Store(store), lock_timeout=30).runs("example")


def _wait_for(
    store: Path, done: Callable[[list[RunRecord]], bool], watched: subprocess.Popen, seen: dict
) -> list[RunRecord]:
    """The runs once ``done`` holds; every descendant of ``watched`` seen meanwhile in ``seen``."""
    deadline = time.monotonic() + RUNS_DEADLINE_S
    while not done(runs := _runs(store)):
        seen.update(_descendants(watched.pid))
        if watched.poll() is not None:
            pytest.fail(f"the process ended early:\n{watched.stderr.read()[-3000:]}")
        assert time.monotonic() < deadline, f"runs so far: {[r.outcome for r in runs]}"
        time.sleep(0.5)
    return runs


def _stop(process: subprocess.Popen, seen: dict) -> tuple[int, str, str]:
    """Ctrl-C as a terminal sends it (the process group); exit code, stdout, stderr."""
    seen.update(_descendants(process.pid))
    os.killpg(process.pid, signal.SIGINT)
    try:
        out, err = process.communicate(timeout=STOP_DEADLINE_S)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        out, err = process.communicate()
        pytest.fail(f"still running {STOP_DEADLINE_S:.0f} s after SIGINT:\n{err[-3000:]}")
    deadline = time.monotonic() + 15
    while (left := _alive(set(seen))) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert left == {}, f"left running after the command ended: {left}"
    return process.returncode, out, err


def _outcomes(runs: list[RunRecord]) -> list[str]:
    return [r.outcome for r in runs]


def _delete_deployment(name: str) -> None:
    """No more runs of it on the session's server (the next tests share it). The client is
    given the server the commands were (``get_client()`` would follow this process's cached
    settings: in a full run an earlier in-process flow has left them on a temporary server)."""
    from prefect.client.orchestration import SyncPrefectClient

    with SyncPrefectClient(os.environ["PREFECT_API_URL"]) as client:
        client.delete_deployment(client.read_deployment_by_name(f"datagen-schedule/{name}").id)


def test_a_served_schedule_publishes_then_skips_and_finds_rows_unchanged(tmp_path: Path) -> None:
    store, name = tmp_path / "store", f"served-{uuid.uuid4().hex[:6]}"
    served = _cli(
        "schedule", "example", "--engine", SLOW_ENGINE, "--interval", "5", "--name", name,
        "--store", str(store), cwd=tmp_path,
    )  # fmt: skip
    seen: dict[int, str] = {}
    try:
        runs = _wait_for(store, lambda runs: "unchanged" in _outcomes(runs), served, seen)
        code, out, err = _stop(served, seen)
    finally:
        if served.poll() is None:
            os.killpg(served.pid, signal.SIGKILL)
            served.wait()
    _delete_deployment(name)

    assert code == 0, err[-3000:]
    outcomes = _outcomes(runs)
    assert outcomes[0] == "published" and "skipped" in outcomes, outcomes
    first, skipped = runs[0], runs[outcomes.index("skipped")]
    assert "previous run was still going" in (skipped.detail or "")
    assert {r.deployment for r in runs} == {name}
    unchanged = next(r for r in runs if r.outcome == "unchanged")
    assert unchanged.version == first.version == 1
    (version,) = Catalog(Store(store)).list_versions("example")  # nothing new was published
    assert (version.flow_run_id, version.deployment) == (first.flow_run_id, name)
    assert f"stopped datagen-schedule/{name}: runs published 1" in out
    assert any("prefect.engine" in command for command in seen.values()), seen


def test_a_pool_schedule_is_run_by_a_worker_from_the_installed_package(tmp_path: Path) -> None:
    pool, name = f"pool-{uuid.uuid4().hex[:6]}", f"pooled-{uuid.uuid4().hex[:6]}"
    prefect = str(Path(sys.executable).with_name("prefect"))
    subprocess.run([prefect, "work-pool", "create", pool, "--type", "process"],
                   check=True, capture_output=True, timeout=120)  # fmt: skip
    # A relative store: the deployment must hold it resolved, the worker runs elsewhere.
    registered = _cli(
        "schedule", "example", "--interval", "5", "--pool", pool, "--name", name,
        "--store", "store", cwd=tmp_path,
    )  # fmt: skip
    out, err = registered.communicate(timeout=120)
    assert registered.returncode == 0, err[-3000:]
    assert f"registered datagen-schedule/{name}" in out and f"--pool {pool}" in out

    (tmp_path / "worker").mkdir()
    env = os.environ | {"PREFECT_WORKER_QUERY_SECONDS": "1", "PREFECT_WORKER_PREFETCH_SECONDS": "0"}
    worker = subprocess.Popen(
        [prefect, "worker", "start", "--pool", pool], cwd=tmp_path / "worker", env=env,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )  # fmt: skip
    seen: dict[int, str] = {}
    try:
        runs = _wait_for(
            tmp_path / "store", lambda runs: "published" in _outcomes(runs), worker, seen
        )
        _stop(worker, seen)
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()
        _delete_deployment(name)

    published = next(r for r in runs if r.outcome == "published")
    version = Catalog(Store(tmp_path / "store")).resolve(f"example@{published.version}")
    assert (version.deployment, version.flow_run_id) == (name, published.flow_run_id)
    assert not (tmp_path / "worker" / "store").exists()


@pytest.mark.parametrize(
    ("api_url", "message"),
    [
        (None, "PREFECT_API_URL is not set"),
        ("http://127.0.0.1:9/api", "cannot reach the Prefect server at PREFECT_API_URL="),
    ],
)
def test_without_a_reachable_server_the_command_says_how_to_start_one(
    tmp_path: Path, api_url: str | None, message: str
) -> None:
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env |= {"PREFECT_HOME": str(tmp_path / "home")} | (
        {"PREFECT_API_URL": api_url} if api_url else {}
    )
    done = _cli("schedule", "example", "--interval", "5", "--store", "store", cwd=tmp_path, env=env)
    _, err = done.communicate(timeout=120)
    assert done.returncode == 2
    assert message in err and "prefect server start" in err and "export PREFECT_API_URL" in err
    assert not (tmp_path / "store").exists()
