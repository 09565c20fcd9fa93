"""The Chinese question: what counts as a translation, and the stage keeping every row."""

from __future__ import annotations

import pytest

from datagen.generators.engines.base import Completion, Result
from datagen.generators.engines.fake import FakeScriptedEngine
from datagen.generators.ifevalcode.chinese import (
    EXAMPLE,
    chinese_stage,
    translate_request,
    translation_problem,
)
from tests.fakes import FakeResultsEngine

ENGLISH = (
    "Write `count_words(text)` that returns the number of words.\n\n"
    "Your answer must also follow these instructions:\n1. The code must have at most 20 lines."
)
GOOD = (
    "编写 `count_words(text)`，返回单词的数量。\n\n你的回答还必须遵守以下要求：\n"
    "1. 代码最多 20 行。"
)


@pytest.mark.parametrize(
    ("chinese", "truncated", "problem"),
    [
        (GOOD, False, None),
        (GOOD, True, "truncated"),
        ("Write count_words that returns the number of words. 20", False, "not_chinese"),
        (GOOD.replace("`count_words(text)`", "count_words"), False, "lost_code"),
        (GOOD.replace("20", "二十"), False, "lost_numbers"),
        ("", False, "not_chinese"),
    ],
)
def test_a_translation_must_be_chinese_whole_and_keep_code_and_numbers(
    chinese: str, truncated: bool, problem: str | None
) -> None:
    found = translation_problem(ENGLISH, chinese, truncated=truncated)
    assert (found or "").split(":")[0] == (problem or "")


def test_the_request_shows_the_example_pair_and_stops_at_a_new_turn() -> None:
    request = translate_request({"id": "r1", "english_question": ENGLISH}, seed=0,
                                temperature=0.2, max_tokens=100)  # fmt: skip
    contents = [m["content"] for m in request.messages]
    assert contents[1:] == [*EXAMPLE, ENGLISH]
    assert translation_problem(*EXAMPLE, truncated=False) is None  # the example passes
    assert request.sampling.stop == ("\nUser:",)


def test_every_row_comes_out_with_a_chinese_question_or_an_empty_one() -> None:
    rows = [
        {"id": "a", "english_question": ENGLISH, "chinese_question": ""},
        {"id": "b", "english_question": ENGLISH + " [garble]", "chinese_question": ""},
    ]
    outcome = chinese_stage(rows, engines=lambda _: FakeScriptedEngine("ifevalcode"),
                            engine="fake:ifevalcode", seed=0, temperature=0.2,
                            max_tokens=200)  # fmt: skip
    assert [r["id"] for r in outcome.records] == ["a", "b"]
    first, second = outcome.records
    assert "`count_words(text)`" in first["chinese_question"] and "20" in first["chinese_question"]
    assert second["chinese_question"] == ""
    assert first | {"chinese_question": ""} == rows[0]


def test_a_cut_translation_leaves_the_question_empty() -> None:
    completion = Completion(text=GOOD, finish_reason="length", completion_tokens=100)
    cut = Result(request_id="a-zh", completions=(completion,), prompt_tokens=10, model="m")
    rows = [{"id": "a", "english_question": ENGLISH, "chinese_question": ""}]
    outcome = chinese_stage(rows, engines=lambda _: FakeResultsEngine({"a-zh": cut}),
                            engine="x", seed=0, temperature=0.2, max_tokens=100)  # fmt: skip
    assert outcome.records[0]["chinese_question"] == ""
