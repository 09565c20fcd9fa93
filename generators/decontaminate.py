"""Decontamination: drop source records whose text a benchmark already holds.

A record is contaminated by a benchmark when one of its texts, normalised, equals one of the
benchmark's normalised texts (``exact_match: NAME``) or shares a run of 13 words with one
(``ngram_13: NAME``), the overlap test GPT-3 and most decontamination since use. Normalising
(``normalise``) makes case, Unicode forms, punctuation and spacing not matter, so a copy
reformatted on its way into a dataset is still caught.

Which texts a record has is the dataset's to say (``toolpref_texts``, ``tear_texts``); a
benchmark's texts come from a built-in (``bfcl-bench``, ``humaneval``), a JSONL file or a
catalog version, each row read by ``row_texts``. Everything here is pure but the readers; the
flows load the benchmarks once, before any work, and count what this stage drops.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # recipes import this module when the CLI starts: the schemas load Arrow
    from datagen.schemas.records import Record, StageOutcome

NGRAM = 13
STAGE = "decontaminate"
BUILTINS = ("bfcl-bench", "humaneval")
CATALOG_REF = re.compile(r"^[a-z0-9][a-z0-9._-]*@([1-9][0-9]*|latest)$")
"""``NAME@VERSION`` (or ``NAME@latest``) of a catalog version, as ``catalog.parse_ref`` reads
it; spelt out here because recipes check a spec at start-up, before the catalog is imported."""

Texts = Callable[["Record"], list[str]]
"""The texts of a record that a benchmark must not hold."""


def normalise(text: str) -> str:
    """Unicode NFKC, case-folded, every punctuation or symbol character (Unicode categories
    P* and S*, so ``_``, ``+`` and ``“`` too) turned into a space, whitespace collapsed to one
    space and stripped. Code normalises to its words: ``has_close_elements(x)`` →
    ``has close elements x``."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    spaced = "".join(" " if unicodedata.category(c)[0] in "PS" else c for c in folded)
    return " ".join(spaced.split())


def ngrams(words: Sequence[str], n: int = NGRAM) -> set[int]:
    """Hashes of every run of ``n`` words (none when there are fewer): the hashes are only
    compared within one process, so Python's salted ``hash`` is enough."""
    return {hash(tuple(words[i : i + n])) for i in range(len(words) - n + 1)}


@dataclass(frozen=True)
class Benchmark:
    """A benchmark's normalised texts and their 13-grams, built once (``Benchmark.of``).

    ``skip_sources`` names sources disjoint from it by construction (BFCL's train part for
    ``bfcl-bench``, HumanEval itself for ``humaneval``): their records are not checked.
    ``license`` and ``details`` go into the version's lineage.
    """

    name: str
    texts: frozenset[str]
    grams: frozenset[int]
    skip_sources: frozenset[str] = frozenset()
    license: str | None = None
    details: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, name: str, texts: Iterable[str], **kwargs: Any) -> Benchmark:
        normalised = {n for text in texts if (n := normalise(text))}
        grams = set().union(*(ngrams(text.split()) for text in normalised))
        return cls(name, frozenset(normalised), frozenset(grams), **kwargs)


def contamination(text: str, benchmark: Benchmark) -> str | None:
    """``exact_match: NAME``, ``ngram_13: NAME`` or None (clean; an empty text always is)."""
    normalised = normalise(text)
    if not normalised:
        return None
    if normalised in benchmark.texts:
        return f"exact_match: {benchmark.name}"
    if not ngrams(normalised.split()).isdisjoint(benchmark.grams):
        return f"ngram_{NGRAM}: {benchmark.name}"
    return None


def record_contamination(
    record: Record, benchmarks: Sequence[Benchmark], *, texts: Texts
) -> str | None:
    """The first benchmark's reason that one of the record's texts matches, or None."""
    for benchmark in benchmarks:
        if record.get("source") in benchmark.skip_sources:
            continue
        for text in texts(record):
            if reason := contamination(text, benchmark):
                return reason
    return None


def decontaminate_stage(
    records: Sequence[Record], benchmarks: Sequence[Benchmark], *, texts: Texts
) -> StageOutcome:
    """The clean records; the others filtered, counted by ``decontaminate: REASON``."""
    from datagen.schemas.records import StageOutcome

    kept, reasons = [], Counter()
    for record in records:
        reason = record_contamination(record, benchmarks, texts=texts)
        if reason is None:
            kept.append(record)
        else:
            reasons[f"{STAGE}: {reason}"] += 1
    return StageOutcome(
        STAGE, len(records), kept, n_filtered=len(records) - len(kept), reasons=dict(reasons)
    ).check()


def user_texts(messages: object) -> list[str]:
    """The text of each user message (a string, or a list of ``{"text": ...}`` parts)."""
    found = []
    for message in messages if isinstance(messages, list) else []:
        if not isinstance(message, dict) or message.get("role") != "user":
            continue
        content = message.get("content")
        parts = content if isinstance(content, list) else [content]
        found += [p if isinstance(p, str) else p.get("text") for p in parts if p]
    return [text for text in found if isinstance(text, str)]


def toolpref_texts(task: Record) -> list[str]:
    """A ToolPref task's user turns: what a model is asked (the tools and answers are not)."""
    return user_texts(task.get("messages"))


def tear_texts(function: Record) -> list[str]:
    """A TeaR function's code: the whole task is built from it."""
    return [function["code"]]


def row_texts(row: object) -> list[str]:
    """A benchmark row's texts: the row itself if it is a string; else its ``text`` field if
    that is a string; else the user turns of its ``messages`` if it has that list; else each
    of its top-level string values."""
    if isinstance(row, str):
        return [row]
    if not isinstance(row, dict):
        return []
    if isinstance(row.get("text"), str):
        return [row["text"]]
    if isinstance(row.get("messages"), list):
        return user_texts(row["messages"])
    return [value for value in row.values() if isinstance(value, str)]


def check_spec(spec: str) -> None:
    """A ``--decontaminate`` value must be a built-in, an existing file or ``NAME@VERSION``;
    anything else stops the run before any work (a ``ValueError`` naming it)."""
    if spec in BUILTINS or Path(spec).is_file() or CATALOG_REF.match(spec):
        return
    raise ValueError(
        f"--decontaminate {spec!r} is not a file, a catalog NAME@VERSION or one of "
        f"{', '.join(BUILTINS)}"
    )


def builtin_benchmark(name: str) -> Benchmark:
    """``bfcl-bench``: the user turns of BFCL's held-out part (from the pinned wheel);
    ``humaneval``: each problem's prompt and canonical solution, as TeaR reads its code."""
    if name == "bfcl-bench":
        from datagen.generators.toolpref.sources import read_bfcl

        read = read_bfcl(part="bench")
        texts = [text for task in read.records for text in toolpref_texts(task)]
        details = {k: read.lineage[k] for k in ("package", "version", "part")}
        license_ = read.lineage["license"]
        skip = frozenset({"bfcl"})
        return Benchmark.of(name, texts, skip_sources=skip, license=license_, details=details)
    if name == "humaneval":
        from datagen.generators.sources import HUMANEVAL_LICENSE, humaneval_path

        path = humaneval_path()
        with gzip.open(path, "rt", encoding="utf-8") as lines:
            problems = [json.loads(line) for line in lines if line.strip()]
        texts = [p["prompt"] + p["canonical_solution"] for p in problems]
        skip = frozenset({"humaneval"})
        details = {"path": str(path)}
        license_ = HUMANEVAL_LICENSE
        return Benchmark.of(name, texts, skip_sources=skip, license=license_, details=details)
    raise ValueError(f"no built-in benchmark {name!r}; known: {', '.join(BUILTINS)}")


def file_benchmark(path: Path) -> Benchmark:
    """A JSONL file's rows (``row_texts``) as a benchmark named after the file; an unreadable
    file, a line that is not JSON, or no text at all is a ``SourceError``."""
    from datagen.generators.sources import read_text_source
    from datagen.schemas.records import SourceError

    text = read_text_source(path, expected="a JSONL benchmark file")
    texts = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            texts += row_texts(json.loads(line))
        except json.JSONDecodeError as exc:
            raise SourceError(
                f"--decontaminate {path}: line {number} is not JSON ({exc})"
            ) from None
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    details = {"path": str(path.resolve()), "sha256": digest}
    benchmark = Benchmark.of(path.name, texts, details=details)
    if not benchmark.texts:
        raise SourceError(f"--decontaminate {path}: no row has any text (see row_texts)")
    return benchmark
