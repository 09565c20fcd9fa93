"""The words of a dataset card: its Hugging Face YAML front matter and its Markdown body.

Pure functions of ``Catalog.show``'s answer (and the spec's prose); ``card.py`` gathers the
inputs and the plots.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

DATA_SPLIT = "train"
"""The split a version's parts load as (a version has one)."""
SIZE_BUCKETS = (
    (1_000, "n<1K"),
    (10_000, "1K<n<10K"),
    (100_000, "10K<n<100K"),
    (1_000_000, "100K<n<1M"),
    (10_000_000, "1M<n<10M"),
    (100_000_000, "10M<n<100M"),
    (1_000_000_000, "100M<n<1B"),
    (10_000_000_000, "1B<n<10B"),
    (100_000_000_000, "10B<n<100B"),
    (1_000_000_000_000, "100B<n<1T"),
)
HF_LICENSES = frozenset(
    """apache-2.0 mit bsd bsd-2-clause bsd-3-clause bsd-3-clause-clear cc0-1.0 cc-by-2.0
    cc-by-2.5 cc-by-3.0 cc-by-4.0 cc-by-sa-3.0 cc-by-sa-4.0 cc-by-nc-2.0 cc-by-nc-3.0
    cc-by-nc-4.0 cc-by-nd-4.0 cc-by-nc-nd-3.0 cc-by-nc-nd-4.0 cc-by-nc-sa-2.0
    cc-by-nc-sa-3.0 cc-by-nc-sa-4.0 cdla-sharing-1.0 cdla-permissive-1.0 cdla-permissive-2.0
    afl-3.0 artistic-2.0 bsl-1.0 ecl-2.0 epl-1.0 epl-2.0 eupl-1.1 agpl-3.0 gfdl gpl gpl-2.0
    gpl-3.0 lgpl lgpl-2.1 lgpl-3.0 isc lppl-1.3c ms-pl mpl-2.0 odc-by odbl openrail
    openrail++ osl-3.0 postgresql ofl-1.1 ncsa unlicense zlib pddl lgpl-lr
    deepfloyd-if-license llama2 llama3 llama3.1 llama3.2 llama3.3 llama4 gemma wtfpl""".split()  # noqa: SIM905
)
"""Hugging Face's license identifiers (``huggingface_hub``'s dataset-card metadata)."""


class CardSpecLike(Protocol):
    """What a card needs of a card spec (``datagen.generators.recipes.CardSpec``)."""

    @property
    def title(self) -> str: ...
    @property
    def summary(self) -> str: ...
    @property
    def method(self) -> str: ...
    @property
    def paper(self) -> str | None: ...
    @property
    def verifiers(self) -> str: ...
    @property
    def task_categories(self) -> tuple[str, ...]: ...
    @property
    def tags(self) -> tuple[str, ...]: ...
    @property
    def plots(self) -> Sequence[Any]: ...


def size_category(rows: int) -> str:
    """Hugging Face's size bucket of a row count (``n<1K``, ``1K<n<10K``, ...)."""
    return next((name for bound, name in SIZE_BUCKETS if rows < bound), "n>1T")


def license_id(text: str | None) -> str | None:
    """A recorded licence (``"MIT (written by ...)"``, ``"Apache-2.0"``) as a Hugging Face
    identifier, or ``None`` when it is none of theirs."""
    if not text:
        return None
    name = re.sub(r"\s*\(.*\)\s*$", "", text).strip().lower()
    name = re.sub(r"[\s_]+", "-", name)
    return name if name in HF_LICENSES else None


def licence_fields(licences: Sequence[str | None]) -> dict[str, Any]:
    """Front-matter licence fields from the data sources' licences: one identifier, a list of
    them, ``other`` (with ``license_name``) for a licence Hugging Face does not list, and
    ``unknown`` when no source recorded one."""
    named = sorted({text for text in licences if text})
    if not named:
        return {"license": "unknown"}
    ids = [license_id(text) for text in named]
    if all(ids):
        distinct = sorted(set(ids))  # type: ignore[arg-type]
        return {"license": distinct[0] if len(distinct) == 1 else distinct}
    others = [text for text, found in zip(named, ids, strict=True) if not found]
    slug = re.sub(r"[^a-z0-9.-]+", "-", "; ".join(others).lower()).strip("-")[:64]
    return {"license": "other", "license_name": slug or "other"}


def front_matter(
    shown: Mapping[str, Any],
    spec: CardSpecLike,
    *,
    licences: Sequence[str | None],
    data_files: Mapping[str, Sequence[str]],
) -> dict[str, Any]:
    """Hugging Face dataset-card metadata; ``data_files`` (split → relative paths) is what
    ``datasets.load_dataset`` on the folder reads."""
    tags = list(dict.fromkeys(["datagen", "synthetic", *spec.tags]))
    return {
        "pretty_name": spec.title or shown["dataset"],
        **licence_fields(licences),
        "task_categories": list(spec.task_categories),
        "size_categories": [size_category(shown["row_count"])],
        "tags": tags,
        "configs": data_configs(data_files),
        "datagen": {
            "ref": shown["ref"],
            "content_hash": shown["content_hash"],
            "schema_id": shown["schema_id"],
            "code_version": shown["code_version"],
        },
    }


def data_configs(data_files: Mapping[str, Sequence[str]]) -> list[dict[str, Any]]:
    """The ``configs`` entry naming each split's files."""
    files = [{"split": split, "path": list(paths)} for split, paths in data_files.items()]
    return [{"config_name": "default", "data_files": files}]


def _table(header: Sequence[str], rows: Sequence[Sequence[Any]], right: int = 0) -> list[str]:
    """A Markdown table; the last ``right`` columns are right-aligned numbers."""
    align = ["---"] * (len(header) - right) + ["---:"] * right
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(align) + " |"]
    cells = (" | ".join(str(c).replace("|", "\\|").replace("\n", " ") for c in r) for r in rows)
    return [*lines, *(f"| {c} |" for c in cells), ""]


def _value(value: Any) -> str:
    return f"`{json.dumps(value, ensure_ascii=False, default=str)}`"


def _how_made(shown: Mapping[str, Any], spec: CardSpecLike) -> list[str]:
    lines = ["## How it was made", ""]
    if spec.method:
        lines += [spec.method, ""]
    if spec.paper:
        lines += [f"Method: {spec.paper}", ""]
    engines = [e for e in shown["lineage"] if e["ref"].startswith("engine:")]
    if engines:
        lines += ["Engines:", ""]
        lines += [
            f"- `{e['ref'].removeprefix('engine:')}`"
            + (f" ({e['details']['role']})" if (e.get("details") or {}).get("role") else "")
            for e in engines
        ]
        lines.append("")
    if spec.verifiers:
        lines += [f"Verifiers: {spec.verifiers}", ""]
    params = shown.get("params") or {}
    if params:
        lines += ["### Parameters (the run's config and sampling plan)", ""]
        lines += _table(("parameter", "value"), [(k, _value(v)) for k, v in sorted(params.items())])
    return lines


def _sources(shown: Mapping[str, Any], licences: Sequence[str | None]) -> list[str]:
    data = [e for e in shown["lineage"] if not e["ref"].startswith("engine:")]
    lines = ["## Sources and licence", ""]
    if not data:
        return [*lines, "No recorded parents or sources; licence unknown.", ""]
    rows = [(e["kind"], e["ref"], e.get("license") or "not recorded") for e in data]
    lines += _table(("kind", "ref", "license"), rows)
    if any(not text for text in licences):
        lines += ["A source without a recorded licence: check its terms before use.", ""]
    return lines


def _stages(shown: Mapping[str, Any]) -> list[str]:
    counts = shown.get("stage_counts") or []
    if not counts:
        return []
    lines = ["## Stages", "", "Every stage: `in = out + filtered + quarantined`.", ""]
    keys = ("stage", "n_in", "n_out", "n_filtered", "n_quarantined")
    lines += _table(("stage", "in", "out", "filtered", "quarantined"),
                    [[c[k] for k in keys] for c in counts], right=4)  # fmt: skip
    if quarantine := shown.get("quarantine"):
        lines += ["### Quarantine reasons", ""]
        rows = [(q["stage"], q["reason"], q["count"]) for q in quarantine]
        lines += _table(("stage", "reason", "records"), rows, right=1)
    reasons = (shown.get("stats") or {}).get("filter_reasons") or {}
    if reasons:
        lines += ["### Filter reasons", ""]
        lines += _table(("reason", "records"), sorted(reasons.items()), right=1)
    return lines


def _tokens(shown: Mapping[str, Any]) -> list[str]:
    tokens = shown.get("tokens") or {}
    if not tokens.get("rows"):
        return []
    rows = [(t["stage"], t["engine"], t["prompt_tokens"], t["completion_tokens"], _cost(t["cost"]))
            for t in tokens["rows"]]  # fmt: skip
    rows.append(("total", "", tokens["prompt_tokens"], tokens["completion_tokens"],
                 _cost(tokens["cost"])))  # fmt: skip
    return [
        "## Tokens",
        "",
        *_table(("stage", "engine", "prompt tokens", "completion tokens", "cost"), rows, right=3),
    ]


def _cost(value: float | None) -> str:
    return "-" if value is None else f"${value:.4f}"


def render_body(
    shown: Mapping[str, Any],
    spec: CardSpecLike,
    *,
    licences: Sequence[str | None],
    plots: Sequence[tuple[str, str]],
) -> str:
    """The card's Markdown below its front matter; ``plots`` are (name, title) of the PNGs in
    ``plots/``."""
    lines = [f"# {spec.title or shown['dataset']} ({shown['ref']})", ""]
    if spec.summary:
        lines += [spec.summary, ""]
    lines += [
        f"- rows: {shown['row_count']}",
        f"- bytes (Parquet, zstd): {shown['bytes']}",
        f"- content hash (sha256 of the Arrow IPC stream of the rows): `{shown['content_hash']}`",
        f"- record schema: `{shown['schema_id']}`",
        f"- code version: `{shown['code_version']}`",
        f"- created: {shown['created_at']}",
        f"- flow run: {shown['flow_run_id'] or 'none'}",
        *([f"- deployment: {shown['deployment']}"] if shown.get("deployment") else []),
        "",
        *_how_made(shown, spec),
        *_sources(shown, licences),
        *_stages(shown),
        *_tokens(shown),
    ]
    if plots:
        lines += ["## Plots", ""]
        for name, title in plots:
            lines += [f"![{title}](plots/{name}.png)", ""]
    stats = {k: v for k, v in (shown.get("stats") or {}).items() if k != "filter_reasons"}
    if stats:
        text = json.dumps(stats, indent=2, sort_keys=True, ensure_ascii=False, default=str)
        lines += ["## Statistics", "", "```json", text, "```", ""]
    if evaluations := shown.get("evaluations"):
        lines += ["## Evaluations", ""]
        rows = [(e["eval_id"], e["kind"], e["engine"], e["finished_at"]) for e in evaluations]
        lines += _table(("eval", "kind", "engine", "finished"), rows)
    return "\n".join(lines).rstrip() + "\n"
