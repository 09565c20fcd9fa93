"""The markdown report every run leaves behind (a Prefect artifact and the version's card)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from datagen.schemas.records import StageCounts


def counts_table(counts: Sequence[StageCounts]) -> str:
    lines = [
        "| stage | in | out | filtered | quarantined |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    lines += [
        f"| {c.stage} | {c.n_in} | {c.n_out} | {c.n_filtered} | {c.n_quarantined} |" for c in counts
    ]
    return "\n".join(lines)


def distribution_table(title: str, counts: Mapping[str, int]) -> str:
    total = sum(counts.values()) or 1
    lines = [f"| {title} | count | share |", "| --- | ---: | ---: |"]
    lines += [f"| {key} | {n} | {n / total:.1%} |" for key, n in counts.items()]
    return "\n".join(lines)


def render_report(
    *,
    dataset: str,
    counts: Sequence[StageCounts],
    notes: Sequence[str] = (),
    distributions: Mapping[str, Mapping[str, int]] | None = None,
) -> str:
    """Stage counts first (they must add up), then notes, then the distributions."""
    parts = [f"# {dataset}: run report", "", "## Stages", "", counts_table(counts)]
    if notes:
        parts += ["", *[f"- {note}" for note in notes]]
    for title, values in (distributions or {}).items():
        table = distribution_table(title, values) if values else "none"  # e.g. no filter fired
        parts += ["", f"## {title}", "", table]
    return "\n".join(parts) + "\n"
