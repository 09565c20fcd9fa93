"""``datagen serve search`` as a real server on loopback, asked as Search-R1's rollouts ask."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.ports import free_port

READY_DEADLINE_S = 60.0


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port, store = free_port(), tmp_path_factory.mktemp("store")
    command = [
        sys.executable,
        "-m",
        "datagen.flows.cli",
        "serve",
        "search",
        "--corpus",
        "demo",
        "--port",
        str(port),
        "--store",
        str(store),
    ]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + READY_DEADLINE_S
        while True:
            assert process.poll() is None, process.stderr.read().decode()
            try:
                if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the search server did not start"
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=15)
        process.stderr.close()
    assert any((store / "_work" / "search-index").iterdir()), "the index is kept in the store"


def test_retrieve_answers_every_query_with_scored_documents(server: str) -> None:
    body = {
        "queries": ["capital of Albania", "who borders Mexico"],
        "topk": 2,
        "return_scores": True,
    }
    answer = httpx.post(f"{server}/retrieve", json=body, timeout=10)
    assert answer.status_code == 200
    result = answer.json()["result"]
    assert [len(hits) for hits in result] == [2, 2]
    top = result[0][0]
    assert top["document"] == {
        "id": "ALB-capital",
        "contents": '"Albania"\nThe capital of Albania is Tirana. Albania lies in Southern Europe.',
    }
    assert top["score"] > result[0][1]["score"] > 0
    assert result[1][0]["document"]["id"] == "MEX-borders"


def test_without_scores_each_hit_is_the_document(server: str) -> None:
    answer = httpx.post(f"{server}/retrieve", json={"queries": ["Tirana"]}, timeout=10)
    (hits,) = answer.json()["result"]
    assert hits[0] == {"id": "ALB-capital", "contents": hits[0]["contents"]}
    assert len(hits) <= 3  # Search-R1's default topk


@pytest.mark.parametrize(
    "body", [{}, {"queries": []}, {"queries": ["x"], "topk": 0}, {"queries": "x"}]
)
def test_a_bad_request_is_refused_with_422(server: str, body: dict) -> None:
    assert httpx.post(f"{server}/retrieve", json=body, timeout=10).status_code == 422


def test_a_corpus_that_cannot_be_read_exits_2_with_one_line(tmp_path: Path) -> None:
    missing = tmp_path / "corpus.jsonl"
    done = subprocess.run(
        [sys.executable, "-m", "datagen.flows.cli", "serve", "search", "--corpus", str(missing)],
        capture_output=True,
        text=True,
        timeout=60,
        env=os.environ | {"COLUMNS": "200"},
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        f"error: {missing}: no such file (expected JSONL or Parquet of {{id, title, text}})"
    ]
