"""Decontamination in a flow: load the run's benchmarks before any work, then drop and count.

``load_benchmarks`` turns each ``--decontaminate`` value (and a recipe's default) into a
``Benchmark``: a built-in name, a JSONL file, or a catalog ``NAME@VERSION`` of this store.
One that cannot be read is a ``SourceError`` (exit 2, one line), raised before the sources
are read. ``decontaminate`` runs the pure stage and puts what it did in the ledger: a row in
the stage table, its reasons, a note, and each benchmark in the lineage.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from datagen.catalog import Catalog, CatalogError, LineageEntry, Store
from datagen.flows.ledger import Ledger
from datagen.generators.decontaminate import (
    BUILTINS,
    Benchmark,
    Texts,
    builtin_benchmark,
    check_spec,
    decontaminate_stage,
    file_benchmark,
    row_texts,
)
from datagen.schemas.codec import table_to_records
from datagen.schemas.records import Record, SourceError


def load_benchmarks(specs: Sequence[str], *, store: Store) -> list[Benchmark]:
    """Each distinct spec's benchmark, in order (see ``check_spec`` for the forms)."""
    return [load_benchmark(spec, store=store) for spec in dict.fromkeys(specs)]


def load_benchmark(spec: str, *, store: Store) -> Benchmark:
    """A built-in first, then an existing file, then a catalog version of ``store``."""
    try:
        check_spec(spec)
    except ValueError as exc:
        raise SourceError(str(exc)) from None
    if spec in BUILTINS:
        return builtin_benchmark(spec)
    if Path(spec).is_file():
        return file_benchmark(Path(spec))
    return catalog_benchmark(spec, store=store)


def catalog_benchmark(ref: str, *, store: Store) -> Benchmark:
    """A catalog version's rows, decoded by its schema, each read by ``row_texts``."""
    catalog = Catalog(store)
    try:
        info = catalog.resolve(ref)
        rows = table_to_records(info.schema_id, catalog.read(info.ref))
    except CatalogError as exc:
        raise SourceError(f"--decontaminate {ref}: {exc}") from None
    texts = [text for row in rows for text in row_texts(row)]
    details = {"schema_id": info.schema_id, "content_hash": info.content_hash}
    return Benchmark.of(info.ref, texts, details=details)


def decontaminate(
    ledger: Ledger, records: list[Record], benchmarks: Sequence[Benchmark], *, texts: Texts
) -> list[Record]:
    """The records no benchmark holds; with no benchmark, all of them and only a note."""
    if not benchmarks:
        ledger.notes.append("decontaminate: no benchmark applies")
        return records
    outcome = decontaminate_stage(records, benchmarks, texts=texts)
    for benchmark in benchmarks:
        ledger.lineage.append(
            LineageEntry(
                kind="source",
                ref=f"benchmark:{benchmark.name}",
                license=benchmark.license,
                details={
                    "role": "decontamination",
                    "texts": len(benchmark.texts),
                    "skip_sources": sorted(benchmark.skip_sources),
                    **benchmark.details,
                },
            )
        )
    names = ", ".join(b.name for b in benchmarks)
    dropped = f"dropped {outcome.n_filtered} of {outcome.n_in}"
    ledger.notes.append(f"decontaminate: {dropped} against {names} (exact or shared 13-gram)")
    return ledger.outcome(outcome)
