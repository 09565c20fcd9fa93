"""Tags: names such as ``prod`` that point at one version of a dataset (``NAME@prod``).

A tag moves; the version it names does not change. Every move and removal appends a row to
``tag_history`` (``version`` NULL: removed), so "what was prod last Tuesday" has an answer.
A tag name starts with a letter and is not ``latest``, so ``NAME@3``, ``NAME@latest`` and
``NAME@prod`` never mean the same spelling twice. These functions run inside the caller's
connection (and transaction, if it holds one).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import duckdb

from datagen.catalog.records import InvalidNameError, TagMove, UnknownTagError, view_name

TAG_RE = re.compile(r"[a-z][a-z0-9._-]*")
MAX_TAG = 64


def check_tag(tag: str) -> str:
    """Return ``tag`` if it can name a tag, else raise ``InvalidNameError`` saying why."""
    if tag == "latest":
        raise InvalidNameError("'latest' cannot be a tag: NAME@latest is the newest version")
    if isinstance(tag, str) and tag[:1].isdigit():
        raise InvalidNameError(
            f"tag {tag!r} looks like a version number: a tag starts with a letter (e.g. prod)"
        )
    if not isinstance(tag, str) or not TAG_RE.fullmatch(tag) or len(tag) > MAX_TAG:
        raise InvalidNameError(
            f"invalid tag {tag!r}: use lower-case letters, digits, '.', '_' and '-', starting "
            f"with a letter, at most {MAX_TAG} characters"
        )
    return tag


def tag_view_name(dataset: str, tag: str) -> str:
    """The SQL view of a tagged version in ``Catalog.sql``: ``toolpref_pairwise__prod``."""
    return f"{view_name(dataset)}__{view_name(tag)}"


def _now() -> datetime:
    return datetime.now(UTC)


def _naive(moment: datetime) -> datetime:
    """As DuckDB's TIMESTAMP stores it: UTC without a zone."""
    return moment.astimezone(UTC).replace(tzinfo=None)


def tags_of(con: duckdb.DuckDBPyConnection, dataset: str) -> dict[str, int]:
    """A dataset's tags and the versions they name, by tag."""
    rows = con.execute(
        "SELECT tag, version FROM tags WHERE dataset = ? ORDER BY tag", [dataset]
    ).fetchall()
    return dict(rows)


def all_tags(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, int]]:
    """Every tag of every dataset: (dataset, tag, version), by dataset and tag."""
    return con.execute("SELECT dataset, tag, version FROM tags ORDER BY dataset, tag").fetchall()


def tags_of_version(con: duckdb.DuckDBPyConnection, dataset: str, version: int) -> list[str]:
    rows = con.execute(
        "SELECT tag FROM tags WHERE dataset = ? AND version = ? ORDER BY tag", [dataset, version]
    ).fetchall()
    return [r[0] for r in rows]


def tagged_version(con: duckdb.DuckDBPyConnection, dataset: str, tag: str) -> int:
    """The version ``tag`` names, or ``UnknownTagError`` listing the dataset's tags."""
    row = con.execute(
        "SELECT version FROM tags WHERE dataset = ? AND tag = ?", [dataset, tag]
    ).fetchall()
    if not row:
        raise UnknownTagError(dataset, tag, list(tags_of(con, dataset)))
    return row[0][0]


def _record(
    con: duckdb.DuckDBPyConnection,
    dataset: str,
    tag: str,
    version: int | None,
    previous: int | None,
) -> TagMove:
    move = TagMove(
        dataset=dataset, tag=tag, version=version, previous_version=previous, moved_at=_now()
    )
    con.execute(
        "INSERT INTO tag_history VALUES (?, ?, ?, ?, ?)",
        [dataset, tag, version, previous, _naive(move.moved_at)],
    )
    return move


def _current(con: duckdb.DuckDBPyConnection, dataset: str, tag: str) -> int | None:
    row = con.execute(
        "SELECT version FROM tags WHERE dataset = ? AND tag = ?", [dataset, tag]
    ).fetchall()
    return row[0][0] if row else None


def set_tag(con: duckdb.DuckDBPyConnection, dataset: str, tag: str, version: int) -> TagMove:
    """Point ``tag`` at ``version`` (an existing version; the caller checks), recording the move.
    Tagging the version it already names records nothing and returns that (no-op) move."""
    check_tag(tag)
    previous = _current(con, dataset, tag)
    if previous == version:
        row = con.execute(
            "SELECT tagged_at FROM tags WHERE dataset = ? AND tag = ?", [dataset, tag]
        ).fetchall()
        return TagMove(
            dataset=dataset,
            tag=tag,
            version=version,
            previous_version=version,
            moved_at=row[0][0].replace(tzinfo=UTC),
        )
    move = _record(con, dataset, tag, version, previous)
    con.execute("DELETE FROM tags WHERE dataset = ? AND tag = ?", [dataset, tag])
    con.execute(
        "INSERT INTO tags VALUES (?, ?, ?, ?)", [dataset, tag, version, _naive(move.moved_at)]
    )
    return move


def remove_tag(con: duckdb.DuckDBPyConnection, dataset: str, tag: str) -> TagMove:
    """Remove ``tag`` (``UnknownTagError`` if the dataset has no such tag), recording it."""
    check_tag(tag)
    previous = tagged_version(con, dataset, tag)
    con.execute("DELETE FROM tags WHERE dataset = ? AND tag = ?", [dataset, tag])
    return _record(con, dataset, tag, None, previous)


def remove_version_tags(
    con: duckdb.DuckDBPyConnection, dataset: str, version: int
) -> list[TagMove]:
    """Remove every tag naming a version that is being deleted, recording each removal."""
    return [remove_tag(con, dataset, tag) for tag in tags_of_version(con, dataset, version)]


def tag_history(con: duckdb.DuckDBPyConnection, dataset: str) -> list[TagMove]:
    """Every move of a dataset's tags, oldest first."""
    rows = con.execute(
        "SELECT tag, version, previous_version, moved_at FROM tag_history WHERE dataset = ? "
        "ORDER BY moved_at, rowid",
        [dataset],
    ).fetchall()
    return [
        TagMove(
            dataset=dataset,
            tag=tag,
            version=version,
            previous_version=previous,
            moved_at=moved.replace(tzinfo=UTC),
        )
        for tag, version, previous, moved in rows
    ]
