"""``datagen run omni-detective --limit 2`` end to end on the embedded engine: real Prefect, a
real catalog, the demo clips made with espeak-ng, sox and ffmpeg, the real observer tools,
and the embedded model as the detective; then a rerun resumes its shard."""

from __future__ import annotations

from pathlib import Path

import pytest

from datagen.catalog import Catalog, Store
from datagen.schemas import table_to_records

from ..flows.conftest import datagen

RUN = ("run", "omni-detective", "--limit", "2", "--inquiries", "1", "--turn-tokens", "96",
       "--judge", "embedded")  # fmt: skip
"""One inquiry after the first and a 96-token caption keep the embedded model's share small
(the clips and their observers cost the rest); the same model judges the captions' sentences."""


def read_rows(store: Path, ref: str) -> list[dict]:
    return table_to_records("omni/caption.v1", Catalog(Store.resolve(store)).read(ref))


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, list[dict]]:
    store = tmp_path_factory.mktemp("omni-store")
    done = datagen(*RUN, store=store)
    return store, done.stdout + done.stderr, read_rows(store, "omni-detective@1")


def test_each_caption_keeps_its_evidence_trail_and_its_check(published) -> None:
    store, printed, rows = published
    assert "published omni-detective@1: 2 rows" in printed
    assert "of caption sentences flagged overall" in printed
    assert "engine judge (embedded): " in printed
    for row in rows:
        assert Path(row["path"]).is_file() and Path(row["path"]).parent == store / "media"
        first = row["evidence"][0]
        assert (first["turn"], first["tool"]) == (0, "describe") and first["observation"]
        assert len(row["evidence"]) <= 2  # the first inquiry and at most one more
        checked = row["hallucination"]
        assert checked["sentences"] >= len(checked["flagged"])
        if checked["sentences"]:
            assert checked["flagged_share"] == len(checked["flagged"]) / checked["sentences"]
        judge = checked["judge"]
        assert judge["engine"] == "embedded"
        assert judge["judged"] + judge["unparsed"] == checked["sentences"]
        assert len(judge["unsupported"]) <= judge["judged"]
    speech = next(r for r in rows if r["modality"] == "audio")
    assert "fox" in speech["transcript"].lower()


def test_a_rerun_resumes_its_shard_and_publishes_the_same_rows(published) -> None:
    store, _, rows = published
    done = datagen(*RUN, store=store)
    assert "detective: 1 of 1 shards resumed" in done.stdout + done.stderr
    assert read_rows(store, "omni-detective@2") == rows
