"""BM25 search (bm25s) over the demo corpus: batched answers, the index kept per corpus hash."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from datagen.generators.a2search.search_index import (
    SearchIndex,
    bm25s,
    corpus_hash,
    open_index,
    top_k,
)
from datagen.generators.a2search.sources import read_passages


@pytest.fixture(scope="module")
def passages() -> list[dict]:
    return read_passages("demo").records


def test_a_batch_of_queries_finds_each_querys_passage(passages: list[dict]) -> None:
    index = SearchIndex.build(passages)
    hits = index.search(["capital of Albania", "countries bordering Mexico", "zzzz qqqq"], k=3)
    assert hits[0][0].id == "ALB-capital" and "Tirana" in hits[0][0].text
    assert hits[1][0].id == "MEX-borders" and hits[1][0].title == "Mexico"
    assert hits[2] == []  # no word of the corpus: no hit rather than three at score 0
    assert [len(h) for h in hits[:2]] == [3, 3]
    assert hits[0][0].score >= hits[0][1].score >= hits[0][2].score > 0


def test_k_larger_than_the_corpus_returns_every_matching_passage() -> None:
    index = SearchIndex.build(
        [
            {"id": "a", "title": "Lyon", "text": "Lyon is in France."},
            {"id": "b", "title": "Oslo", "text": "Oslo is in Norway."},
        ]
    )
    assert [h.id for h in index.search(["Lyon France"], k=10)[0]] == ["a"]


def test_the_index_is_built_once_per_corpus_and_rebuilt_when_it_changes(
    tmp_path: Path, passages: list[dict], monkeypatch: pytest.MonkeyPatch
) -> None:
    built = open_index(passages, tmp_path)
    folder = tmp_path / corpus_hash(passages)
    assert folder.is_dir() and built.key == folder.name

    def no_build(_passages: object) -> SearchIndex:
        raise AssertionError("rebuilt an index that was stored")

    with monkeypatch.context() as patch:
        patch.setattr(SearchIndex, "build", staticmethod(no_build))
        loaded = open_index(passages, tmp_path)
    queries = ["capital of Albania", "people from Mexico"]
    assert loaded.search(queries) == built.search(queries)

    changed = [*passages[:-1], {**passages[-1], "text": passages[-1]["text"] + " Changed."}]
    open_index(changed, tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([folder.name, corpus_hash(changed)])


def test_an_empty_corpus_is_an_error() -> None:
    with pytest.raises(ValueError, match="at least one passage"):
        SearchIndex.build([])


def test_the_index_module_never_imports_numba() -> None:
    """bm25s imports numba when it can, and numba imported before vLLM's CPU engine starts
    breaks it (``search_index._bm25s_without_numba``); numba stays importable after."""
    probe = (
        "import sys; import datagen.generators.a2search.search_index as s; "
        "assert 'numba' not in sys.modules, 'numba was imported'; "
        "assert not s.bm25s.NUMBA_AVAILABLE; import numba"
    )
    subprocess.run([sys.executable, "-c", probe], check=True, timeout=60)


@pytest.mark.parametrize("k", [1, 3, 8, 9, 40])
def test_top_k_is_a_full_sort_of_the_positive_scores(k: int) -> None:
    """Both ways of ranking (argmax rounds up to ARGMAX_ROUNDS, a partition past it) give
    what sorting every positive score by (score desc, index asc) gives, ties included."""
    rng = np.random.default_rng(k)
    for _ in range(50):
        scores = rng.choice([0.0, 0.0, 0.0, 0.5, 1.25, 2.0], size=300).astype(np.float32)
        scores[rng.integers(0, 300, 5)] = rng.random(5).astype(np.float32) * 3
        expected = sorted(
            ((i, float(s)) for i, s in enumerate(scores) if s > 0), key=lambda h: (-h[1], h[0])
        )[:k]
        before = scores.copy()
        assert top_k(scores, k) == expected
        assert np.array_equal(scores, before), "the caller's scores are left alone"
    assert top_k(np.zeros(10, dtype=np.float32), k) == []


def test_search_ranks_as_bm25s_retrieve_does(passages: list[dict]) -> None:
    """Same scores as bm25s's own ``retrieve`` for the best hits (its ranking, replaced for
    speed, is the one thing search does differently)."""
    index = SearchIndex.build(passages)
    queries = [p["title"] for p in passages[:40]] + ["capital city", "currency of"]
    tokens = bm25s.tokenize(queries, stopwords="en", stemmer=index.stemmer, show_progress=False)
    _, expected = index.retriever.retrieve(tokens, k=3, show_progress=False)
    for hits, scores in zip(index.search(queries, k=3), expected.tolist(), strict=True):
        assert [h.score for h in hits] == pytest.approx([s for s in scores if s > 0])
