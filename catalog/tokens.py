"""A version's tokens: what its engine calls spent, per stage and engine, with their cost.

Rows of ``token_counts`` (migration 4) are written with the version and deleted with it. A
version's totals sum them; its cost sums the rows that have one, and is ``None`` when no
engine of the version was given a price. The SQL view ``version_tokens`` gives the totals of
every version beside the catalog's tables.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import duckdb

from datagen.catalog.records import PublishError

VERSION_TOKENS_VIEW = """CREATE VIEW version_tokens AS
SELECT dataset, version, sum(prompt_tokens)::BIGINT AS prompt_tokens,
       sum(completion_tokens)::BIGINT AS completion_tokens, sum(cost) AS cost
FROM token_counts GROUP BY dataset, version"""
"""Each version's total tokens and cost (only versions that recorded tokens have a row)."""


@dataclass(frozen=True, kw_only=True)
class TokenUse:
    """Tokens one engine spent in one stage of a version, and their cost in USD (``None``
    without a price)."""

    stage: str
    engine: str
    prompt_tokens: int
    completion_tokens: int
    cost: float | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "stage": self.stage,
            "engine": self.engine,
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "cost": self.cost,
        }


def check_token_counts(token_counts: Sequence[TokenUse]) -> None:
    """Refuse negative counts or costs and a (stage, engine) given twice."""
    keys = [(t.stage, t.engine) for t in token_counts]
    if len(set(keys)) != len(keys):
        raise PublishError(f"(stage, engine) repeats in token_counts: {keys}")
    bad = [t for t in token_counts if min(t.prompt_tokens, t.completion_tokens, t.cost or 0) < 0]
    if bad:
        raise PublishError(f"token counts and costs must not be negative: {bad}")


def insert_token_counts(
    con: duckdb.DuckDBPyConnection, key: list[Any], token_counts: Sequence[TokenUse]
) -> None:
    rows = [
        [*key, t.stage, t.engine, t.prompt_tokens, t.completion_tokens, t.cost]
        for t in token_counts
    ]
    if rows:
        con.executemany("INSERT INTO token_counts VALUES (?, ?, ?, ?, ?, ?, ?)", rows)


def select_tokens(con: duckdb.DuckDBPyConnection, dataset: str, version: int) -> dict[str, Any]:
    """A version's token rows (by stage, then engine) and their totals, JSON-ready."""
    rows = con.execute(
        "SELECT stage, engine, prompt_tokens, completion_tokens, cost FROM token_counts "
        "WHERE dataset = ? AND version = ? ORDER BY stage, engine",
        [dataset, version],
    ).fetchall()
    uses = [
        TokenUse(stage=s, engine=e, prompt_tokens=p, completion_tokens=c, cost=cost)
        for s, e, p, c, cost in rows
    ]
    return {"rows": [u.as_json() for u in uses], **totals(uses)}


def totals(uses: Sequence[TokenUse]) -> dict[str, Any]:
    costs = [u.cost for u in uses if u.cost is not None]
    return {
        "prompt_tokens": sum(u.prompt_tokens for u in uses),
        "completion_tokens": sum(u.completion_tokens for u in uses),
        "cost": sum(costs) if costs else None,
    }


def select_totals(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, int], dict[str, Any]]:
    """Every version's totals that recorded tokens, by (dataset, version)."""
    rows = con.execute(
        "SELECT dataset, version, sum(prompt_tokens), sum(completion_tokens), sum(cost) "
        "FROM token_counts GROUP BY dataset, version"
    ).fetchall()
    return {
        (d, v): {"prompt_tokens": int(p), "completion_tokens": int(c), "cost": cost}
        for d, v, p, c, cost in rows
    }


def tokens_text(total: dict[str, Any] | None) -> str:
    """``1200+340`` (prompt + completion), with ``$0.0123`` when there is a cost."""
    if not total:
        return ""
    text = f"{total['prompt_tokens']}+{total['completion_tokens']}"
    return text if total["cost"] is None else f"{text} ${total['cost']:.4f}"
