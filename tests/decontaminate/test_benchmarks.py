"""Benchmarks as the flows load them: the built-ins, a JSONL file, a catalog version, and
what decontaminating puts in a run's ledger."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from datagen.catalog import Catalog, Store
from datagen.flows.decontaminate import decontaminate, load_benchmarks
from datagen.flows.ledger import Ledger
from datagen.generators.decontaminate import (
    builtin_benchmark,
    decontaminate_stage,
    tear_texts,
    toolpref_texts,
)
from datagen.generators.sources import humaneval_path
from datagen.generators.tear.sources import read_jsonl
from datagen.schemas import records_to_table
from datagen.schemas.records import SourceError
from tests.catalog.conftest import publish_kwargs

TEAR_FUNCTIONS = Path(__file__).parents[1] / "tear" / "data" / "functions.jsonl"


def test_tear_functions_copied_from_humaneval_are_dropped_and_its_own_are_not() -> None:
    humaneval = builtin_benchmark("humaneval")
    with gzip.open(humaneval_path(), "rt") as lines:
        first = json.loads(lines.readline())
    solution = first["canonical_solution"]
    copied = first["prompt"].replace("    ", "\t") + solution  # reindented: still equal
    edited = "def close(xs, t):\n" + solution  # another signature, the same solution body
    functions = [
        *read_jsonl(TEAR_FUNCTIONS, inputs_per_function=1).records,
        {"function_id": "copied", "source": "mine.jsonl", "code": copied},
        {"function_id": "edited", "source": "mine.jsonl", "code": edited},
        {"function_id": "HumanEval-0", "source": "humaneval", "code": copied},  # its own: kept
    ]
    outcome = decontaminate_stage(functions, [humaneval], texts=tear_texts)
    dropped = {f["function_id"] for f in functions} - {f["function_id"] for f in outcome.records}
    assert dropped == {"copied", "edited"}
    assert outcome.reasons == {
        "decontaminate: exact_match: humaneval": 1,
        "decontaminate: ngram_13: humaneval": 1,
    }


def test_bfcl_bench_holds_the_bench_part_s_questions_and_skips_bfcl_s_own_tasks() -> None:
    from datagen.generators.toolpref.sources import read_bfcl

    bench = builtin_benchmark("bfcl-bench")
    train = read_bfcl(part="train", categories=["simple_python"]).records[:20]
    question = read_bfcl(part="bench", categories=["simple_python"]).records[0]
    copied = {**question, "task_id": "chats/1", "source": "chats.jsonl"}
    outcome = decontaminate_stage([*train, copied], [bench], texts=toolpref_texts)
    assert outcome.records == train  # train tasks are not checked: disjoint by construction
    assert outcome.reasons == {"decontaminate: exact_match: bfcl-bench": 1}
    assert bench.license and bench.details["part"] == "bench"


def test_a_jsonl_file_and_a_catalog_version_are_benchmarks(tmp_path: Path) -> None:
    store = Store.resolve(tmp_path / "store")
    path = tmp_path / "held-out.jsonl"
    path.write_text('{"text": "Book a table for two"}\n\n"Call a taxi now"\n')
    task = {
        "task_id": "t/1",
        "source": "x",
        "category": "c",
        "messages": [{"role": "user", "content": "Order a pizza with olives"}],
        "tools": [{"type": "function", "function": {"name": "f", "parameters": {}}}],
        "ground_truth": [{"f": {}}],
    }
    table = records_to_table("toolpref/task.v1", [task])
    kwargs = publish_kwargs(store, "held-out", [table]) | {"schema_id": "toolpref/task.v1"}
    Catalog(store).publish(**kwargs)
    from_file, from_catalog = load_benchmarks([str(path), "held-out@1", str(path)], store=store)
    assert (from_file.name, from_catalog.name) == ("held-out.jsonl", "held-out@1")
    assert from_file.texts == {"book a table for two", "call a taxi now"}
    assert from_catalog.texts == {"order a pizza with olives"}


@pytest.mark.parametrize(
    ("content", "spec", "error"),
    [
        (None, "nowhere.jsonl", "is not a file, a catalog NAME@VERSION"),
        ("", "FILE", "the file is empty"),
        ('{"text": "ok"}\nnot json\n', "FILE", "line 2 is not JSON"),
        ('{"n": 1}\n', "FILE", "no row has any text"),
        (None, "missing@1", "missing"),
    ],
)
def test_an_unreadable_benchmark_is_a_source_error(
    tmp_path: Path, content: str | None, spec: str, error: str
) -> None:
    if spec == "FILE":
        spec = str(tmp_path / "bench.jsonl")
        Path(spec).write_text(content or "")
    with pytest.raises(SourceError, match=error):
        load_benchmarks([spec], store=Store.resolve(tmp_path / "store"))


def test_decontaminating_counts_a_stage_notes_it_and_names_the_benchmark(tmp_path: Path) -> None:
    path = tmp_path / "held-out.jsonl"
    path.write_text('{"text": "Book a table for two"}\n')
    ledger = Ledger("toolpref-pairwise")
    benchmarks = load_benchmarks([str(path)], store=Store.resolve(tmp_path / "store"))
    tasks = [_task("a", "book a table, for two"), _task("b", "Call a taxi")]
    kept = decontaminate(ledger, tasks, benchmarks, texts=toolpref_texts)
    assert [t["task_id"] for t in kept] == ["b"]
    assert [(c.stage, c.n_in, c.n_out, c.n_filtered) for c in ledger.counts] == [
        ("decontaminate", 2, 1, 1)
    ]
    assert ledger.reasons == {"decontaminate: exact_match: held-out.jsonl": 1}
    (entry,) = ledger.lineage
    assert (entry.kind, entry.ref, entry.details["role"]) == (
        "source",
        "benchmark:held-out.jsonl",
        "decontamination",
    )
    assert ledger.notes == [
        "decontaminate: dropped 1 of 2 against held-out.jsonl (exact or shared 13-gram)"
    ]


def test_without_a_benchmark_nothing_is_counted() -> None:
    ledger = Ledger("tear")
    assert decontaminate(ledger, [_task("a", "x")], [], texts=toolpref_texts) == [_task("a", "x")]
    assert (ledger.counts, ledger.lineage) == ([], [])


def _task(task_id: str, question: str) -> dict:
    return {
        "task_id": task_id,
        "source": "chats.jsonl",
        "messages": [{"role": "user", "content": question}],
    }
