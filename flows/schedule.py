"""``datagen schedule``: a dataset's flow, run again and again by a Prefect server.

A schedule is a Prefect deployment of ``scheduled_dataset``, one flow for every recipe: its
parameters name the recipe, hold the recipe's config as JSON and the store as an absolute
path. Each run builds the config, runs the recipe's flow body inside its own flow run (so the
version's ``flow_run_id`` is the run's, and ``prefect.runtime.deployment`` names the schedule)
and records what became of it in the catalog's ``runs`` table (``catalog/runs.py``):

- ``published``: a new version, which holds the flow run id and the deployment's name;
- ``unchanged``: the rows have the latest version's ``content_hash``, so nothing is published
  (``flows/publish.py``);
- ``failed``: the error, in ``detail``; the flow run fails too;
- ``skipped``: the deployment allows one run at a time (``concurrency_limit=1``,
  ``CANCEL_NEW``): a run due while the previous one still goes is cancelled by the server,
  never starts, so it cannot record itself. Every run, when it starts and when it ends, asks
  the server for the deployment's runs cancelled that way and records those not recorded yet;
  ``serve_schedule`` does once more when it stops.

Served (``serve_schedule``), the deployment's runs are processes of this one; for a work pool
(``deploy_to_pool``) they are processes of ``prefect worker start --pool POOL``, which imports
the flow from the installed package (a module entrypoint: no source is pushed anywhere).
Both poll the server: a poll or a prefetch window longer than the interval starts runs early,
and two at once, the second skipped, so serving polls at a fifth of the interval (1 to 10 s)
and prefetches nothing; a worker's are ``PREFECT_WORKER_QUERY_SECONDS`` and
``PREFECT_WORKER_PREFETCH_SECONDS`` (defaults 10 and 10).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

from prefect import flow
from prefect.client.schemas.objects import ConcurrencyLimitConfig, ConcurrencyLimitStrategy

from datagen.catalog import Catalog, Store
from datagen.catalog.runs import RunRecord, count_outcomes
from datagen.generators.config import from_json, to_json
from datagen.generators.recipes import Recipe, all_recipes

FLOW_NAME = "datagen-schedule"
SKIPPED_MESSAGE = "Deployment concurrency limit reached."
"""The message of the Cancelled state Prefect's server gives a run that CANCEL_NEW refused."""
START_SERVER = (
    "start one with `prefect server start` (in another terminal, or with --background) and "
    "`export PREFECT_API_URL=http://127.0.0.1:4200/api`"
)


class ScheduleError(RuntimeError):
    """A schedule cannot be registered or served; the message says what to do."""


def check_server() -> str:
    """The Prefect API URL once its server answers; ``ScheduleError`` says how to start one."""
    from prefect.settings import get_current_settings

    url = get_current_settings().api.url
    if not url:
        raise ScheduleError(
            f"schedules need a Prefect server and PREFECT_API_URL is not set: {START_SERVER}"
        )
    import httpx

    try:
        answer = httpx.get(f"{url.rstrip('/')}/health", timeout=5)
    except httpx.HTTPError as exc:
        raise ScheduleError(
            f"cannot reach the Prefect server at PREFECT_API_URL={url} ({exc}): {START_SERVER}"
        ) from None
    if answer.status_code != 200:
        raise ScheduleError(
            f"the Prefect server at PREFECT_API_URL={url} answered {answer.status_code} to "
            f"/health: is it a Prefect API (the URL ends in /api)? Or {START_SERVER}"
        )
    return url


@flow(name=FLOW_NAME)
def scheduled_dataset(recipe: str, config: dict[str, Any], store: str) -> dict[str, Any]:
    """One run of a schedule: the recipe's flow with ``config``, its outcome in ``runs``."""
    from prefect.runtime import deployment, flow_run

    chosen = all_recipes()[recipe]
    catalog = Catalog(Store(Path(store)))
    started = datetime.now(UTC)
    run = {
        "flow_run_id": str(flow_run.id),
        "dataset": chosen.dataset,
        "deployment": deployment.name,
        "started_at": started,
    }
    record_skipped_runs(catalog, dataset=chosen.dataset, deployment_id=deployment.id)
    try:
        info = chosen.load_flow().fn(from_json(chosen.config, config), store=store)
    except Exception as exc:
        detail = f"{type(exc).__name__}: {exc}".strip()[:2000]
        failed = RunRecord(**run, finished_at=datetime.now(UTC), outcome="failed", detail=detail)
        catalog.record_run(failed)
        raise
    finally:
        record_skipped_runs(catalog, dataset=chosen.dataset, deployment_id=deployment.id)
    outcome = "unchanged" if info.get("reused") else "published"
    catalog.record_run(
        RunRecord(**run, finished_at=datetime.now(UTC), outcome=outcome, version=info["version"])
    )
    return info


def record_skipped_runs(catalog: Catalog, *, dataset: str, deployment_id: str | None) -> int:
    """Record the deployment's runs that the server cancelled as collisions; how many new."""
    if not deployment_id:
        return 0
    from prefect import get_client
    from prefect.client.schemas.filters import (
        DeploymentFilter,
        DeploymentFilterId,
        FlowRunFilter,
        FlowRunFilterState,
        FlowRunFilterStateType,
    )
    from prefect.client.schemas.objects import StateType

    with get_client(sync_client=True) as client:
        cancelled = client.read_flow_runs(
            deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=[UUID(deployment_id)])),
            flow_run_filter=FlowRunFilter(
                state=FlowRunFilterState(type=FlowRunFilterStateType(any_=[StateType.CANCELLED]))
            ),
        )
        name = client.read_deployment(UUID(deployment_id)).name
    skipped = [
        RunRecord(
            flow_run_id=str(run.id),
            dataset=dataset,
            deployment=name,
            started_at=run.expected_start_time or run.created or datetime.now(UTC),
            finished_at=run.state.timestamp if run.state else None,
            outcome="skipped",
            detail=f"the previous run was still going (Prefect: {run.state.message})",
        )
        for run in cancelled
        if run.state and run.state.message == SKIPPED_MESSAGE
    ]
    return catalog.record_new_runs(skipped)


def build_deployment(
    recipe: Recipe,
    config: Any,
    *,
    store: Store,
    name: str,
    interval: float | None,
    cron: str | None,
) -> Any:
    """The schedule's deployment (not yet registered): one run at a time, the next one that
    collides cancelled (and recorded as skipped)."""
    from prefect.deployments.runner import EntrypointType

    if (interval is None) == (cron is None):
        raise ScheduleError("give one of --cron EXPR or --interval SECONDS")
    if interval is not None and interval < 1:
        raise ScheduleError(f"--interval must be at least 1 second, got {interval:g}")
    return scheduled_dataset.to_deployment(
        name=name,
        interval=timedelta(seconds=interval) if interval is not None else None,
        cron=cron,
        parameters={"recipe": recipe.name, "config": to_json(config), "store": str(store.root)},
        concurrency_limit=ConcurrencyLimitConfig(
            limit=1, collision_strategy=ConcurrencyLimitStrategy.CANCEL_NEW
        ),
        entrypoint_type=EntrypointType.MODULE_PATH,
        tags=["datagen", recipe.dataset],
        description=f"datagen schedule {recipe.name}: {recipe.help}",
    )


def serve_schedule(deployment: Any, *, interval: float | None) -> dict[str, int]:
    """Register the deployment and run its runs in this process until Ctrl-C (Prefect pauses
    the schedule then); the outcomes its runs recorded, by outcome."""
    from prefect import serve

    poll = min(10.0, max(1.0, interval / 5)) if interval else 10.0
    serve(deployment, print_starting_message=False, query_seconds=poll, prefetch_seconds=0)
    return schedule_outcomes(deployment)


def schedule_outcomes(deployment: Any) -> dict[str, int]:
    """Record the deployment's skipped runs not recorded yet; every outcome's count."""
    from prefect import get_client

    parameters = deployment.parameters
    catalog = Catalog(Store(Path(parameters["store"])))
    dataset = all_recipes()[parameters["recipe"]].dataset
    with get_client(sync_client=True) as client:
        found = client.read_deployment_by_name(f"{FLOW_NAME}/{deployment.name}")
    record_skipped_runs(catalog, dataset=dataset, deployment_id=str(found.id))
    return count_outcomes(r for r in catalog.runs(dataset) if r.deployment == deployment.name)


def deploy_to_pool(deployment: Any, *, pool: str) -> str:
    """Register the deployment for the process work pool ``pool``; its id."""
    from prefect import get_client
    from prefect.exceptions import ObjectNotFound

    with get_client(sync_client=True) as client:
        try:
            found = client.read_work_pool(pool)
        except ObjectNotFound:
            raise ScheduleError(
                f"no work pool {pool!r} on the Prefect server: create it with "
                f"`prefect work-pool create {pool} --type process`"
            ) from None
    if found.type != "process":
        raise ScheduleError(
            f"work pool {pool!r} is of type {found.type!r}; datagen schedules need a process "
            f"pool (`prefect work-pool create NAME --type process`)"
        )
    return str(deployment.apply(work_pool_name=pool))


def worker_command(pool: str, interval: float | None) -> str:
    """How to start the pool's worker, with polling fit for short intervals."""
    if interval is not None and interval < 20:
        poll = max(1, int(interval // 5))
        return (
            f"PREFECT_WORKER_QUERY_SECONDS={poll} PREFECT_WORKER_PREFETCH_SECONDS=0 "
            f"prefect worker start --pool {pool}"
        )
    return f"prefect worker start --pool {pool}"
