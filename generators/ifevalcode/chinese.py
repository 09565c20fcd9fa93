"""The Chinese question of each kept row, written by the engine from the English one.

One request per row, shown a hand-written example pair whose instructions are numbered as the
rows' are. A translation is kept only when it looks like one: it was not cut by the token
budget, most of its letters are Chinese, and it keeps every number and every ``code`` span
of the English (a dropped ``20`` changes a line limit). Otherwise the row keeps an empty
``chinese_question``, the released layout's field is still there, the English question and
both checks are untouched, and the report counts the rows left untranslated; a small model
fails these checks on most rows, so the report says so rather than shipping its guesses.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from datagen.generators.engine_stage import engine_stage
from datagen.generators.engines.base import Engine, Message, Request, Result, Sampling
from datagen.generators.sampling import derive_seed
from datagen.schemas.records import Record, StageOutcome

EXAMPLE = (
    "Write a Python function `add(a: int, b: int) -> int` that returns the sum of `a` and "
    "`b`.\n\nYour answer must also follow these instructions:\n"
    "1. The code must have at most 10 lines.\n2. Do not use a `for` loop.",
    "编写一个 Python 函数 `add(a: int, b: int) -> int`，返回 `a` 与 `b` 的和。\n\n"
    "你的回答还必须遵守以下要求：\n1. 代码最多 10 行。\n2. 不要使用 `for` 循环。",
)
SYSTEM = (
    "Translate programming problems from English into Simplified Chinese. Keep code in "
    "backticks, names and numbers exactly as they are, and keep the numbered list."
)
STOP = ("\nUser:",)
"""Where a base model, continuing the transcript, starts a turn of its own."""
MIN_CHINESE_SHARE = 0.3
"""Of a translation's letters (Chinese characters and Latin letters outside code spans)."""

_CJK = re.compile(r"[\u4e00-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]")
_CODE_SPAN = re.compile(r"`[^`\n]+`")
_NUMBER = re.compile(r"\d+")


def translate_request(row: Record, *, seed: int, temperature: float, max_tokens: int) -> Request:
    english, chinese = EXAMPLE
    return Request(
        request_id=f"{row['id']}-zh",
        messages=(
            Message(role="system", content=SYSTEM),
            Message(role="user", content=english),
            Message(role="assistant", content=chinese),
            Message(role="user", content=row["english_question"]),
        ),
        sampling=Sampling(
            temperature=temperature,
            max_tokens=max_tokens,
            seed=derive_seed(seed, row["id"], 4),
            stop=STOP,
        ),
    )


def translation_problem(english: str, chinese: str, *, truncated: bool) -> str | None:
    """Why ``chinese`` cannot stand for ``english``, or None."""
    if truncated:
        return "truncated: the token budget ran out"
    prose = _CODE_SPAN.sub("", chinese)
    hanzi, latin = len(_CJK.findall(prose)), len(_LATIN.findall(prose))
    if hanzi == 0 or hanzi / (hanzi + latin) < MIN_CHINESE_SHARE:
        return f"not_chinese: {hanzi} Chinese characters, {latin} Latin letters"
    lost_spans = [span for span in _CODE_SPAN.findall(english) if span not in chinese]
    if lost_spans:
        return f"lost_code: {lost_spans[0]}"
    lost_numbers = set(_NUMBER.findall(_CODE_SPAN.sub("", english))) - set(_NUMBER.findall(chinese))
    if lost_numbers:
        return f"lost_numbers: {sorted(lost_numbers)}"
    return None


def translated_row(row: Record, result: Result) -> Record:
    """``row`` with the engine's Chinese question if it passes, else with an empty one."""
    completion = result.completions[0]
    chinese = completion.text.strip()
    problem = translation_problem(
        row["english_question"], chinese, truncated=completion.finish_reason == "length"
    )
    return row | {"chinese_question": "" if problem else chinese}


def chinese_stage(
    rows: Sequence[Record],
    *,
    engines: Callable[[str], Engine],
    engine: str,
    seed: int,
    temperature: float,
    max_tokens: int,
) -> StageOutcome:
    """Every row, in one batch, each with its Chinese question or an empty one. A row whose
    request failed outright (the engine's error) is quarantined by the engine stage."""
    sampling = {"seed": seed, "temperature": temperature, "max_tokens": max_tokens}
    return engine_stage(
        rows,
        stage="chinese",
        engines=engines,
        requests=lambda row: [(engine, translate_request(row, **sampling))],
        parse=lambda row, _, result: [translated_row(row, result)],
    )
