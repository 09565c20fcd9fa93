"""SQL over published versions, and diffs between two versions.

Both run in a private in-memory DuckDB over the versions' Parquet files, not in the catalog
file: a long user query then holds no catalog lock, and cannot modify the catalog.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from datagen.catalog.records import VersionInfo, view_name
from datagen.catalog.tokens import VERSION_TOKENS_VIEW


def _quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _parquet_list(paths: Sequence[Path]) -> str:
    return "[" + ", ".join("'" + str(p).replace("'", "''") + "'" for p in paths) + "]"


def _create_view(con: duckdb.DuckDBPyConnection, name: str, paths: Sequence[Path]) -> None:
    con.execute(
        f"CREATE VIEW {_quote_ident(name)} AS SELECT * FROM read_parquet({_parquet_list(paths)})"
    )


def run_sql(
    query: str,
    *,
    latest: Sequence[VersionInfo],
    catalog_tables: Mapping[str, pa.Table],
    tagged: Mapping[str, VersionInfo] | None = None,
) -> pa.Table:
    """Run ``query`` with each dataset's latest version as a view, each tagged version as the
    view ``tagged`` names (``toolpref_pairwise__prod``), the catalog's tables,
    and the view ``version_tokens`` (each version's tokens and cost, ``catalog.tokens``)."""
    con = duckdb.connect()
    try:
        for name, table in catalog_tables.items():
            con.register(name, table)
        if "token_counts" in catalog_tables:
            con.execute(VERSION_TOKENS_VIEW)
        for info in latest:
            _create_view(con, view_name(info.dataset), info.paths)
        taken = {view_name(info.dataset) for info in latest}
        for name, info in (tagged or {}).items():  # a dataset's own view wins a clash of names
            if name not in taken:
                _create_view(con, name, info.paths)
        return con.sql(query).to_arrow_table()
    finally:
        con.close()


def _changed(a: Mapping[str, Any], b: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        key: {"a": a.get(key), "b": b.get(key)}
        for key in sorted(set(a) | set(b))
        if a.get(key) != b.get(key)
    }


def _count(con: duckdb.DuckDBPyConnection, query: str) -> int:
    return con.execute(f"SELECT count(*) FROM ({query})").fetchall()[0][0]


def _row_diff(
    con: duckdb.DuckDBPyConnection, *, by_row_id: bool, same_columns: bool
) -> dict[str, Any]:
    key = "row_id" if by_row_id else "hash(t)"
    keys = {side: f"SELECT DISTINCT {key} AS k FROM {side} AS t" for side in ("a", "b")}
    result: dict[str, Any] = {
        "key": "row_id" if by_row_id else "row_hash",
        "only_a": _count(con, f"{keys['a']} EXCEPT {keys['b']}"),
        "only_b": _count(con, f"{keys['b']} EXCEPT {keys['a']}"),
        "both": _count(con, f"{keys['a']} INTERSECT {keys['b']}"),
        "changed": None,
    }
    if by_row_id and same_columns:
        result["changed"] = _count(
            con,
            "SELECT DISTINCT x.row_id FROM (SELECT row_id, hash(t) AS h FROM a AS t) AS x "
            "JOIN (SELECT row_id, hash(t) AS h FROM b AS t) AS y ON x.row_id = y.row_id "
            "WHERE x.h <> y.h",
        )
    return result


def diff_versions(a: VersionInfo, b: VersionInfo) -> dict[str, Any]:
    """Counts, parameters, statistics, columns and rows that differ between two versions.

    Rows are matched by their ``row_id`` column when both versions have one (then ``changed``
    counts ids whose row content differs), else by a 64-bit hash of the whole row; counts are
    of distinct keys, so duplicate rows count once.
    """
    con = duckdb.connect()
    try:
        _create_view(con, "a", a.paths)
        _create_view(con, "b", b.paths)
        cols = {side: [r[0] for r in con.execute(f"DESCRIBE {side}").fetchall()] for side in "ab"}
        by_row_id = "row_id" in cols["a"] and "row_id" in cols["b"]
        rows = _row_diff(con, by_row_id=by_row_id, same_columns=cols["a"] == cols["b"])
    finally:
        con.close()
    return {
        "a": a.ref,
        "b": b.ref,
        "row_count": {"a": a.row_count, "b": b.row_count},
        "same_content": a.content_hash == b.content_hash,
        "columns": {
            "only_a": [c for c in cols["a"] if c not in cols["b"]],
            "only_b": [c for c in cols["b"] if c not in cols["a"]],
        },
        "metadata": _changed(
            {"schema_id": a.schema_id, "code_version": a.code_version},
            {"schema_id": b.schema_id, "code_version": b.code_version},
        ),
        "params": _changed(a.params, b.params),
        "stats": _changed(a.stats, b.stats),
        "rows": rows,
    }
