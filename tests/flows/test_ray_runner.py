"""``--runner ray`` on a real two-node Ray cluster (a head and a worker node on 127.0.0.1).

The flow runs through the ``datagen`` command line on ``ray-fake`` (``ray_fakes``), a named
fake engine that logs where each shard ran and can kill its own worker; the same run on the
threads runner is the reference. The placement rules are plain functions, tested as tables.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from datagen.catalog import Catalog, Store
from datagen.flows.ray_runner import (
    SHARD_TASK_RETRIES,
    check_api_reachable,
    check_same_gpus,
    engine_gpus,
    shard_task_options,
    worker_env,
)
from datagen.flows.runtime import with_runner
from datagen.flows.stages import ShardStage
from tests.ports import free_port

from .ray_fakes import KIND, read_calls

ROOT = Path(__file__).resolve().parents[2]
RAY = Path(sys.executable).with_name("ray")
TASKS, SHARD_SIZE = 12, 2
SHARDS = TASKS // SHARD_SIZE
CLUSTER_ENV = {
    "RAY_AUTH_MODE": "disabled",  # a throwaway cluster on 127.0.0.1; no token to hand out
    "RAY_USAGE_STATS_ENABLED": "0",
    "PYTHONPATH": str(ROOT),  # workers import the fake engine's module (tests.flows.ray_fakes)
}


class LocalRayCluster:
    """``ray start --block`` for a head and one worker node, one CPU each.

    Each node is its own process group, killed whole at the end: ``ray stop`` would stop every
    Ray on the machine, and a SIGTERM'd node drains for up to 30 s.
    """

    def __init__(self, logs: Path) -> None:
        self.temp_dir = Path(tempfile.mkdtemp(prefix="rt", dir="/tmp"))  # socket paths: short
        self.address = f"127.0.0.1:{free_port()}"
        self.logs = logs
        self.nodes: list[tuple[subprocess.Popen, Path]] = []
        self._start("head", "--head", f"--port={self.address.split(':')[1]}",
                    f"--ray-client-server-port={free_port()}", "--include-dashboard=false",
                    f"--temp-dir={self.temp_dir}")  # fmt: skip
        self._ready = False

    def _start(self, name: str, *args: str) -> None:
        log = self.logs / f"ray-{name}.log"
        process = subprocess.Popen(
            [str(RAY), "start", "--block", "--node-ip-address=127.0.0.1", "--num-cpus=1",
             "--disable-usage-stats", f"--dashboard-agent-listen-port={free_port()}", *args],
            env=os.environ | CLUSTER_ENV, cwd=ROOT, stdout=log.open("w"),
            stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        self.nodes.append((process, log))

    def _wait_started(self, process: subprocess.Popen, log: Path) -> None:
        deadline = time.monotonic() + 120
        while "Ray runtime started" not in log.read_text():
            assert process.poll() is None, f"ray start failed:\n{log.read_text()[-3000:]}"
            assert time.monotonic() < deadline, f"ray start timed out:\n{log.read_text()[-3000:]}"
            time.sleep(0.2)

    def wait(self) -> str:
        """The cluster's address once both nodes are up (the worker starts after the head)."""
        if not self._ready:
            self._wait_started(*self.nodes[0])
            self._start("worker", f"--address={self.address}")
            self._wait_started(*self.nodes[1])
            self._ready = True
        return self.address

    def stop(self) -> None:
        for process, _ in self.nodes:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        shutil.rmtree(self.temp_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def ray_cluster(tmp_path_factory) -> Iterator[LocalRayCluster]:
    """Starts the nodes and returns at once: they boot while the threads reference runs."""
    cluster = LocalRayCluster(tmp_path_factory.mktemp("ray-logs"))
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(scope="session")
def fake_folder(tmp_path_factory) -> Path:
    """The fake engine's shared folder: a JSONL source and its right answers."""
    folder = tmp_path_factory.mktemp("ray-fake")
    subprocess.run(
        [sys.executable, "-m", "tests.flows.ray_fakes", "prepare", str(folder), str(TASKS)],
        cwd=ROOT, check=True, timeout=120,
    )  # fmt: skip
    return folder


def run_toolpref(folder: Path, store: Path, *extra: str) -> subprocess.CompletedProcess:
    """``datagen run toolpref`` on the fake engine; the fake's call log is emptied first."""
    shutil.rmtree(folder / "calls", ignore_errors=True)
    env = (
        os.environ
        | CLUSTER_ENV
        | {
            "DATAGEN_STORE": str(store),
            "DATAGEN_RAY_WORKER_SETUP": "tests.flows.ray_fakes.register",
        }
    )
    module = "datagen.flows.cli" if "--runner" in extra else "tests.flows.ray_fakes"
    done = subprocess.run(
        [sys.executable, "-m", module, "run", "toolpref", "--source", str(folder / "tasks.jsonl"),
         "--samples", "2", "--shard-size", str(SHARD_SIZE), "--engine", f"{KIND}:{folder}",
         *extra],
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-4000:]
    return done


def _rows(store: Path) -> list[dict]:
    return sorted(
        Catalog(Store(store)).read("toolpref-pairwise@1").to_pylist(), key=lambda r: r["row_id"]
    )


@pytest.fixture(scope="session")
def threads_rows(fake_folder: Path, ray_cluster: LocalRayCluster, tmp_path_factory) -> list[dict]:
    """The published rows of the threads runner's run (the cluster boots meanwhile)."""
    store = tmp_path_factory.mktemp("threads-store")
    run_toolpref(fake_folder, store)
    calls = read_calls(fake_folder)
    assert len(calls) == SHARDS and {c["node"] for c in calls} == {None}, "ran in this process"
    rows = _rows(store)
    assert rows, "the reference run must publish rows"
    return rows


@pytest.mark.slow
def test_a_ray_run_spreads_shards_over_both_nodes_and_publishes_the_threads_runs_rows(
    ray_cluster: LocalRayCluster, threads_rows: list[dict], fake_folder: Path, tmp_path: Path
) -> None:
    address = ray_cluster.wait()
    run_toolpref(fake_folder, tmp_path / "store", "--runner", "ray", "--ray-address", address)

    calls = read_calls(fake_folder)
    assert len(calls) == SHARDS
    assert None not in {c["node"] for c in calls}, "every shard ran in a Ray worker"
    assert len({c["node"] for c in calls}) == 2, "both nodes generated shards"
    engines_by_pid = {pid: {c["engine"] for c in calls if c["pid"] == pid} for pid in
                      {c["pid"] for c in calls}}  # fmt: skip
    assert all(len(e) == 1 for e in engines_by_pid.values()), "one engine per worker process"
    assert max(Counter(c["pid"] for c in calls).values()) >= 2, "a worker reused its engine"
    assert _rows(tmp_path / "store") == threads_rows


@pytest.mark.slow
def test_a_worker_killed_mid_shard_is_retried_and_nothing_is_lost_or_duplicated(
    ray_cluster: LocalRayCluster, threads_rows: list[dict], fake_folder: Path, tmp_path: Path
) -> None:
    address = ray_cluster.wait()
    kill = fake_folder / "kill-next"
    kill.touch()
    try:
        run_toolpref(fake_folder, tmp_path / "store", "--runner", "ray", "--ray-address", address)
        assert not kill.exists(), "a worker was killed"
    finally:
        kill.unlink(missing_ok=True)  # never left armed for another test
    calls = read_calls(fake_folder)
    shards = Counter(c["first_request"] for c in calls)
    assert len(shards) == SHARDS, "every shard was generated"
    assert sorted(shards.values()) == [1] * (SHARDS - 1) + [2], "only the killed one twice"
    entries = list((tmp_path / "store" / "_work" / "toolpref-generate").glob("*/meta.json"))
    assert len(entries) == SHARDS, "one stored output per shard"
    rows = _rows(tmp_path / "store")
    assert len({r["row_id"] for r in rows}) == len(rows)
    assert rows == threads_rows


# -- placement rules, as tables -----------------------------------------------------------


@pytest.mark.parametrize(
    ("api_url", "node_ips", "refused"),
    [
        ("http://127.0.0.1:8123/api", ["10.0.0.5", "10.0.0.5"], False),  # one machine
        ("http://127.0.0.1:8123/api", ["127.0.0.1"], False),
        ("http://127.0.0.1:8123/api", ["10.0.0.5", "10.0.0.6"], True),
        ("http://localhost:4200/api", ["10.0.0.5", "10.0.0.6"], True),
        ("http://[::1]:4200/api", ["10.0.0.6"], True),
        ("http://10.0.0.5:4200/api", ["10.0.0.5", "10.0.0.6"], False),  # a real server
        ("http://prefect.internal:4200/api", ["10.0.0.6"], False),
        ("https://api.prefect.cloud/api/accounts/a/workspaces/w", ["10.0.0.6"], False),
    ],
)
def test_a_loopback_api_is_refused_only_for_a_cluster_of_several_machines(
    api_url: str, node_ips: list[str], refused: bool
) -> None:
    if refused:
        with pytest.raises(
            ValueError,
            match=r"Ray nodes 10\.0\.0\.6 are other.*prefect server start --host 0\.0\.0\.0",
        ):
            check_api_reachable(api_url, node_ips=node_ips, driver_ip="10.0.0.5")
    else:
        check_api_reachable(api_url, node_ips=node_ips, driver_ip="10.0.0.5")


def _noop() -> None:
    pass


def _stage(engine: str | None) -> ShardStage:
    config = {"engine": engine, "max_tokens": 8} if engine is not None else {}
    return ShardStage(name="s", run=len, output_schema="x", config=config)


@pytest.mark.parametrize(
    ("stage", "node_gpus", "extra"),
    [
        (None, 8, {}),  # not a shard task
        ("not a stage", 8, {}),
        (_stage(None), 8, {}),  # scoring: no engine
        (_stage("embedded"), 8, {}),
        (_stage("openai:http://a/v1,http://b/v1?model=m"), 8, {}),
        (_stage("vllm:/models/m"), 8, {"num_gpus": 1, "max_calls": 0}),
        (_stage("vllm:/models/m?tp=4&seed=1"), 8, {"num_gpus": 4, "max_calls": 0}),
        (_stage("vllm:/m/a?tp=2+vllm:/m/b"), 8, {"num_gpus": 3, "max_calls": 0}),
        (_stage("vllm:/m/a+embedded"), 1, {"num_gpus": 1, "max_calls": 0}),
        (_stage("vllm:/models/m?tp=4"), 0, {}),  # a CPU cluster: the CPU build of vLLM
    ],
)
def test_shard_task_options(stage: object, node_gpus: float, extra: dict) -> None:
    import ray

    options = shard_task_options(stage, node_gpus=node_gpus)
    assert options == {"max_retries": SHARD_TASK_RETRIES, **extra}
    ray.remote(**options)(_noop)  # Ray accepts them (it refuses unknown or malformed ones)


@pytest.mark.parametrize(
    ("engine", "node_gpus", "error"),
    [
        ("vllm:/models/m?tp=4", 2, "needs 4 GPUs in one process, but no Ray node has more than 2"),
        ("vllm:/models/m?tp=0", 8, "tp must be a whole number >= 1"),
        ("vllm:/models/m?tp=two", 8, "tp must be a whole number >= 1"),
        ("vllm:/models/m?tp=-1", 8, "tp must be a whole number >= 1"),
        ("nope:x", 8, "unknown engine 'nope'"),
    ],
)
def test_impossible_gpu_requests_are_refused(engine: str, node_gpus: float, error: str) -> None:
    with pytest.raises(ValueError, match=error):
        shard_task_options(_stage(engine), node_gpus=node_gpus)


@pytest.mark.parametrize(
    ("engine", "gpus"),
    [("embedded", 0), ("vllm:m", 1), ("vllm:m?tp=8", 8), (" vllm:m?tp=2 + vllm:n?tp=2 ", 4)],
)
def test_engine_gpus(engine: str, gpus: int) -> None:
    assert engine_gpus(engine) == gpus


@pytest.mark.parametrize(
    ("held", "given", "after"),
    [
        (None, (), None),  # CPU tasks only
        (None, ("0",), ("0",)),  # the first GPU task pins the worker
        (("0",), ("0",), ("0",)),
        (("2", "3"), ("2", "3"), ("2", "3")),
        (("0",), (), ("0",)),  # a CPU task on a GPU worker changes nothing
    ],
)
def test_a_worker_keeps_its_gpus(held, given, after) -> None:
    assert check_same_gpus(held, given) == after


@pytest.mark.parametrize(("held", "given"), [(("0",), ("1",)), (("0", "1"), ("1", "0"))])
def test_a_worker_handed_other_gpus_fails_the_task_with_the_fix(held, given) -> None:
    with pytest.raises(RuntimeError, match="one Ray node per engine"):
        check_same_gpus(held, given)


def test_workers_get_prefects_url_and_the_users_datagen_and_vllm_settings_only() -> None:
    environ = {
        "PREFECT_API_URL": "http://127.0.0.1:8123/api",
        "PREFECT_LOGGING_LEVEL": "WARNING",
        "DO_NOT_TRACK": "1",
        "PREFECT_HOME": "/store/_prefect/run-1",  # this process's private home
        "DATAGEN_STORE": "/shared/store",
        "VLLM_CPU_KVCACHE_SPACE": "4",
        "HOME": "/root",
        "PATH": "/usr/bin",
        "XVLLM_NOT": "1",
    }
    assert worker_env(environ) == {
        "PREFECT_API_URL": "http://127.0.0.1:8123/api",
        "PREFECT_LOGGING_LEVEL": "WARNING",
        "DO_NOT_TRACK": "1",
        "DATAGEN_STORE": "/shared/store",
        "VLLM_CPU_KVCACHE_SPACE": "4",
    }


@pytest.mark.parametrize(
    ("runner", "address", "error"),
    [
        ("dask", None, "unknown runner 'dask'"),
        ("", None, "unknown runner ''"),
        ("threads", "10.0.0.5:6379", "--ray-address needs --runner ray"),
    ],
)
def test_bad_runner_choices_are_refused(runner: str, address: str | None, error: str) -> None:
    with pytest.raises(ValueError, match=error):
        with_runner(object(), runner=runner, ray_address=address)


def test_the_threads_runner_leaves_the_flow_as_it_is() -> None:
    flow = object()
    assert with_runner(flow, runner="threads", ray_address=None) is flow
