"""``datagen eval critic``: a critic scored on a version's critique rows, per order and by pair.

The version is the hand-made critique rows of ``tests/export/handmade.py`` (the flow's own
``critique_rows``), published as ``trbench-bfcl`` with two categories, one no-think pair and
two pairs shown in one order only. The critic is ``fake:critic``, whose rule can be followed
by hand: it prefers the response that makes a ``<tool_call>`` and otherwise says 1; told to
answer at once (``/no_think``) it writes ``<choice>1</choice>``, which the strict parser
refuses. The hand-made pairs are of two kinds: ``c0>r0`` (two calls: the fake says 1, so
only the chosen-first row is right) and ``c1>r1`` (a call against words: right both ways).

By hand, per category (rows of label 1 right / rows, label 2, pairs right / pairs):

- ``multiple`` (the four special tasks): weather-1 c0 (1 of 2 rows), weather-1 c1 (both),
  area-system c0 no-think (neither), multi-turn c0 label 2 only (wrong), ends-on-tools c0
  (1 of 2): order 1 3/4, order 2 1/5, pairs 1/5;
- ``simple`` (sixteen plain tasks, six with a c1 pair; plain-03's c1 label 2 only, right):
  order 1 21/21, order 2 6/22, pairs 6/22;
- overall: order 1 24/25, order 2 7/27, pairs 7/27; W-Avg (5 · 1/5 + 22 · 6/22) / 27 = 7/27.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from datagen.catalog import Catalog, Store, write_parquet_atomic
from datagen.flows.evaluate import prepare_critic, run_critic
from datagen.generators.critic_eval import (
    CriticEvalError,
    CriticItem,
    critic_items,
    evaluate,
    mark,
    request_id,
)
from datagen.generators.engines import Completion, Result, open_engine
from datagen.generators.toolpref.critique_prompt import NO_THINK_SWITCH
from datagen.schemas import first_error, records_to_table
from datagen.schemas.records import StageCounts

from ..export.handmade import SCHEMA, critique_records
from ..fakes import FakeResultsEngine
from .conftest import datagen

DATASET = "trbench-bfcl"
SPECIAL = ("weather-1", "area-system", "multi-turn", "ends-on-tools")
ONE_ORDER = {"multi-turn|c0>r0#1", "plain-03|c1>r1#1"}
"""Rows left out, so these two pairs are shown in one order (label 2), as ``--orders swap``
would."""
EXPECTED = {
    "multiple": {"rows": 9, "rows_1": 4, "rows_2": 5, "right_1": 3, "right_2": 1,
                 "pairs": 5, "pairs_right": 1},
    "simple": {"rows": 43, "rows_1": 21, "rows_2": 22, "right_1": 21, "right_2": 6,
               "pairs": 22, "pairs_right": 6},
}  # fmt: skip


def critic_rows() -> list[dict[str, Any]]:
    """The hand-made critique rows, recategorised, area-system in no-think mode, and two rows
    left out; each checked against the schema."""
    rows = []
    for row in critique_records():
        if row["row_id"] in ONE_ORDER:
            continue
        row = row | {"category": "multiple" if row["task_id"] in SPECIAL else "simple"}
        if row["task_id"] == "area-system":
            content = row["prompt"][0]["content"] + NO_THINK_SWITCH
            row |= {"mode": "no_think", "prompt": [{"role": "user", "content": content}]}
        assert first_error(SCHEMA, row) is None
        rows.append(row)
    return rows


def publish(store: Store, rows: list[dict], *, dataset: str = DATASET) -> str:
    part = write_parquet_atomic(
        records_to_table(SCHEMA, rows), store.staging_dir() / "part-00000.parquet"
    )
    info = Catalog(store, lock_timeout=10).publish(
        dataset=dataset, files=[part.path], schema_id=SCHEMA, params={"source": "handmade"},
        code_version="test", flow_run_id=None, stats={},
        stage_counts=[StageCounts("critique", len(rows), len(rows))],
    )  # fmt: skip
    return info.ref


@pytest.fixture(scope="module")
def version(tmp_path_factory) -> tuple[Store, str]:
    """A store with ``trbench-bfcl@1`` (the critic rows) and ``pairs@1`` (not critiques)."""
    store = Store.resolve(tmp_path_factory.mktemp("eval-critic-store"))
    ref = publish(store, critic_rows())
    other = write_parquet_atomic(pa.table({"row_id": ["r0"]}), store.staging_dir() / "p.parquet")
    Catalog(store).publish(
        dataset="pairs", files=[other.path], schema_id="toolpref/pair.v1", params={},
        code_version="test", flow_run_id=None, stats={},
    )  # fmt: skip
    return store, ref


def item(*, label: int = 1, parser: str = "strict") -> CriticItem:
    messages = ({"role": "user", "content": "?"},)
    return CriticItem(
        row_id="p#1", pair_id="p", category="simple", messages=messages, label=label, parser=parser
    )


def answered(text: str, *, request: str = "critic:p#1") -> Result:
    done = Completion(text=text, finish_reason="stop", completion_tokens=1)
    return Result(request_id=request, completions=(done,), prompt_tokens=1, model="m")


@pytest.mark.parametrize(
    ("result", "label", "parser", "expected"),
    [
        (answered("<evaluation>x</evaluation>\n<choice>\n1\n</choice>"), 1, "strict",
         (True, "correct")),
        (answered("<choice>\n2\n</choice>"), 1, "strict", (False, "wrong_choice")),
        (answered("<choice>1</choice>"), 1, "strict", (False, "invalid_choice")),
        (answered("<choice>1</choice>"), 1, "lenient", (True, "correct")),
        (answered("<choice>\n1\n</choice> no, <choice>2</choice>"), 2, "lenient",
         (True, "correct")),
        (answered("Response 1 is better."), 1, "strict", (False, "no_choice_tag")),
        (answered(""), 2, "strict", (False, "no_choice_tag")),
        (Result(request_id="critic:p#1", completions=(), prompt_tokens=1, model="m",
                error="slow", error_kind="timeout"), 1, "strict",
         (False, "engine_error:timeout")),
        (None, 1, "strict", (False, "missing_answer")),
    ],
)  # fmt: skip
def test_an_answer_is_marked_by_the_rows_parser(
    result: Result | None, label: int, parser: str, expected: tuple[bool, str]
) -> None:
    assert mark(item(label=label, parser=parser), result) == expected


def test_a_pair_is_right_only_when_every_row_is() -> None:
    rows = [
        {"row_id": f"{pair}#{label}", "pair_id": pair, "category": category, "label": label,
         "prompt": [{"role": "user", "content": "?"}], "parser": "strict"}
        for pair, category, labels in [("a", "x", (1, 2)), ("b", "x", (1, 2)), ("c", "y", (2,))]
        for label in labels
    ]  # fmt: skip
    items = critic_items(rows)
    right = {"a#1", "a#2", "b#1", "c#2"}
    results = [
        answered(f"<choice>\n{i.label if i.row_id in right else 3 - i.label}\n</choice>",
                 request=request_id(i))
        for i in items
    ]  # fmt: skip
    marked = evaluate(items, results)
    assert marked.counts["per_category"]["x"] == {
        "rows": 4, "rows_1": 2, "rows_2": 2, "right_1": 2, "right_2": 1,
        "pairs": 2, "pairs_right": 1,
    }  # fmt: skip
    assert marked.figures["per_category"]["y"] == {
        "accuracy_1": None, "accuracy_2": 1.0, "pair_accuracy": 1.0,
    }  # fmt: skip
    assert marked.figures["w_avg"] == marked.figures["pair_accuracy"] == 2 / 3
    assert marked.counts["reasons"] == {"correct": 4, "wrong_choice": 1}


def test_rows_that_cannot_be_counted_are_refused() -> None:
    row = {"row_id": "a#1", "pair_id": "a", "category": "x", "label": 1,
           "prompt": [{"role": "user", "content": "?"}]}  # fmt: skip
    with pytest.raises(CriticEvalError, match="appears twice"):
        critic_items([row, row])
    items = critic_items([row, row | {"row_id": "a#2", "label": 2, "category": "y"}])
    with pytest.raises(CriticEvalError, match="categories 'x' and 'y'"):
        evaluate(items, [])


def test_the_fake_critic_scores_as_counted_by_hand(version) -> None:
    store, ref = version
    catalog = Catalog(store)
    prepared = prepare_critic(catalog, ref, max_tokens=64, seed=0)
    assert [i.parser for i in prepared.items] == ["strict"] * 52
    marked, stored = run_critic(catalog, prepared, open_engine("fake:critic"))
    assert marked.counts["per_category"] == EXPECTED
    assert marked.figures["per_category"]["multiple"] == {
        "accuracy_1": 3 / 4, "accuracy_2": 1 / 5, "pair_accuracy": 1 / 5,
    }  # fmt: skip
    assert marked.figures["per_category"]["simple"] == {
        "accuracy_1": 1.0, "accuracy_2": 6 / 22, "pair_accuracy": 6 / 22,
    }  # fmt: skip
    assert marked.figures["accuracy_1"] == 24 / 25 and marked.figures["accuracy_2"] == 7 / 27
    assert marked.figures["pair_accuracy"] == 7 / 27
    assert marked.figures["w_avg"] == pytest.approx((5 * (1 / 5) + 22 * (6 / 22)) / 27)
    assert marked.counts["reasons"] == {"correct": 31, "wrong_choice": 19, "invalid_choice": 2}
    assert stored.kind == "critic" and stored.engine == "fake:critic"
    assert stored.params == {"max_tokens": 64, "seed": 0, "limit": None, "temperature": 0.0}
    assert stored.eval_id in {e.eval_id for e in catalog.evaluations(ref)}


def test_limit_keeps_the_rows_of_the_first_pairs_and_asks_once(version) -> None:
    store, ref = version
    catalog = Catalog(store)
    prepared = prepare_critic(catalog, ref, max_tokens=64, seed=3, limit=2)
    assert [i.row_id for i in prepared.items] == [
        "weather-1|c0>r0#1", "weather-1|c0>r0#2", "weather-1|c1>r1#1", "weather-1|c1>r1#2",
    ]  # fmt: skip
    assert {r.sampling.seed for r in prepared.requests} == {3}
    assert prepared.requests[0].messages == tuple(critic_rows()[0]["prompt"])
    engine = FakeResultsEngine(
        {r.request_id: answered("<choice>\n1\n</choice>") for r in prepared.requests}
    )
    marked, _ = run_critic(catalog, prepared, engine)
    assert len(engine.calls) == 1 and marked.counts["pairs"] == 2


def _figures(stdout: str) -> dict[str, Any]:
    return json.loads(stdout)["figures"]


def test_the_command_prints_the_table_and_stores_the_evaluation(version) -> None:
    store, ref = version
    done = datagen("eval", "critic", f"{DATASET}@latest", "--engine", "fake:critic",
                   "--max-tokens", "64", store=store.root)  # fmt: skip
    lines = done.stdout.splitlines()
    row = next(line for line in lines if "multiple" in line)
    assert all(cell in row for cell in ("5", "9", "0.750", "0.200"))
    assert "W-Avg 0.259" in done.stdout
    assert "invalid_choice 2" in done.stdout
    as_json = datagen("eval", "critic", ref, "--engine", "fake:critic", "--json",
                      "--limit", "2", store=store.root)  # fmt: skip
    figures = _figures(as_json.stdout)
    assert figures["pair_accuracy"] == figures["w_avg"] == 0.5
    assert "W-Avg 0.500" in as_json.stderr
    shown = datagen("catalog", "show", ref, store=store.root).stdout
    assert shown.count("critic") >= 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["pairs@1"], "not critique rows"),
        (["nothing@1"], "nothing"),
        ([f"{DATASET}@1", "--engine", "warp:drive"], "unknown engine"),
        ([f"{DATASET}@1", "--engine", "fake:nope"], "unknown script"),
    ],
)
def test_refused_inputs_exit_2_and_store_nothing(
    version, args: Sequence[str], message: str
) -> None:
    store, ref = version
    before = len(Catalog(store).evaluations(ref))
    done = datagen("eval", "critic", *args, store=store.root, check=False)
    assert done.returncode == 2, done.stderr
    assert message in done.stderr
    assert len(Catalog(store).evaluations(ref)) == before


@pytest.mark.slow
def test_a_toolpref_runs_version_is_judged(reference_store: Path, tmp_path: Path) -> None:
    """A real flow's version (the session's reference ToolPref run, shared with the resume
    tests, so only the judging is this test's cost), judged by the fake critic."""
    store = tmp_path / "store"
    shutil.copytree(reference_store, store)
    done = datagen("eval", "critic", "toolpref-pairwise@latest", "--engine", "fake:critic",
                   "--json", store=store)  # fmt: skip
    stored = json.loads(done.stdout)
    counts, figures = stored["counts"], stored["figures"]
    assert counts["rows"] == counts["rows_1"] + counts["rows_2"] > 0
    assert sum(c["pairs"] for c in counts["per_category"].values()) == counts["pairs"]
    assert figures["w_avg"] == pytest.approx(figures["pair_accuracy"])
    assert set(counts["reasons"]) <= {"correct", "wrong_choice", "invalid_choice"}


@pytest.mark.slow
def test_eval_critic_runs_on_the_embedded_engine(version) -> None:
    """The real command on the embedded model: the first pair (two rows), short answers."""
    store, _ = version
    done = datagen("eval", "critic", f"{DATASET}@latest", "--engine", "embedded", "--limit",
                   "1", "--max-tokens", "16", "--json", store=store.root, timeout=600)  # fmt: skip
    stored = json.loads(done.stdout)
    assert stored["engine"] == "embedded" and stored["model"].startswith("gemma-3-270m")
    assert stored["counts"]["rows"] == 2 and stored["counts"]["pairs"] == 1
    assert sum(stored["counts"]["reasons"].values()) == 2
    assert stored["figures"]["w_avg"] == stored["figures"]["pair_accuracy"]
    print(done.stderr)
