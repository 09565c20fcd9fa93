"""Seed topics, the write prompt, and parsing what the engine wrote (malformed answers too)."""

from __future__ import annotations

from pathlib import Path

import pytest

from datagen.generators.engines.base import Completion, Result
from datagen.generators.tear.curation import static_problem
from datagen.generators.tear.seeds import (
    DEFAULT_TOPICS,
    EXAMPLES,
    STOP,
    call_args,
    parse_written,
    read_topics,
    topics_path,
    write_prompt,
    write_request,
    write_stage,
)
from datagen.schemas.records import SourceError
from tests.fakes import FakeResultsEngine


def test_the_shipped_topics_read_cleanly() -> None:
    topics = read_topics(DEFAULT_TOPICS).records
    assert len(topics) >= 30
    assert len({t["topic"].lower() for t in topics}) == len(topics)
    assert all(t["topic_id"].startswith("seed_topics-") for t in topics)
    assert not any(t["topic"].startswith("#") for t in topics)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a\nb\n", [("t-1", "a"), ("t-2", "b")]),
        ("# comment\n\n  spaced   out  \n", [("t-3", "spaced out")]),
        ("same\nSame\nother\n", [("t-1", "same"), ("t-3", "other")]),  # repeats dropped
        ("\ttabs\tinside\r\n", [("t-1", "tabs inside")]),
    ],
)
def test_read_topics(tmp_path: Path, text: str, expected: list) -> None:
    path = tmp_path / "t.txt"
    path.write_text(text)
    assert [(t["topic_id"], t["topic"]) for t in read_topics(path).records] == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [("", "the file is empty"), ("\n\n", "the file is empty"), ("# a comment\n", "no topics")],
)
def test_a_topic_file_without_topics_is_a_source_error(
    tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "t.txt"
    path.write_text(text)
    with pytest.raises(SourceError, match=message):
        read_topics(path)


def test_topics_path(tmp_path: Path) -> None:
    mine = tmp_path / "mine.txt"
    mine.write_text("x\n")
    assert topics_path("seeds") == DEFAULT_TOPICS
    assert topics_path(f"seeds:{mine}") == mine
    assert topics_path("humaneval") is None
    assert topics_path(str(mine)) is None  # a plain path is a JSONL function file
    with pytest.raises(SourceError, match=r"missing\.txt: no such file"):
        read_topics(topics_path(f"seeds:{tmp_path / 'missing.txt'}"))


def test_the_prompt_shows_the_examples_then_opens_the_topic_function() -> None:
    prompt = write_prompt("  summing   digits ")
    assert prompt.endswith("\n\n\n# summing digits\ndef")
    for example in EXAMPLES:
        assert f"# {example.topic}\n{example.code}\n\n" in prompt
        assert all(f"print({call})\n" in prompt for call in example.calls)
    request = write_request(
        {"topic_id": "t-1", "topic": "x"}, seed=3, temperature=0.5, max_tokens=99
    )
    again = write_request({"topic_id": "t-1", "topic": "x"}, seed=3, temperature=0.5, max_tokens=99)
    other = write_request({"topic_id": "t-2", "topic": "x"}, seed=3, temperature=0.5, max_tokens=99)
    assert request.sampling.stop == STOP and request.sampling.max_tokens == 99
    assert request.sampling.seed == again.sampling.seed != other.sampling.seed


GOOD = " sum_digits(n):\n    return sum(int(c) for c in str(n))\n\nprint(sum_digits(123))\n"

WRITTEN = [
    # (text after "def", reason code, entry point, inputs)
    (GOOD, "ok", "sum_digits", ["(123,)"]),
    (GOOD + "sum_digits(40)\nprint(sum_digits(7))\n", "ok", "sum_digits",
     ["(123,)", "(40,)", "(7,)"]),
    (GOOD + "print(sum_digits(123))\n", "ok", "sum_digits", ["(123,)"]),  # repeat dropped
    (GOOD + "print(sum_digits(1), sum_digits(2))\nprint(other(3))\nprint(sum_digits(x))\n"
     "print(sum_digits(n=3))\nsum_digits(1e400)\nprint(sum_digits(\n", "ok", "sum_digits",
     ["(123,)"]),  # two-call print, other function, name, keyword, inf, cut line: skipped
    (" f(a, b):\n    if a:\n\n        return b\n    return a\nprint(f([1, 2], {'k': (3,)}))\n",
     "ok", "f", ["([1, 2], {'k': (3,)})"]),
    (" broken(x:\n    return x\nprint(broken(1))\n", "ok", "broken", ["(1,)"]),  # static filter
    ("", "empty_output", None, None),
    ("   \n\n", "empty_output", None, None),
    (" 234 + 234 + 344 (sum(number1,number2))\n# Calls:\n234 + 234\n", "no_function", None, None),
    ("\nprint(count_vowels('banana'))\n", "no_function", None, None),
    (" f(x):\n    return x\n", "no_calls", None, None),
    (" f(x):\n    return x\n\nprint(g(1))\nf\n", "no_calls", None, None),
    (" f(x):\n    return x\n    print(f(1))\n", "no_calls", None, None),  # inside the body
    (" count_vowels(word):\n    total = 0\n    for ch in word.lower():\n"
     "        if ch in 'aeiou':\n            total += 1\n    return total\n\n"
     "print(count_vowels('zz'))\n", "copied_example", None, None),
    (" count(w):\n    t = 0\n    for c in w.lower():\n        if c in 'aeiou':\n"
     "            t += 1\n    return t\n\nprint(count('zz'))\n", "copied_example", None, None),
]  # fmt: skip


@pytest.mark.parametrize(("text", "reason", "entry_point", "inputs"), WRITTEN)
def test_parse_written(text: str, reason: str, entry_point, inputs) -> None:
    written = parse_written(text, function_id="t-1", inputs_per_function=5)
    assert written.reason.split(":")[0] == reason
    if entry_point is None:
        assert written.function is None
        return
    function = written.function
    assert function is not None
    assert (function["entry_point"], function["inputs"]) == (entry_point, inputs)
    assert function["function_id"] == "t-1" and function["source"] == "seeds"
    assert function["code"].startswith(f"def {entry_point}(") and "print(" not in function["code"]


def test_parsed_code_runs_through_the_static_filter() -> None:
    good = parse_written(GOOD, function_id="a", inputs_per_function=3).function
    broken = parse_written(
        " broken(x:\n    return x\nprint(broken(1))\n", function_id="b", inputs_per_function=3
    ).function
    assert good is not None and static_problem(good["code"], good["entry_point"]) is None
    assert broken is not None
    assert (static_problem(broken["code"], "broken") or "").startswith("syntax_error")


def test_inputs_are_capped_and_a_cut_answer_says_so() -> None:
    text = GOOD + "".join(f"print(sum_digits({n}))\n" for n in range(10))
    assert len(parse_written(text, function_id="a", inputs_per_function=2).function["inputs"]) == 2
    cut = parse_written(" f(x):\n    return x\n", function_id="a", inputs_per_function=2,
                        truncated=True)  # fmt: skip
    assert cut.reason.endswith("(the token budget ran out)")


@pytest.mark.parametrize(
    ("line", "args"),
    [
        ("f(1, 'a')", "(1, 'a')"),
        ("print(f())", "()"),
        ("print(f(-2.5))", "(-2.5,)"),
        ("print(f(1), end='')", None),
        ("f(*[1])", None),
        ("f.g(1)", None),
        ("x = f(1)", None),
        ("f(1) + 1", None),
        ("f(float('nan'))", None),
        ("f(1", None),
        ("\x00", None),
    ],
)
def test_call_args(line: str, args: str | None) -> None:
    assert call_args(line, entry_point="f") == args


def _result(text: str | None, *, finish: str = "stop", error: str | None = None) -> Result:
    completions = () if text is None else (Completion(text=text, finish_reason=finish,
                                                      completion_tokens=9),)  # fmt: skip
    return Result(request_id="r", completions=completions, prompt_tokens=5, model="m", error=error)


def test_the_write_stage_counts_engine_errors_and_malformed_answers() -> None:
    topics = [{"topic_id": f"t-{i}", "topic": f"topic {i}"} for i in range(4)]
    results = [
        _result(GOOD),
        _result(None, error="prompt too long"),
        _result(" f(x):\n    return x\n", finish="length"),
        _result("nonsense"),
    ]
    engine = FakeResultsEngine({t["topic_id"]: r for t, r in zip(topics, results, strict=True)})
    outcome = write_stage(
        topics,
        engines=lambda _: engine,
        engine="e",
        seed=0,
        temperature=0.5,
        max_tokens=99,
        inputs_per_function=3,
    )
    assert (outcome.stage, outcome.n_in, len(outcome.records)) == ("write", 4, 1)
    assert outcome.records[0]["function_id"] == "t-0"
    assert [(q.record_id, q.reason.split(":")[0]) for q in outcome.quarantined] == [
        ("t-1", "engine_error"), ("t-2", "no_calls"), ("t-3", "no_function"),
    ]  # fmt: skip
    assert outcome.quarantined[1].record["text"] == " f(x):\n    return x\n"  # raw text kept
    assert outcome.quarantined[1].record["topic"] == "topic 2"
