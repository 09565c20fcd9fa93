"""The ``datagen`` command line.

Commands that run no flow (catalog, export, verify) never import Prefect, so they start fast
and work while another process holds Prefect's database.
"""

from __future__ import annotations

import inspect
import json
import os
import sys
import typing
from collections.abc import Callable, Iterable
from enum import StrEnum
from functools import partial
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from datagen.generators.config import fields_of, is_tuple_type
from datagen.generators.recipes import Recipe, all_recipes

app = typer.Typer(
    help="Generate, verify, version and export LLM post-training datasets.", no_args_is_help=True
)
run_app = typer.Typer(
    help="Run a dataset flow and publish a new version into the catalog.", no_args_is_help=True
)
catalog_app = typer.Typer(
    help="List, inspect, query and clean the dataset catalog.", no_args_is_help=True
)
verify_app = typer.Typer(
    help="Score records with datagen's verifiers (JSON lines in, JSON lines out).",
    no_args_is_help=True,
)
schedule_app = typer.Typer(
    help="Run a dataset flow on a schedule of a Prefect server (needs PREFECT_API_URL): "
    "served by this process, or by a process work pool's worker (--pool).",
    no_args_is_help=True,
)
app.add_typer(run_app, name="run")
app.add_typer(schedule_app, name="schedule")
app.add_typer(catalog_app, name="catalog")
serve_app = typer.Typer(help="Serve what trainers call during RL rollouts.", no_args_is_help=True)
app.add_typer(verify_app, name="verify")
app.add_typer(serve_app, name="serve")
eval_app = typer.Typer(
    help="Evaluate against a catalog version; the figures are stored beside it.",
    no_args_is_help=True,
)
app.add_typer(eval_app, name="eval")

out = Console()
err = Console(stderr=True)

StoreOption = Annotated[
    str | None,
    typer.Option("--store", envvar="DATAGEN_STORE", help="Store folder (default ./datagen-store)."),
]


RunnerOption = Annotated[
    str, typer.Option(help="Where shard tasks run: 'threads' (this process) or 'ray'.")
]
RayAddressOption = Annotated[
    str | None,
    typer.Option(help="Ray cluster to join with --runner ray (host:port); default: a local one."),
]


def _catalog(store: str | None):
    from datagen.catalog import Catalog, Store

    return Catalog(Store.resolve(store))


def _fail(message: str, code: int = 1) -> typer.Exit:
    """Print ``message`` as it is (no markup, no wrapping) after ``error:``; the exit to raise."""
    err.print(f"[red]error:[/red] {escape(message)}", soft_wrap=True)
    return typer.Exit(code)


def _run_flow(
    recipe: Recipe, config: Any, *, store: str | None, runner: str, ray_address: str | None
) -> None:
    """Run a recipe's flow with its config, for a ``datagen run`` command.

    Prefect is set up for the store before it is imported, a guard ends every process the run
    starts once the run ends (``run_guard``), the flow goes on the chosen task runner,
    progress shows on stderr; a source that cannot be read exits 2 with one line, and a run
    whose filters left nothing exits 3.
    """
    from datagen.catalog import Store
    from datagen.flows.run_guard import guard_run
    from datagen.flows.runtime import prepare_prefect, with_runner

    home = prepare_prefect(Store.resolve(store))
    guard_run(remove=[home] if home else [])
    from datagen.flows.progress_bars import progress_bars
    from datagen.flows.publish import EmptyDatasetError
    from datagen.schemas.records import SourceError

    flow = with_runner(recipe.load_flow(), runner=runner, ray_address=ray_address)
    try:
        with progress_bars(err):
            info = flow(config, store=store)
    except SourceError as exc:
        raise _fail(f"cannot read the source: {exc}", code=2) from None
    except EmptyDatasetError as exc:
        raise _fail(str(exc), code=3) from None
    for published in (info, *info.get("companions", ())):
        again = " (already published: unchanged)" if published.get("reused") else ""
        out.print(f"published [bold]{published['ref']}[/bold]: {published['rows']} rows{again}")


RUN_OPTIONS = {"store": StoreOption, "runner": RunnerOption, "ray_address": RayAddressOption}
RUN_DEFAULTS = {"store": None, "runner": "threads", "ray_address": None}


def _option_type(kind: Any) -> Any:
    """How a config field's type is typed on the command line: a tuple is a repeatable text
    option, each value itself ``a,b,c`` (``--source A --source B,C`` is three sources)."""
    return list[str] if is_tuple_type(kind) else kind


def _config_from_options(recipe: Recipe, options: dict[str, Any]) -> Any:
    """The recipe's config from the command line's values; a bad value exits 2, naming it."""
    values = {}
    for name, kind, _, _ in fields_of(recipe.config):
        value = options[name]
        if is_tuple_type(kind) and isinstance(value, list | tuple):
            value = _tuple_value(name, typing.get_args(kind)[0], value)
        values[name] = value
    try:
        return recipe.config(**values)
    except ValueError as exc:
        raise _fail(f"invalid options for datagen run {recipe.name}: {exc}", code=2) from None


def _tuple_value(name: str, item: type, given: list[str] | tuple[str, ...]) -> tuple:
    """A tuple option's values, in the order given, each given value split on commas."""
    parts = []
    for text in given:
        try:
            parts += [item(part.strip()) for part in str(text).split(",") if part.strip()]
        except ValueError:
            raise _fail(
                f"--{name.replace('_', '-')}: {text!r} is not a list of {item.__name__}", 2
            ) from None
    return tuple(parts)


def _add_recipe_command(
    group: typer.Typer,
    recipe: Recipe,
    *,
    options: dict[str, Any],
    defaults: dict[str, Any],
    action: Callable[..., None],
) -> None:
    """``datagen GROUP NAME``: one option per field of the recipe's config (declared once, for
    ``run`` and ``schedule``), then ``options``; ``action(recipe, config, **options)``."""
    parameters, annotations = [], {}
    for name, kind, default, help_text in fields_of(recipe.config):
        shown = [str(value) for value in default] if is_tuple_type(kind) else default
        metavar = "A[,B...]" if is_tuple_type(kind) else None  # repeatable too
        annotation = Annotated[_option_type(kind), typer.Option(help=help_text, metavar=metavar)]
        parameters.append(
            inspect.Parameter(
                name, inspect.Parameter.KEYWORD_ONLY, default=shown, annotation=annotation
            )
        )
        annotations[name] = annotation
    for name, annotation in options.items():
        parameters.append(
            inspect.Parameter(
                name,
                inspect.Parameter.KEYWORD_ONLY,
                default=defaults[name],
                annotation=annotation,
            )
        )
        annotations[name] = annotation

    def command(**given: Any) -> None:
        where = {name: given.pop(name) for name in options}
        # looked up when called, not when registered, so a test can replace the module's action
        globals()[action.__name__](recipe, _config_from_options(recipe, given), **where)

    command.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    command.__annotations__ = annotations
    command.__doc__ = recipe.help
    command.__name__ = f"{action.__name__.strip('_')}_{recipe.name}"
    group.command(recipe.name)(command)


SCHEDULE_OPTIONS = {
    "cron": Annotated[
        str | None, typer.Option(help="Cron expression of the runs ('*/15 * * * *'), in UTC.")
    ],
    "interval": Annotated[
        float | None, typer.Option(min=1, help="Seconds between runs (instead of --cron).")
    ],
    "pool": Annotated[
        str | None,
        typer.Option(
            help="Register for this process work pool and exit; `prefect worker start --pool "
            "POOL` runs the runs. Default: serve them in this process until Ctrl-C."
        ),
    ],
    "name": Annotated[
        str | None, typer.Option(help="Deployment name (default: the dataset's command name).")
    ],
    "store": StoreOption,
}
SCHEDULE_DEFAULTS = dict.fromkeys(SCHEDULE_OPTIONS)


def _schedule_flow(
    recipe: Recipe,
    config: Any,
    *,
    cron: str | None,
    interval: float | None,
    pool: str | None,
    name: str | None,
    store: str | None,
) -> None:
    """Register a recipe's schedule on the Prefect server of ``PREFECT_API_URL``: serve its
    runs here until Ctrl-C, or leave them to a process work pool's worker."""
    from datagen.catalog import Store

    where = Store.resolve(store)  # absolute: a worker runs in a folder of its own
    if os.environ.get("PREFECT_API_URL"):  # else no private home: a profile may name a server
        from datagen.flows.runtime import prepare_prefect

        prepare_prefect(where)
    from datagen.flows.schedule import (
        FLOW_NAME,
        ScheduleError,
        build_deployment,
        check_server,
        deploy_to_pool,
        serve_schedule,
        worker_command,
    )

    every = f"every {interval:g} s" if interval is not None else f"on cron {cron!r}"
    try:
        url = check_server()
        deployment = build_deployment(
            recipe, config, store=where, name=name or recipe.name, interval=interval, cron=cron
        )
        if pool is not None:
            deploy_to_pool(deployment, pool=pool)
    except ScheduleError as exc:
        raise _fail(str(exc), code=2) from None
    full = f"{FLOW_NAME}/{deployment.name}"
    if pool is not None:
        out.print(
            f"registered {full} ({every}) for work pool {pool} at {url}; start its worker: "
            f"{worker_command(pool, interval)}",
            soft_wrap=True,
            markup=False,
        )
        return
    from datagen.flows.run_guard import guard_run

    guard_run()
    err.print(f"serving {full} ({every}) from {url}; Ctrl-C stops", soft_wrap=True, markup=False)
    counts = serve_schedule(deployment, interval=interval)
    summary = ", ".join(f"{outcome} {n}" for outcome, n in counts.items())
    out.print(f"stopped {full}: runs {summary}", soft_wrap=True, markup=False)


for _recipe in all_recipes().values():
    _add_recipe_command(
        run_app, _recipe, options=RUN_OPTIONS, defaults=RUN_DEFAULTS, action=_run_flow
    )
    _add_recipe_command(
        schedule_app,
        _recipe,
        options=SCHEDULE_OPTIONS,
        defaults=SCHEDULE_DEFAULTS,
        action=_schedule_flow,
    )


@catalog_app.command("ls")
def catalog_ls(
    name: Annotated[
        str | None, typer.Argument(help="List this dataset's versions instead.")
    ] = None,
    store: StoreOption = None,
) -> None:
    """List datasets (or one dataset's versions); ``tokens`` is prompt+completion tokens its
    engines spent (the latest version's), with the cost when the engine specs gave prices."""
    from datagen.catalog import CatalogError
    from datagen.catalog.tokens import tokens_text

    catalog = _catalog(store)
    try:
        tokens = catalog.token_totals()
        if name is None:
            table = Table("dataset", "versions", "latest", "rows", "tokens", "created")
            for d in catalog.list_datasets():
                table.add_row(
                    d.name,
                    str(d.versions),
                    str(d.latest_version),
                    str(d.latest_rows),
                    tokens_text(tokens.get((d.name, d.latest_version))),
                    str(d.created_at)[:19],
                )
        else:
            table = Table("version", "rows", "bytes", "tokens", "schema", "created", "flow run")
            for v in catalog.list_versions(name):
                table.add_row(
                    f"{v.dataset}@{v.version}",
                    str(v.row_count),
                    str(v.bytes),
                    tokens_text(tokens.get((v.dataset, v.version))),
                    v.schema_id,
                    str(v.created_at)[:19],
                    v.flow_run_id or "",
                )
    except CatalogError as exc:
        raise _fail(str(exc)) from None
    out.print(table)


@catalog_app.command("show")
def catalog_show(
    ref: Annotated[str, typer.Argument(help="NAME, NAME@latest, NAME@N or NAME@TAG.")],
    store: StoreOption = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print JSON instead of a summary.")
    ] = False,
) -> None:
    """Show one version: size, parameters, lineage, stage counts, quarantine, tokens."""
    from datagen.catalog import CatalogError

    try:
        shown = _catalog(store).show(ref)
    except CatalogError as exc:
        raise _fail(str(exc)) from None
    if as_json:
        out.print_json(json.dumps(shown, default=str))
        return
    from datagen.flows.render import render_show

    render_show(out, shown)


@catalog_app.command("card")
def catalog_card(
    ref: Annotated[str, typer.Argument(help="NAME, NAME@latest, NAME@N or NAME@TAG.")],
    store: StoreOption = None,
) -> None:
    """Write a version's dataset card (README.md with Hugging Face front matter, and plots/)
    into its folder, replacing the one it has: for versions published before cards."""
    from datagen.catalog import CatalogError
    from datagen.catalog.card import publish_card, read_card
    from datagen.generators.recipes import card_spec

    catalog = _catalog(store)
    try:
        info = catalog.resolve(ref)
        path = publish_card(catalog, info.ref, spec=card_spec(info.dataset))
    except CatalogError as exc:
        raise _fail(str(exc)) from None
    card = read_card(path.parent)
    plots = len(card.plots) if card else 0
    out.print(f"wrote the card of {info.ref} to {path} ({plots} plots)", soft_wrap=True)


@catalog_app.command("diff")
def catalog_diff(
    ref_a: Annotated[str, typer.Argument(help="First version (NAME@N).")],
    ref_b: Annotated[str, typer.Argument(help="Second version (NAME@N).")],
    store: StoreOption = None,
) -> None:
    """Compare two versions: rows only in each, changed parameters and stats."""
    from datagen.catalog import CatalogError

    try:
        out.print_json(json.dumps(_catalog(store).diff(ref_a, ref_b), default=str))
    except CatalogError as exc:
        raise _fail(str(exc)) from None


@catalog_app.command("report")
def catalog_report(
    ref: Annotated[str, typer.Argument(help="NAME@N, NAME@latest or NAME@TAG to report on.")],
    out_path: Annotated[
        Path, typer.Option("--out", help="The HTML file to write (replaced if it exists).")
    ],
    rows: Annotated[int, typer.Option("--rows", min=0, help="Sample rows to show.")] = 10,
    per_reason: Annotated[
        int,
        typer.Option("--per-reason", min=0, help="Quarantined records to show per reason."),
    ] = 3,
    store: StoreOption = None,
) -> None:
    """Write one self-contained HTML page of a version: its card with plots, sample rows with
    verdicts, quarantine by reason, lineage and diffs to the previous version and parents."""
    from datagen.catalog import CatalogError
    from datagen.catalog.report import build_report
    from datagen.catalog.report_html import render_report_html

    try:
        report = build_report(_catalog(store), ref, rows=rows, per_reason=per_reason)
    except CatalogError as exc:
        raise _fail(str(exc)) from None
    page = render_report_html(report)
    staged = out_path.with_name(f".{out_path.name}.tmp")
    try:
        out_path.parent.mkdir(parents=True, exist_ok=True)
        staged.write_text(page, encoding="utf-8")
        staged.replace(out_path)  # a reader never sees half a page
    except OSError as exc:
        staged.unlink(missing_ok=True)
        raise _fail(f"cannot write the report to {out_path}: {exc}") from None
    out.print(
        f"wrote the report of {report.ref} to {out_path} ({len(page.encode()) // 1024} KiB)",
        soft_wrap=True,
        markup=False,
    )


@catalog_app.command("sql")
def catalog_sql(
    query: Annotated[
        str,
        typer.Argument(help="SQL; each dataset's latest version is a view (toolpref_pairwise)."),
    ],
    store: StoreOption = None,
) -> None:
    """Query the catalog and the datasets with DuckDB SQL."""
    import duckdb

    from datagen.catalog import CatalogError

    try:
        result = _catalog(store).sql(query)
    except (CatalogError, duckdb.Error) as exc:
        raise _fail(str(exc)) from None
    table = Table(*result.column_names)
    for row in result.to_pylist():
        table.add_row(*(str(v) for v in row.values()))
    out.print(table)


@catalog_app.command("delete")
def catalog_delete(
    ref: Annotated[
        str, typer.Argument(help="NAME@N or NAME@TAG to delete (its number is never reused).")
    ],
    force: Annotated[
        bool, typer.Option("--force", help="Delete a tagged version too, removing its tags.")
    ] = False,
    reason: Annotated[
        str, typer.Option(help="Why, kept in the version's tombstone.")
    ] = "deleted with catalog delete",
    store: StoreOption = None,
) -> None:
    """Delete one version and its files; a tombstone keeps when and why."""
    from datagen.catalog import CatalogError

    try:
        info = _catalog(store).delete(ref, force=force, reason=reason)
    except CatalogError as exc:
        raise _fail(str(exc)) from None
    out.print(f"deleted {info.dataset}@{info.version}", markup=False)


@catalog_app.command("tag")
def catalog_tag(
    ref: Annotated[str, typer.Argument(help="The version to tag: NAME@N, NAME@latest, NAME@TAG.")],
    tag: Annotated[
        str, typer.Argument(help="The tag (starts with a letter, not 'latest'), e.g. prod.")
    ],
    store: StoreOption = None,
) -> None:
    """Point a tag at a version (NAME@TAG then names it everywhere); moving a tag is recorded."""
    from datagen.catalog import CatalogError

    try:
        move = _catalog(store).tag(ref, tag)
    except CatalogError as exc:
        raise _fail(str(exc)) from None
    moved = move.previous_version not in (None, move.version)
    was = f" (was @{move.previous_version})" if moved else ""
    out.print(f"tagged {move.dataset}@{move.version} {move.tag}{was}", markup=False)


@catalog_app.command("untag")
def catalog_untag(
    name: Annotated[str, typer.Argument(help="The dataset.")],
    tag: Annotated[str, typer.Argument(help="The tag to remove.")],
    store: StoreOption = None,
) -> None:
    """Remove a dataset's tag (the removal is recorded in tag_history)."""
    from datagen.catalog import CatalogError

    try:
        move = _catalog(store).untag(name, tag)
    except CatalogError as exc:
        raise _fail(str(exc)) from None
    out.print(f"untagged {move.dataset} {move.tag} (was @{move.previous_version})", markup=False)


@catalog_app.command("prune")
def catalog_prune(
    keep: Annotated[
        int, typer.Option(min=0, help="Versions to keep of each dataset, newest first.")
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Only print what would be removed.")
    ] = False,
    store: StoreOption = None,
) -> None:
    """Delete all but each dataset's newest N versions, keeping tagged ones and the parents of
    kept ones; each deleted version leaves a tombstone."""
    from datagen.catalog import CatalogError

    try:
        report = _catalog(store).prune(keep=keep, dry_run=dry_run)
    except CatalogError as exc:
        raise _fail(str(exc)) from None
    gone = "would remove" if dry_run else "removed"
    table = Table("version", "rows", "bytes", "action", "why")
    for d in report.decisions:
        action = "keep" if d.kept else gone
        table.add_row(d.ref, str(d.row_count), str(d.bytes), action, d.why)
    out.print(table)
    out.print(
        f"{gone} {len(report.removed)} of {len(report.decisions)} versions "
        f"({report.bytes_freed} bytes){' (dry run: nothing removed)' if dry_run else ''}",
        markup=False,
    )


@catalog_app.command("gc")
def catalog_gc(
    store: StoreOption = None,
    work_older_than: Annotated[
        float | None,
        typer.Option(help="Also drop resume-cache entries older than this many seconds."),
    ] = None,
) -> None:
    """Remove what crashed runs left behind (staging, Prefect homes, unregistered versions)."""
    report = _catalog(store).gc(work_older_than=work_older_than)
    out.print(report)


@catalog_app.command("runs")
def catalog_runs(
    name: Annotated[str | None, typer.Argument(help="Only this dataset's runs.")] = None,
    store: StoreOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON lines instead.")] = False,
) -> None:
    """List scheduled runs (``datagen schedule``), oldest first: published, unchanged,
    skipped (the previous run was still going) or failed, and the version each made."""
    from datagen.catalog import CatalogError

    try:
        runs = _catalog(store).runs(name)
    except CatalogError as exc:
        raise _fail(str(exc)) from None
    if as_json:
        for run in runs:
            sys.stdout.write(json.dumps(run.as_json()) + "\n")
        return
    table = Table("started", "dataset", "deployment", "outcome", "version", "flow run", "detail")
    for run in runs:
        table.add_row(
            str(run.started_at)[:19],
            run.dataset,
            run.deployment or "",
            run.outcome,
            "" if run.version is None else f"{run.dataset}@{run.version}",
            run.flow_run_id,
            escape(run.detail or ""),
        )
    out.print(table)


@catalog_app.command("models")
def catalog_models(
    name: Annotated[
        str | None, typer.Argument(help="Only checkpoints trained on this dataset's versions.")
    ] = None,
    store: StoreOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON lines instead.")] = False,
) -> None:
    """List the checkpoints ``datagen train`` recorded, oldest first: the version each trained
    on, the trainer and view, the base model, the checkpoint folder and its final metrics."""
    from datagen.catalog import CatalogError
    from datagen.flows.render import metrics_text

    try:
        models = _catalog(store).models(name)
    except CatalogError as exc:
        raise _fail(str(exc)) from None
    if as_json:
        for model in models:
            sys.stdout.write(json.dumps(model.as_json(), default=str) + "\n")
        return
    table = Table("created", "version", "trainer", "view", "base model", "checkpoint", "metrics")
    for model in models:
        table.add_row(
            str(model.created_at)[:19],
            model.ref,
            model.trainer,
            model.view,
            escape(model.base_model),
            escape(model.path),
            escape(metrics_text(model.metrics)),
        )
    out.print(table)


@catalog_app.command("reverify")
def catalog_reverify(
    ref: Annotated[str, typer.Argument(help="NAME@N (or NAME, NAME@latest) to re-verify.")],
    store: StoreOption = None,
) -> None:
    """Re-score a version's rows with the installed verifiers (no engine call) and publish a
    new version whose parent it is: rows whose verdict no longer qualifies are dropped with
    their reason, balancing is not redone, the changed verdicts are counted."""
    from datagen.catalog import CatalogError, Store
    from datagen.generators.reverify import NotReverifiableError, reverifier_for

    try:
        info = _catalog(store).resolve(ref)
        reverifier_for(info.dataset, info.schema_id)  # refused before Prefect starts
    except (CatalogError, NotReverifiableError) as exc:
        raise _fail(str(exc), code=2) from None
    from datagen.flows.run_guard import guard_run
    from datagen.flows.runtime import prepare_prefect

    home = prepare_prefect(Store.resolve(store))
    guard_run(remove=[home] if home else [])
    from datagen.flows.publish import EmptyDatasetError
    from datagen.flows.reverify import reverify

    try:
        published = reverify(info.ref, store=store)
    except NotReverifiableError as exc:
        raise _fail(str(exc), code=2) from None
    except EmptyDatasetError as exc:
        raise _fail(str(exc), code=3) from None
    changed = _catalog(store).resolve(published["ref"]).stats["reverify"]["changed"]
    counts = ", ".join(f"{kind} {n}" for kind, n in sorted(changed.items())) or "none"
    again = " (already published: unchanged)" if published.get("reused") else ""
    out.print(
        f"published [bold]{published['ref']}[/bold] from {info.ref}: {published['rows']} rows"
        f"{again}; changed verdicts: {escape(counts)}",
        soft_wrap=True,
    )


@app.command("train")
def train(
    ref: Annotated[str, typer.Argument(help="NAME@N or NAME@TAG (or NAME: latest) to train on.")],
    trainer: Annotated[
        str,
        typer.Option(
            help="trl-sft | trl-grpo | trl-dpo | trl-reward (trained here, on one device) or "
            "verl | openrlhf | llamafactory (launch script and config written, not run)."
        ),
    ],
    model: Annotated[
        str,
        typer.Option(
            help="Base model: a local model folder for TRL; for a launch script, any name its "
            "trainer loads where it runs."
        ),
    ],
    max_steps: Annotated[
        int | None, typer.Option(min=1, help="Stop after this many optimizer steps.")
    ] = None,
    out_dir: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Run folder, new or empty: data/ (the export), checkpoint/ (the model) and any "
            "launch script (default checkpoints/NAME-vN-TRAINER).",
        ),
    ] = None,
    option: Annotated[
        list[str] | None,
        typer.Option(
            "--option",
            help="key=value for the trainer, repeatable: a TRL config field "
            "(learning_rate=1e-5), a verl Hydra override, an OpenRLHF flag, a LLaMA-Factory "
            "YAML key.",
        ),
    ] = None,
    view: Annotated[
        str | None,
        typer.Option(
            help="The view, for a trainer that takes several (llamafactory: "
            "preference, the default, or sft)."
        ),
    ] = None,
    split: Annotated[
        str | None,
        typer.Option(
            help="Split fractions by a hash of the task id (default train=0.95,val=0.05)."
        ),
    ] = None,
    store: StoreOption = None,
) -> None:
    """Train on a version: export it in the trainer's view, run TRL's trainer and record the
    checkpoint in the catalog (``catalog models``), or write verl's, OpenRLHF's or
    LLaMA-Factory's launch script beside the export and print the command."""
    from datagen.catalog import CatalogError, Store
    from datagen.catalog.splits import DEFAULT_SPLIT
    from datagen.generators.training.trainers import (
        TrainingError,
        default_out_dir,
        parse_options,
        plan_training,
    )

    try:
        options = parse_options(option or [])
        info = _catalog(store).resolve(ref)
        run_dir = out_dir or default_out_dir(info.dataset, info.version, trainer)
        plan_training(  # refused before Prefect starts
            trainer=trainer, dataset=info.dataset, model=model, out_dir=run_dir, view=view,
            max_steps=max_steps, options=options,
        )  # fmt: skip
    except (CatalogError, TrainingError) as exc:
        raise _fail(str(exc), code=2) from None
    from datagen.flows.run_guard import guard_run
    from datagen.flows.runtime import prepare_prefect

    home = prepare_prefect(Store.resolve(store))
    guard_run(remove=[home] if home else [])
    from datagen.flows.render import metrics_text
    from datagen.flows.train import train as train_flow

    try:
        done = train_flow(
            info.ref, trainer=trainer, model=model, out_dir=run_dir, max_steps=max_steps,
            options=options, view=view, split=split or DEFAULT_SPLIT, store=store,
        )  # fmt: skip
    except (CatalogError, TrainingError) as exc:
        raise _fail(str(exc)) from None
    if "command" in done:
        out.print(
            f"exported {done['ref']} ({done['view']} view) to {done['data_dir']} and wrote "
            f"{', '.join(done['files'])}; train with:",
            soft_wrap=True,
            markup=False,
        )
        out.print(f"  {done['command']}", soft_wrap=True, markup=False)
        return
    out.print(
        f"trained {done['trainer']} on {done['ref']} ({done['view']} view) for {done['steps']} "
        f"steps: {metrics_text(done['metrics'])}; checkpoint {done['checkpoint']} (model "
        f"{done['model_id']}, see datagen catalog models)",
        soft_wrap=True,
        markup=False,
    )


@app.command("export")
def export(
    ref: Annotated[str, typer.Argument(help="NAME@VERSION to export.")],
    format: Annotated[
        str,
        typer.Option(
            "--format",
            help="parquet | hf (datasets.save_to_disk) | trl | verl | openrlhf | llamafactory.",
        ),
    ],
    out_dir: Annotated[Path, typer.Option("--out", help="Output folder (new or empty).")],
    split: Annotated[
        str | None,
        typer.Option(
            help="Trainer formats: split fractions by a hash of the task id "
            "(default train=0.95,val=0.05; names: train, val, test)."
        ),
    ] = None,
    view: Annotated[
        str | None,
        typer.Option(
            help="Trainer formats: rl (RL with a verifiable reward; trl, verl; 'critique' is "
            "its older name), preference (reward model / DPO on pairs; trl, openrlhf, "
            "llamafactory) or sft (supervised fine-tuning; trl, llamafactory)."
        ),
    ] = None,
    question_language: Annotated[
        str | None,
        typer.Option(help="IFEvalCode: the prompt's question in en (default), zh or both."),
    ] = None,
    store: StoreOption = None,
) -> None:
    """Export a version for a trainer (with a README on feeding it) or for Hugging Face datasets."""
    from datagen.catalog import CatalogError, export_hf, export_parquet
    from datagen.catalog.splits import DEFAULT_SPLIT
    from datagen.catalog.trainer_formats import TRAINERS

    exporters = {"parquet": export_parquet, "hf": export_hf}
    if format not in (*exporters, *TRAINERS):
        raise _fail(f"unknown format {format!r}; use one of: {', '.join((*exporters, *TRAINERS))}")
    if format in exporters and (split or view or question_language):
        raise _fail(
            f"--split, --view and --question-language apply to trainer formats "
            f"({', '.join(TRAINERS)})"
        )
    try:
        if format in exporters:
            written = exporters[format](_catalog(store), ref, out_dir)
            out.print(f"exported {ref} as {format} to {out_dir} ({written})")
            return
        from datagen.flows.export import export_for_trainer

        done = export_for_trainer(
            _catalog(store),
            ref,
            trainer=format,
            out_dir=out_dir,
            view=view,
            split=split or DEFAULT_SPLIT,
            view_options={"question_language": question_language} if question_language else None,
        )
    except CatalogError as exc:
        raise _fail(str(exc)) from None
    counts = ", ".join(f"{name} {n}" for name, n in done.counts.items())
    out.print(
        f"exported {ref} ({done.view} view) for {format} to {out_dir}: {counts} rows; "
        f"see {out_dir / 'README.md'}"
    )
    for name in (name for name, n in done.counts.items() if n == 0):
        err.print(f"[yellow]warning:[/yellow] split {name!r} is empty; too few tasks for --split")


class ToolCallRule(StrEnum):
    """The scoring rules of ``datagen verify toolcall``."""

    bfcl = "bfcl"
    toolrm = "toolrm"


@verify_app.command("toolcall")
def verify_toolcall(
    path: Annotated[
        Path,
        typer.Argument(
            help="JSONL of {id, function, ground_truth, calls, category?} (bfcl) or "
            "{id, ground_truth: [{name, arguments}], calls, function?} (toolrm); '-' for stdin."
        ),
    ],
    rule: Annotated[
        ToolCallRule,
        typer.Option(
            help="bfcl: BFCL's AST checker with partial credit; toolrm: ToolRM's share of "
            "matching arguments per ground-truth call."
        ),
    ] = ToolCallRule.bfcl,
) -> None:
    """Score calls against ground truth: one {id, valid, score, error_type, reason} a line."""
    from datagen.verifiers.toolcall_lines import verify_lines

    _answer_lines(path, partial(verify_lines, rule=rule.value))


@verify_app.command("execution")
def verify_execution(
    path: Annotated[
        Path, typer.Argument(help="JSONL of {id, code, entry_point, args}; '-' for stdin.")
    ],
    allow_weak_isolation: Annotated[
        bool,
        typer.Option(help="Run even without namespaces (not root): weaker isolation."),
    ] = False,
) -> None:
    """Run untrusted functions in the sandbox: one {id, status, output, reason} per input line."""
    from datagen.verifiers.execution_lines import verify_execution_lines

    _answer_lines(path, partial(verify_execution_lines, strict=not allow_weak_isolation))


@verify_app.command("code")
def verify_code(
    path: Annotated[
        Path,
        typer.Argument(
            help="JSONL of {id, programming_language, response, check_correctness, "
            "check_instruction}; '-' for stdin."
        ),
    ],
    allow_weak_isolation: Annotated[
        bool,
        typer.Option(help="Run even without namespaces (not root): weaker isolation."),
    ] = False,
    step_seconds: Annotated[
        float,
        typer.Option(min=0.1, help="Wall limit of each compile and each run step."),
    ] = 15.0,
) -> None:
    """Run IFEvalCode's checks (tests in the row's language, then its Python instruction
    checker): one {id, correct, instruction, correct_reason, instruction_reason} per line."""
    from datagen.verifiers.code.toolchains import MissingToolchain
    from datagen.verifiers.code_lines import verify_code_lines
    from datagen.verifiers.sandbox import SandboxError

    try:
        verify = partial(
            verify_code_lines, strict=not allow_weak_isolation, step_seconds=step_seconds
        )
        _answer_lines(path, verify)
    except MissingToolchain as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None
    except SandboxError as exc:
        err.print(f"[red]error:[/red] {exc}\n(run as root, or pass --allow-weak-isolation)")
        raise typer.Exit(2) from None


@verify_app.command("answers")
def verify_answers(
    path: Annotated[
        Path, typer.Argument(help="JSONL of {id, completion, answers}; '-' for stdin.")
    ],
) -> None:
    """Score answer sets by AnsF1 (A²Search): one {id, reward, ansf1, precision, recall, valid,
    reason} per input line."""
    from datagen.verifiers.answer_lines import verify_answer_lines

    _answer_lines(path, verify_answer_lines)


def _answer_lines(path: Path, verify: Callable[[Any], Iterable[dict]]) -> None:
    """One JSON line out per line of ``path`` (``-``: stdin) in, each flushed as it comes (a
    sandbox run takes a while per line; a pipe should see each result when it is ready)."""
    handle = sys.stdin if str(path) == "-" else path.open(encoding="utf-8")
    with handle:
        for answer in verify(handle):
            sys.stdout.write(json.dumps(answer, ensure_ascii=False) + "\n")
            sys.stdout.flush()


@eval_app.command("cloze")
def eval_cloze(
    ref: Annotated[
        str, typer.Argument(help="An omni-detective version (NAME@N): its Omni-Cloze blanks.")
    ],
    captions: Annotated[
        Path, typer.Option(help="JSONL of {clip_id, caption}: the candidate captions to score.")
    ],
    engine: Annotated[
        str,
        typer.Option(
            help="The engine that answers each blank from the caption alone: embedded | "
            "openai:URL?model=M | vllm:MODEL | fake:SCRIPT."
        ),
    ] = "embedded",
    store: StoreOption = None,
) -> None:
    """Score candidate captions on a version's Omni-Cloze blanks: one {clip_id, blank_id, tag,
    answer, correct} line per blank, accuracy per tag on stderr, the figures in the catalog."""
    from datagen.catalog import CatalogError
    from datagen.flows.evaluate import prepare_cloze, run_cloze
    from datagen.flows.render import render_cloze_summary
    from datagen.generators.engines import EngineError, open_engine, parse_engine_spec
    from datagen.generators.omni.cloze_eval import ClozeEvalError

    catalog = _catalog(store)
    try:
        parse_engine_spec(engine)
        prepared = prepare_cloze(catalog, ref, captions=captions)
        answering = open_engine(engine)
    except (CatalogError, ClozeEvalError, EngineError, ValueError) as exc:
        raise _fail(str(exc), code=2) from None
    try:
        marked, stored = run_cloze(catalog, prepared, answering)
    except (CatalogError, EngineError) as exc:
        raise _fail(f"nothing stored: {exc}") from None
    for line in marked.lines:
        sys.stdout.write(json.dumps(line, ensure_ascii=False) + "\n")
    sys.stdout.flush()
    render_cloze_summary(err, stored.as_json())


@eval_app.command("critic")
def eval_critic(
    ref: Annotated[
        str,
        typer.Argument(
            help="A version of critique rows (NAME@N or NAME@latest): trbench-bfcl or "
            "toolpref-pairwise."
        ),
    ],
    engine: Annotated[
        str,
        typer.Option(help="The critic: embedded | openai:URL?model=M | vllm:MODEL | fake:critic."),
    ] = "embedded",
    max_tokens: Annotated[
        int, typer.Option(min=1, help="Most tokens of each answer (its evaluation and choice).")
    ] = 512,
    limit: Annotated[
        int | None, typer.Option(min=1, help="Judge only the rows of the first N pairs.")
    ] = None,
    seed: Annotated[int, typer.Option(help="Sampling seed of every request.")] = 0,
    as_json: Annotated[
        bool,
        typer.Option("--json", help="Print the stored evaluation as JSON (the table on stderr)."),
    ] = False,
    store: StoreOption = None,
) -> None:
    """Score a critic on a version's critique rows: accuracy per order and the pair metric
    (right in both orders) per category, and W-Avg; stored in the catalog, printed as a
    table."""
    from datagen.catalog import CatalogError
    from datagen.flows.evaluate import prepare_critic, run_critic
    from datagen.generators.critic_eval import CriticEvalError
    from datagen.generators.engines import EngineError, open_engine, parse_engine_spec

    catalog = _catalog(store)
    try:
        parse_engine_spec(engine)
        prepared = prepare_critic(catalog, ref, max_tokens=max_tokens, seed=seed, limit=limit)
        critic = open_engine(engine)
    except (CatalogError, CriticEvalError, EngineError, ValueError) as exc:
        raise _fail(str(exc), code=2) from None
    try:
        _, stored = run_critic(catalog, prepared, critic)
    except (CatalogError, CriticEvalError, EngineError) as exc:
        raise _fail(f"nothing stored: {exc}") from None
    finally:
        critic.close()
    evaluation = stored.as_json()
    if as_json:
        sys.stdout.write(json.dumps(evaluation, ensure_ascii=False) + "\n")
    _render_critic(err if as_json else out, evaluation)


def _render_critic(console: Console, evaluation: dict[str, Any]) -> None:
    """A critic evaluation (as stored): a row per category and overall, W-Avg, the reasons of
    the answers and where the evaluation is stored."""
    figures, counts = evaluation["figures"], evaluation["counts"]
    table = Table(
        "category", "pairs", "rows", "acc (order 1)", "acc (order 2)", "pair acc",
        title=f"Critic {evaluation['engine']} on {evaluation['ref']}",
    )  # fmt: skip
    categories = [
        (name, c, figures["per_category"][name]) for name, c in counts["per_category"].items()
    ]
    for name, count, got in [*categories, ("overall", counts, figures)]:
        cells = (got["accuracy_1"], got["accuracy_2"], got["pair_accuracy"])
        table.add_row(name, str(count["pairs"]), str(count["rows"]), *map(_share_text, cells))
    console.print(table)
    console.print(f"W-Avg {_share_text(figures['w_avg'])}", markup=False)
    reasons = ", ".join(f"{reason} {n}" for reason, n in counts["reasons"].items())
    console.print(f"reasons: {reasons}", soft_wrap=True, markup=False)
    console.print(
        f"stored evaluation {evaluation['eval_id']} of {evaluation['ref']}: engine "
        f"{evaluation['engine']} ({evaluation['model']})",
        soft_wrap=True,
        markup=False,
    )


def _share_text(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


@serve_app.command("search")
def serve_search(
    corpus: Annotated[
        str, typer.Option(help="'demo' or a JSONL/Parquet file of {id, title, text} passages.")
    ] = "demo",
    host: Annotated[str, typer.Option(help="Address to listen on (loopback by default).")] = (
        "127.0.0.1"
    ),
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    store: StoreOption = None,
) -> None:
    """Serve BM25 search over a corpus with Search-R1's /retrieve shape (for RL rollouts)."""
    import uvicorn

    from datagen.catalog import Store
    from datagen.generators.a2search.search_index import open_index
    from datagen.generators.a2search.search_server import search_app
    from datagen.generators.a2search.sources import read_passages
    from datagen.schemas.records import SourceError

    try:
        read = read_passages(corpus)
    except SourceError as exc:
        raise _fail(str(exc), code=2) from None
    index = open_index(read.records, Store.resolve(store).work_dir / "search-index")
    skipped = f", {len(read.rejects)} rows skipped" if read.rejects else ""
    err.print(f"serving {len(index)} passages{skipped} on http://{host}:{port}/retrieve")
    uvicorn.run(search_app(index), host=host, port=port, log_level="warning")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
