"""What a run has to account for, gathered as it goes, and the one tail every flow ends with.

A ``Ledger`` collects each stage's counts, what it quarantined, the lineage, notes and
distributions for the report, stats for the version, and the tokens its engines spent: each
shard's (stored with it, so a resumed shard counts too) and those of engines the flow calls
itself (opened with ``Ledger.engines``), priced by the specs ``Ledger.engine`` declares.
``finish_run`` turns it into the run report (a Prefect artifact and the terminal), refuses an
empty version (``EmptyDatasetError``, exit 3 on the command line), and stages and publishes
the rows. ``publish_once`` does the
same unless the dataset's latest version already holds the same rows from the same params,
for a flow that publishes two datasets and must not publish either twice after a crash.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from datagen.catalog import Catalog, LineageEntry, Store, UnknownDatasetError
from datagen.catalog.tokens import TokenUse
from datagen.flows.publish import EmptyDatasetError, publish_version, stage_version
from datagen.flows.stages import Shard, StageResult, read_quarantine, report_run
from datagen.generators.engines import Engine, open_engine
from datagen.generators.engines.meter import TokenCount, TokenMeter
from datagen.generators.engines.spec import parse_engine_spec, without_prices
from datagen.generators.report import render_report
from datagen.schemas.records import Quarantined, Record, StageCounts, StageOutcome


@dataclass
class Ledger:
    """A run's accounting, in stage order."""

    dataset: str
    counts: list[StageCounts] = field(default_factory=list)
    quarantine: dict[str, list[Quarantined]] = field(default_factory=dict)
    lineage: list[LineageEntry] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    distributions: dict[str, Mapping[str, int]] = field(default_factory=dict)
    stats: dict[str, Any] = field(default_factory=dict)
    reasons: Counter[str] = field(default_factory=Counter)
    """Why records were filtered, over every stage: ``"stage: code"`` → how many."""
    tokens: list[tuple[str, TokenCount]] = field(default_factory=list)
    """Tokens spent, as (stage, one shard's or one call's count of one engine)."""
    prices: dict[str, tuple[float | None, float | None]] = field(default_factory=dict)
    """USD per million (prompt, completion) tokens, by engine spec without its prices."""
    meters: list[tuple[str, TokenMeter]] = field(default_factory=list)

    def outcome(self, *chain: StageOutcome) -> list[Record]:
        """Count stages run in the flow (a chain: each counted); the last one's records."""
        for outcome in chain:
            self.counts.append(StageCounts.of(outcome))
            self.quarantined(outcome.stage, outcome.quarantined)
            self.reasons.update(outcome.reasons)
        return chain[-1].records

    def shards(self, results: Sequence[StageResult], *stages: str) -> list[Shard]:
        """Count a shard stage's results, one row per outcome of its chain (named ``stages``),
        with the quarantine read back from their files; the output shards."""
        for index, stage in enumerate(stages):
            self.counts.append(StageCounts.total(stage, [r.counts[index] for r in results]))
        self.quarantined(stages[0], read_quarantine([r.quarantine_path for r in results]))
        for result in results:
            self.reasons.update(result.reasons)
            self.tokens += [(stages[0], count) for count in result.tokens]
        resumed = sum(r.resumed for r in results)
        self.notes.append(f"{stages[0]}: {resumed} of {len(results)} shards resumed from the store")
        return [r.shard for r in results]

    def quarantined(self, stage: str, entries: Sequence[Quarantined]) -> None:
        if entries:
            self.quarantine.setdefault(stage, []).extend(entries)

    def source(self, lineage: Mapping[str, Any], default: str) -> None:
        """The source's lineage entry (its name, license and details)."""
        ref = str(lineage.get("source", default))
        self.lineage.append(
            LineageEntry(
                kind="source", ref=ref, license=lineage.get("license"), details=dict(lineage)
            )
        )

    def engine(self, spec: str, role: str) -> None:
        """An engine of the run, in its lineage without its prices, which price its tokens."""
        parsed = parse_engine_spec(spec, known_kind=False)
        if parsed.price_in is not None or parsed.price_out is not None:
            self.prices[without_prices(spec)] = (parsed.price_in, parsed.price_out)
        self.lineage.append(
            LineageEntry(
                kind="source", ref=f"engine:{without_prices(spec)}", details={"role": role}
            )
        )

    def engines(self, stage: str) -> Callable[[str], Engine]:
        """``open_engine`` for engines the flow calls outside shard stages, their tokens
        counted as ``stage``'s."""
        meter = TokenMeter()
        self.meters.append((stage, meter))
        return meter.opener(open_engine)

    def token_counts(self) -> list[TokenUse]:
        """Tokens per (stage, engine), in the order first spent, with their cost."""
        spent = self.tokens + [(stage, c) for stage, meter in self.meters for c in meter.counts()]
        sums: dict[tuple[str, str], tuple[int, int]] = {}
        for stage, count in spent:
            prompt, completion = sums.get((stage, count.engine), (0, 0))
            sums[(stage, count.engine)] = (
                prompt + count.prompt_tokens,
                completion + count.completion_tokens,
            )
        return [
            TokenUse(
                stage=stage,
                engine=engine,
                prompt_tokens=prompt,
                completion_tokens=completion,
                cost=token_cost(prompt, completion, self.prices.get(engine)),
            )
            for (stage, engine), (prompt, completion) in sums.items()
        ]


def token_cost(
    prompt: int, completion: int, prices: tuple[float | None, float | None] | None
) -> float | None:
    """USD for the tokens at prices per million (a price not given counts as 0); ``None``
    without prices."""
    if prices is None:
        return None
    price_in, price_out = prices
    return (prompt * (price_in or 0.0) + completion * (price_out or 0.0)) / 1e6


def finish_run(
    ledger: Ledger,
    *,
    store: Store,
    schema_id: str,
    params: dict[str, Any],
    title: str,
    rows: Sequence[Record] = (),
    parts: Sequence[Path] = (),
) -> dict[str, Any]:
    """Report the run, then publish ``rows`` (or Parquet ``parts`` already encoded); the
    version's ref, or ``EmptyDatasetError`` when the stages left nothing."""
    report_ledger(ledger, title=title)
    return publish_ledger(
        ledger, store=store, schema_id=schema_id, params=params, rows=rows, parts=parts
    )


def report_ledger(ledger: Ledger, *, title: str) -> None:
    """The run report: a Prefect artifact and the terminal."""
    report_run(
        dataset=ledger.dataset,
        title=title,
        markdown=render_report(
            dataset=ledger.dataset,
            counts=ledger.counts,
            notes=ledger.notes,
            distributions=ledger.distributions,
        ),
    )


def publish_ledger(
    ledger: Ledger,
    *,
    store: Store,
    schema_id: str,
    params: dict[str, Any],
    rows: Sequence[Record] = (),
    parts: Sequence[Path] = (),
) -> dict[str, Any]:
    """Stage and publish the rows with the ledger's lineage, counts, quarantine and stats;
    the stats keep why records were filtered, so a version's card can say it."""
    if not rows and not parts:
        raise EmptyDatasetError(ledger.dataset, ledger.counts)
    stats = dict(ledger.stats)
    if ledger.reasons:
        stats.setdefault("filter_reasons", dict(ledger.reasons.most_common()))
    staged = stage_version(
        store=store,
        dataset=ledger.dataset,
        schema_id=schema_id,
        rows=rows,
        parts=parts,
        params=params,
        lineage=ledger.lineage,
        counts=ledger.counts,
        quarantine=ledger.quarantine,
        stats=stats,
        token_counts=ledger.token_counts(),
    )
    return publish_version(staged)


def rows_digest(rows: Sequence[Record]) -> str:
    """A digest of a version's rows, kept in its stats, by which a rerun knows it is published."""
    return hashlib.sha256(json.dumps(list(rows), sort_keys=True, default=str).encode()).hexdigest()


def publish_once(
    ledger: Ledger,
    *,
    store: Store,
    schema_id: str,
    rows: list[Record],
    params: dict[str, Any],
    title: str,
    parent: str | None = None,
) -> dict[str, Any]:
    """Report the run, then publish, unless the dataset's latest version already holds these
    rows from these params (and parent): a rerun after a crash between the two publishes adds
    only the other."""
    digest = rows_digest(rows)
    ledger.stats |= {"rows_digest": digest, "parent": parent}
    try:
        latest = Catalog(store).list_versions(ledger.dataset)[-1:]
    except UnknownDatasetError:
        latest = []
    for info in latest:
        same = info.params == params and info.stats.get("rows_digest") == digest
        if same and info.stats.get("parent") == parent:
            ledger.notes.append(f"{info.ref} already holds these rows: not published again")
            report_ledger(ledger, title=title)
            return {
                "dataset": info.dataset,
                "version": info.version,
                "ref": info.ref,
                "rows": info.row_count,
                "content_hash": info.content_hash,
                "reused": True,
            }
    if parent:
        ledger.lineage.append(LineageEntry(kind="parent", ref=parent))
    report_ledger(ledger, title=title)
    return publish_ledger(ledger, store=store, schema_id=schema_id, rows=rows, params=params)
