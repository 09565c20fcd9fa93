"""Decontamination's pure functions, as tables: normalising, matching, the stage and texts."""

from __future__ import annotations

import pytest

from datagen.generators.decontaminate import (
    Benchmark,
    check_spec,
    contamination,
    decontaminate_stage,
    normalise,
    row_texts,
    toolpref_texts,
)

WORDS = "alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike".split(" ")  # noqa: SIM905
BENCH = Benchmark.of(
    "bench",
    [
        "What's the weather in Paris, in Celsius?",
        " ".join([*WORDS, "november", "oscar"]),
        "",  # an empty benchmark text matches nothing, not even an empty text
        "Straße",
    ],
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Has_Close-Elements(x)", "has close elements x"),
        ("  many\t\tspaces\n\nand lines ", "many spaces and lines"),
        ("Ｆｕｌｌｗｉｄｔｈ ｆｉ", "fullwidth fi"),  # NFKC: fullwidth letters, the fi ligature
        ("“quoted” — dash", "quoted dash"),
        ("a+b=c", "a b c"),  # symbols are spaces too
        ("STRASSE / Straße", "strasse strasse"),  # case-folded, not only lowered
        ("?!...", ""),
        ("", ""),
    ],
)
def test_normalise(text: str, expected: str) -> None:
    assert normalise(text) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("What's the weather in Paris, in Celsius?", "exact_match: bench"),
        ("what s the weather in paris in celsius", "exact_match: bench"),
        ("WHAT'S   the weather in paris in celsius!!!", "exact_match: bench"),
        ("What’s the weather in Paris — in Celsius", "exact_match: bench"),  # curly quote, dash
        ("Ｗｈａｔ'ｓ the weather in Ｐａｒｉｓ, in Celsius?", "exact_match: bench"),
        ("STRASSE", "exact_match: bench"),
        ("What's the weather in Paris, in Fahrenheit?", None),
        ("Please: " + " ".join(WORDS) + ", thanks.", "ngram_13: bench"),  # 13 shared words
        ("Please: " + ", ".join(w.upper() for w in WORDS), "ngram_13: bench"),
        ("Please: " + " ".join(WORDS[1:]) + " zulu", None),  # a shared 12-gram is not enough
        (" ".join(WORDS[:12]), None),  # 12 words have no 13-gram, and match no text exactly
        ("", None),
        ("?!", None),
    ],
)
def test_contamination(text: str, reason: str | None) -> None:
    assert contamination(text, BENCH) == reason


def test_the_stage_keeps_clean_records_and_counts_the_others_by_benchmark() -> None:
    other = Benchmark.of("other", ["Book a table for two"])
    bfcl = Benchmark.of("bfcl-like", ["Area of a triangle"], skip_sources=frozenset({"bfcl"}))
    tasks = [
        _task("a", "what's the weather in paris in celsius"),
        _task("b", "Book a table for two!"),
        _task("c", "Book a flight to Oslo"),
        _task("d", "Area of a triangle", source="bfcl"),  # disjoint from bfcl-like: not checked
        _task("e", "area of a TRIANGLE"),
    ]
    outcome = decontaminate_stage(tasks, [BENCH, other, bfcl], texts=toolpref_texts)
    assert [t["task_id"] for t in outcome.records] == ["c", "d"]
    assert (outcome.stage, outcome.n_in, outcome.n_filtered) == ("decontaminate", 5, 3)
    assert outcome.reasons == {
        "decontaminate: exact_match: bench": 1,
        "decontaminate: exact_match: other": 1,
        "decontaminate: exact_match: bfcl-like": 1,
    }


def test_no_benchmark_keeps_everything() -> None:
    outcome = decontaminate_stage([_task("a", "anything")], [], texts=toolpref_texts)
    assert (len(outcome.records), outcome.n_filtered, outcome.reasons) == (1, 0, {})


@pytest.mark.parametrize(
    ("messages", "texts"),
    [
        ([{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}], ["Hi"]),
        ([{"role": "user", "content": [{"type": "text", "text": "Hi"}]}], ["Hi"]),
        ([{"role": "user", "content": None}, {"role": "assistant", "content": "Hi"}], []),
        (
            [{"role": "user", "content": "a"}, {"role": "tool"}, {"role": "user", "content": "b"}],
            ["a", "b"],
        ),
    ],
)
def test_a_toolpref_task_s_texts_are_its_user_turns(messages: list, texts: list[str]) -> None:
    assert toolpref_texts({"messages": messages}) == texts


@pytest.mark.parametrize(
    ("row", "texts"),
    [
        ("a line that is a string", ["a line that is a string"]),
        ({"text": "t", "question": "q"}, ["t"]),
        ({"messages": [{"role": "user", "content": "u"}], "id": "x"}, ["u"]),
        ({"prompt": "p", "canonical_solution": "s", "n": 3}, ["p", "s"]),
        ([1, 2], []),
    ],
)
def test_a_benchmark_row_s_texts(row: object, texts: list[str]) -> None:
    assert row_texts(row) == texts


@pytest.mark.parametrize(
    "spec", ["bfcl-bench", "humaneval", "tear@3", "toolpref-pairwise@latest", "FILE"]
)
def test_a_benchmark_spec_is_a_builtin_a_version_or_a_file(spec: str, tmp_path) -> None:
    if spec == "FILE":
        spec = str(tmp_path / "bench.jsonl")
        (tmp_path / "bench.jsonl").write_text('{"text": "x"}\n')
    check_spec(spec)


@pytest.mark.parametrize("spec", ["missing.jsonl", "tear", "tear@0", "Tear@1", "mmlu"])
def test_another_benchmark_spec_is_refused_naming_it(spec: str) -> None:
    with pytest.raises(ValueError, match=f"--decontaminate '{spec}' is not a file"):
        check_spec(spec)


def _task(task_id: str, question: str, *, source: str = "chats.jsonl") -> dict:
    return {
        "task_id": task_id,
        "source": source,
        "messages": [{"role": "user", "content": question}],
    }
