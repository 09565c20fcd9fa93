"""``datagen run a2search`` end to end: real Prefect, a real catalog, the real BM25 index over
the demo set, and ``FakeScriptedEngine("a2search")`` agents and verifiers that plant, on every
border question, a true alternative, a wrong one, the reference written another way, two
aliases of one alternative, and an agent configuration that never reaches the reference
(``generators/engines/fake.py``), 100 questions in shards of 50. One run on the embedded
engine at ``--limit 3`` (one trajectory each, two turns, one vote per alternative)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from datagen.catalog import Catalog, Store
from datagen.catalog.trainer_export import check_view_rows
from datagen.generators.a2search.sources import read_passages
from datagen.generators.views import view_function
from datagen.schemas import table_to_records

from ..flows.conftest import datagen

FAKE_RUN = ["run", "a2search", "--engine", "fake:a2search", "--prompts", "default,exhaustive",
            "--shard-size", "50"]  # fmt: skip
"""Two search shards of the 100 questions (and four of votes): still a rerun resumes several
shards, but each shard is a Prefect task run, which the fake engine's work does not outweigh."""


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    store = tmp_path_factory.mktemp("a2search-store")
    done = datagen(*FAKE_RUN, store=store)
    return store, done.stdout + done.stderr  # the versions, then the run reports


def _printed(done) -> str:
    return done.stdout + done.stderr


def _rows(store: Path, ref: str, schema: str) -> list[dict]:
    return table_to_records(schema, Catalog(Store.resolve(store)).read(ref))


def _neighbours() -> dict[str, set[str]]:
    """Every country's true neighbours, as the demo's borders passages state them."""
    found = {}
    for passage in read_passages("demo").records:
        if match := re.match(r"(.+) shares land borders with (.+)\.$", passage["text"]):
            found[match[1]] = set(re.split(r", | and ", match[2]))
    return found


def test_the_flow_keeps_exactly_the_true_alternatives_and_merges_their_aliases(planted) -> None:
    store, stdout = planted
    assert "published a2search@1: 100 rows" in stdout
    rows = {r["question_id"]: r for r in _rows(store, "a2search@1", "a2search/rl.v1")}

    assert rows["border-MEX"]["answer_set"] == [["Belize"], ["Guatemala", "Republic of Guatemala"]]
    assert rows["capital-ALB"]["answer_set"] == [["Tirana"]]
    neighbours = _neighbours()
    grown = [r for r in rows.values() if r["alternatives"]]
    assert len(grown) >= 30
    for row in grown:
        country = row["question"].removeprefix("Name a country that borders ").rstrip(".")
        for answer in row["answer_set"][1:]:
            assert answer[0] in neighbours[country], (row["question_id"], answer)  # true ones only
    flat = json.dumps([r["answer_set"] for r in rows.values()])
    assert "Atlantis" not in flat and "Narnia" not in flat  # too few votes; an untrusted agent


def test_every_drop_is_counted_with_its_reason(planted) -> None:
    store, stdout = planted
    shown = Catalog(Store.resolve(store)).show("a2search@1")
    counts = {c["stage"]: c for c in shown["stage_counts"]}
    assert counts["search"]["n_out"] == 100 * 2 * 2  # questions × agents × trajectories
    assert counts["filter"]["n_filtered"] > 0 and counts["evidence"]["n_filtered"] > 0
    for reason in (
        "equivalent_to_reference",
        "agent_never_reached_reference",
        "duplicate_alternative",
    ):
        assert re.search(rf"\| {reason} \| [1-9]\d* \|", stdout), reason
    assert re.search(r"\| fewer than 3 yes votes \| [1-9]\d* \|", stdout)
    assert 0 < shown["stats"]["ambiguous_share"] < 1
    assert "questions ambiguous" in stdout and "after verification" in stdout


def test_verified_trajectories_are_published_with_their_parent_and_export_as_sft(planted) -> None:
    store, stdout = planted
    catalog = Catalog(Store.resolve(store))
    assert re.search(r"published a2search-trajectories@1: \d+ rows", stdout)
    shown = catalog.show("a2search-trajectories@1")
    assert {"kind": "parent", "ref": "a2search@1", "license": None, "details": {}} in shown[
        "lineage"
    ]
    trajectories = _rows(store, "a2search-trajectories@1", "a2search/trajectory.v1")
    assert trajectories and all(t["finish_reason"] == "answer" for t in trajectories)
    assert not any("Atlantis" in t["answer"] for t in trajectories)
    sft = view_function("a2search-trajectories", "sft")(trajectories)
    check_view_rows("sft", sft)
    assert any(m["role"] == "tool" for m in sft[0]["messages"])

    rl = view_function("a2search", "rl")(_rows(store, "a2search@1", "a2search/rl.v1"))
    check_view_rows("rl", rl)
    assert rl[0]["data_source"] == "a2search" and "<answer>" in rl[0]["prompt"][0]["content"]


def test_a_rerun_resumes_and_publishes_only_what_is_missing(planted, tmp_path: Path) -> None:
    store = tmp_path / "store"
    shutil.copytree(planted[0], store)
    Catalog(Store.resolve(store)).delete("a2search-trajectories@1")  # as if the run had died
    after_crash = _printed(datagen(*FAKE_RUN, store=store))
    assert "published a2search@1: 100 rows (already published: unchanged)" in after_crash
    assert "search: 2 of 2 shards resumed" in after_crash
    assert re.search(r"published a2search-trajectories@2: \d+ rows\n", after_crash)
    versions = Catalog(Store.resolve(store)).list_versions("a2search")
    assert [v.version for v in versions] == [1]


EMBEDDED_RUN = ["--limit", "3", "--trajectories", "1", "--max-turns", "2", "--max-tokens", "320",
                "--votes", "1", "--eta", "1"]  # fmt: skip
"""One trajectory of a search and the answer per question, and one vote per alternative: the
embedded model's share of the run, not the flow's stages, is what these bring down."""


@pytest.mark.slow
def test_a_small_run_on_the_embedded_engine_publishes_every_question(tmp_path: Path) -> None:
    done = datagen("run", "a2search", *EMBEDDED_RUN, store=tmp_path / "store")
    assert "published a2search@1: 3 rows" in done.stdout
    rows = _rows(tmp_path / "store", "a2search@1", "a2search/rl.v1")
    assert [r["question_id"] for r in rows] == ["capital-AFG", "capital-ALB", "capital-AND"]
    assert "| search |" in _printed(done)


def test_the_verl_export_scores_with_ansf1_and_says_how_to_serve_the_search(
    planted, tmp_path: Path
) -> None:
    import pyarrow.parquet as pq

    from datagen.verifiers.rewards import compute_score

    store, _ = planted
    out = tmp_path / "verl"
    datagen("export", "a2search@1", "--format", "verl", "--out", str(out), store=store)
    readme = (out / "README.md").read_text()
    assert "datagen serve search --corpus" in readme
    assert "retrieval_service_url: http://127.0.0.1:8000/retrieve" in readme
    frame = pq.read_table(out / "train.parquet").to_pandas()  # as verl reads it
    row = frame[frame["extra_info"].map(lambda e: e["ambiguous"])].iloc[0]
    truth = row["reward_model"]["ground_truth"]  # NumPy arrays, as verl hands them over
    aliases = [list(answer) for answer in truth]
    every = f"<answer>{'; '.join(answer[-1] for answer in aliases)}</answer>"
    assert len(aliases) >= 2 and compute_score("a2search", every, truth) == 1.0
    assert compute_score("a2search", f"<answer>{aliases[0][0]}</answer>", truth) < 1.0


def test_an_engine_judge_drops_what_normalising_cannot_see(planted, tmp_path: Path) -> None:
    store = tmp_path / "store"
    shutil.copytree(planted[0], store)
    before = _rows(store, "a2search@1", "a2search/rl.v1")
    done = _printed(datagen(*FAKE_RUN, "--judge-engine", "fake:a2search", store=store))
    assert re.search(r"\| equivalent_to_reference_by_judge \| [1-9]\d* \|", done)
    assert "| judge |" in done and "search: 2 of 2 shards resumed" in done
    after = _rows(store, "a2search@2", "a2search/rl.v1")  # other params: a new version
    assert [r["answer_set"] for r in after] == [r["answer_set"] for r in before]
    assert "(country)" not in json.dumps([r["answer_set"] for r in after])
