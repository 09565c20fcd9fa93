"""Shard tasks on a Ray cluster: Prefect's ``RayTaskRunner`` with datagen's placement rules.

- **Reaching Prefect.** Ray workers report task runs to the API whose URL ``connect`` exports
  to them (``runtime.api_for_workers`` makes one when none is configured); a loopback URL is
  refused when the cluster spans machines, since their workers could not reach it.
- **One engine per worker.** ``open_engine`` keeps one engine per process and spec, and Ray
  reuses a worker process for later tasks, so a model loads once per worker, not per shard.
  Ray does not reuse GPU workers by default (``max_calls=1``): generation tasks on a vLLM
  engine ask for ``max_calls=0`` and for the GPUs the engine spans (``tp``), when the
  cluster has GPUs at all (the CPU build of vLLM needs none).
- **Same GPUs, or stop.** CUDA binds a process to the devices it saw first, but Ray may hand
  a reused worker a task with other GPU ids (ray-project/ray#3245). A worker whose engine
  holds other GPUs than its task was given fails that task with an explanation instead of
  loading a second engine onto busy memory; docs/scale-out.md shows the layout that avoids
  it (one Ray node per engine).
- **Crashes.** A shard task whose worker dies (killed, out of memory, node lost) is run again
  by Ray, up to ``SHARD_TASK_RETRIES`` times, under the same Prefect task run; its output is
  written atomically under its work key, so a rerun neither loses nor duplicates records.
- **Plug-in engines.** Kinds added with ``register_engine`` exist only in the process that
  registered them: ``DATAGEN_RAY_WORKER_SETUP=package.module.function`` names a function every
  Ray worker runs first (Ray's ``worker_process_setup_hook``), e.g. one that registers them.
"""

from __future__ import annotations

import ipaddress
import logging
import os
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

from prefect_ray import RayTaskRunner
from prefect_ray.context import remote_options

from datagen.flows.stages import ShardStage
from datagen.generators.engines import parse_engine_spec

SHARD_TASK_RETRIES = 3
"""Times Ray reruns a shard task whose worker process died (Prefect's ``retries`` cover
exceptions the task raises; this covers the process vanishing)."""

WORKER_SETUP_VAR = "DATAGEN_RAY_WORKER_SETUP"
FORWARDED_VARS = (
    "PREFECT_API_URL",
    "PREFECT_LOGGING_LEVEL",
    "PREFECT_SERVER_ANALYTICS_ENABLED",
    "DO_NOT_TRACK",
)
FORWARDED_PREFIXES = ("DATAGEN_", "VLLM_")
"""This process's variables that Ray workers get too: where Prefect's API is, telemetry off,
and the user's datagen and vLLM settings (e.g. ``VLLM_CPU_KVCACHE_SPACE``)."""


def worker_env(environ: Mapping[str, str]) -> dict[str, str]:
    """The variables of ``environ`` that Ray workers need (``FORWARDED_*``)."""
    return {
        name: value
        for name, value in environ.items()
        if name in FORWARDED_VARS or name.startswith(FORWARDED_PREFIXES)
    }


def connect(address: str | None, *, api_url: str) -> None:
    """Join the Ray cluster at ``address`` (None: ``RAY_ADDRESS`` or a new local one)."""
    import ray

    if not ray.is_initialized():
        runtime_env: dict[str, Any] = {"env_vars": worker_env(os.environ)}
        if setup := os.environ.get(WORKER_SETUP_VAR):
            runtime_env["worker_process_setup_hook"] = setup
        ray.init(
            address=address,
            runtime_env=runtime_env,
            namespace="prefect",
            logging_level=logging.WARNING,
        )
    check_api_reachable(
        api_url,
        node_ips=[n["NodeManagerAddress"] for n in ray.nodes() if n["Alive"]],
        driver_ip=ray.util.get_node_ip_address(),
    )


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_api_reachable(api_url: str, *, node_ips: Iterable[str], driver_ip: str) -> None:
    """Refuse a loopback API URL when some Ray node is another machine than this one."""
    host = urlsplit(api_url).hostname or ""
    if not _is_loopback(host):
        return
    remote = sorted({ip for ip in node_ips if ip != driver_ip and not _is_loopback(ip)})
    if remote:
        raise ValueError(
            f"the Prefect API at {api_url} is only reachable from this machine, but Ray nodes "
            f"{', '.join(remote)} are other machines: run `prefect server start --host 0.0.0.0` "
            "on a machine they can reach and set PREFECT_API_URL=http://HOST:4200/api "
            "(docs/scale-out.md)"
        )


def engine_gpus(engine: str) -> int:
    """GPUs one process's engines for ``engine`` hold: ``tp`` per vLLM engine, 0 otherwise."""
    total = 0
    for part in engine.split("+"):
        spec = parse_engine_spec(part)
        if spec.kind == "vllm":
            tp = spec.options.get("tp", "1")
            if not tp.isdigit() or int(tp) < 1:
                raise ValueError(f"engine spec {part!r}: tp must be a whole number >= 1")
            total += int(tp)
    return total


def shard_task_options(stage: Any, *, node_gpus: float) -> dict[str, Any]:
    """Ray options for one shard task: retries always; GPUs for a vLLM generation stage.

    ``node_gpus`` is the most GPUs any node has: 0 means a CPU cluster (no GPU request,
    which would never be granted), and a request above it could never be placed.
    """
    options: dict[str, Any] = {"max_retries": SHARD_TASK_RETRIES}
    engine = stage.config.get("engine") if isinstance(stage, ShardStage) else None
    gpus = engine_gpus(engine) if isinstance(engine, str) and node_gpus > 0 else 0
    if gpus > node_gpus:
        raise ValueError(
            f"engine {engine!r} needs {gpus} GPUs in one process, but no Ray node has more "
            f"than {node_gpus:g}"
        )
    if gpus:
        options |= {"num_gpus": gpus, "max_calls": 0}  # keep the worker, and its engine
    return options


def check_same_gpus(held: tuple[str, ...] | None, given: tuple[str, ...]) -> tuple[str, ...] | None:
    """The GPU ids this worker holds once a task given ``given`` starts (see module doc)."""
    if not given:  # a CPU task
        return held
    if held is None or held == given:
        return given
    raise RuntimeError(
        f"this Ray worker's engine holds GPUs {list(held)}, but Ray gave its next shard GPUs "
        f"{list(given)}: a process cannot move to other GPUs. Start one Ray node per engine "
        "(`ray start --num-gpus=TP` with CUDA_VISIBLE_DEVICES set to its GPUs, "
        "docs/scale-out.md), or serve the model with `vllm serve` and use the openai engine"
    )


_held_gpus: tuple[str, ...] | None = None
"""In a Ray worker: the GPU ids of the first GPU task it ran (its engine's GPUs)."""


class ShardTaskRunner(RayTaskRunner):
    """``RayTaskRunner`` that places each shard task by ``shard_task_options``."""

    def __init__(self, address: str | None = None, init_kwargs: dict[str, Any] | None = None):
        super().__init__(address=address, init_kwargs=init_kwargs)
        self._node_gpus: float | None = None

    def submit(self, task: Any, parameters: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        if self._node_gpus is None:
            import ray

            nodes = [n for n in ray.nodes() if n["Alive"]]
            self._node_gpus = max((n["Resources"].get("GPU", 0.0) for n in nodes), default=0.0)
        options = shard_task_options(parameters.get("stage"), node_gpus=self._node_gpus)
        with remote_options(**options):
            return super().submit(task, parameters, *args, **kwargs)

    @staticmethod
    def _run_prefect_task(*upstream_ray_obj_refs: Any, **kwargs: Any) -> Any:
        """Runs in the Ray worker: check its GPUs, then run the Prefect task as usual."""
        import ray

        global _held_gpus
        _held_gpus = check_same_gpus(_held_gpus, tuple(str(i) for i in ray.get_gpu_ids()))
        return RayTaskRunner._run_prefect_task(*upstream_ray_obj_refs, **kwargs)
