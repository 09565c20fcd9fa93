"""Omni-Cloze as a benchmark: candidate captions judged by the blanks an engine fills from them.

A version's cloze items hold blanks whose answers an observer stated (see ``cloze``). A
candidate captioner's captions of the same clips, one ``{clip_id, caption}`` JSON line each,
are scored by asking an engine, for every blank, which option fills it given only the
candidate's caption of that clip (``answer_request``); accuracy is counted per tag and overall.

A clip of the version with no caption in the file, or an empty one, is not asked: its blanks
count as missing answers, wrong in every accuracy, so a captioner cannot score higher by
leaving the hard clips out; ``no_caption`` counts them. Captions of clips that the version
holds no item of are ignored and counted (``captions_unused``).

Pure functions: the captions file's lines, the requests, and the marks. The command
(``flows/evaluate.py``) reads the version, calls the engine once and stores the figures.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from datagen.generators.engines.base import Request, Result
from datagen.generators.omni.cloze import (
    TAGS,
    Blank,
    ClozeScore,
    answer_request,
    blanks_from_record,
    parse_answer,
    score,
)

NO_CAPTION = "no_caption"
"""The reason of a blank whose clip has no (or an empty) caption in the file."""


class ClozeEvalError(ValueError):
    """Input that cannot be evaluated; the message names the line or the clip."""


@dataclass(frozen=True, kw_only=True)
class ClozeItem:
    """One clip's blanks, as the version stores them."""

    clip_id: str
    blanks: tuple[Blank, ...]


@dataclass(frozen=True, kw_only=True)
class ClozeEvaluation:
    """Every blank's line (``{clip_id, blank_id, tag, answer, correct}``), the score, and the
    counts stored beside it."""

    lines: list[dict[str, Any]]
    score: ClozeScore
    counts: dict[str, Any]

    @property
    def figures(self) -> dict[str, Any]:
        """The accuracies, overall and per tag (``None`` for a tag without blanks)."""
        return {"overall": self.score.overall, "per_tag": dict(self.score.per_tag)}


def read_captions(lines: Iterable[str], *, source: str) -> dict[str, str]:
    """``clip_id`` → caption from JSON lines ``{"clip_id": ..., "caption": ...}`` (blank lines
    skipped, other keys ignored). A line that is not such an object, or that names a clip a
    second time, is an error naming ``source`` and the line's number."""
    captions: dict[str, str] = {}
    first_line: dict[str, int] = {}
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = f"{source} line {number}"
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ClozeEvalError(f"{where}: not JSON ({exc.msg})") from None
        if not isinstance(value, dict):
            raise ClozeEvalError(f"{where}: expected an object {{clip_id, caption}}")
        clip_id, caption = value.get("clip_id"), value.get("caption")
        if not isinstance(clip_id, str) or not clip_id:
            raise ClozeEvalError(f"{where}: 'clip_id' must be a non-empty string")
        if not isinstance(caption, str):
            raise ClozeEvalError(f"{where}: 'caption' must be a string")
        if clip_id in captions:
            raise ClozeEvalError(
                f"{where}: clip {clip_id!r} already has a caption (line {first_line[clip_id]})"
            )
        captions[clip_id], first_line[clip_id] = caption, number
    return captions


def cloze_items(rows: Iterable[Mapping[str, Any]]) -> list[ClozeItem]:
    """The cloze items of a version's rows, in row order (rows whose ``cloze`` is None have
    none); a clip with two items is refused, since its blank ids would clash."""
    items: dict[str, ClozeItem] = {}
    for row in rows:
        if not row.get("cloze"):
            continue
        item = ClozeItem(clip_id=row["clip_id"], blanks=blanks_from_record(row["cloze"]))
        if item.clip_id in items:
            raise ClozeEvalError(f"clip {item.clip_id!r} has two cloze items in the version")
        items[item.clip_id] = item
    return list(items.values())


def request_id(blank: Blank) -> str:
    """The id of a blank's answer request, by which its result is found."""
    return f"cloze-answer:{blank.blank_id}"


def _captioned(captions: Mapping[str, str], clip_id: str) -> str | None:
    caption = captions.get(clip_id)
    return caption if caption and caption.strip() else None


def answer_requests(
    items: Sequence[ClozeItem], captions: Mapping[str, str], *, seed: int = 0
) -> list[Request]:
    """One request per blank of every clip that has a caption, in item and blank order."""
    return [
        answer_request(blank, caption, request_id=request_id(blank), seed=seed)
        for item in items
        if (caption := _captioned(captions, item.clip_id)) is not None
        for blank in item.blanks
    ]


def _answer(result: Result | None) -> tuple[str | None, str | None]:
    """The answer text of a result, or why there is none (``engine_error:<kind>``)."""
    if result is None:
        return None, "missing_answer"
    if result.error is not None or not result.completions:
        return None, f"engine_error:{result.error_kind or 'other'}"
    return result.completions[0].text, None


def evaluate(
    items: Sequence[ClozeItem], captions: Mapping[str, str], results: Sequence[Result]
) -> ClozeEvaluation:
    """Mark every blank by the engine's answer (``results`` of ``answer_requests``, matched by
    request id); blanks without a caption or an answer are wrong, with their reason."""
    by_id = {result.request_id: result for result in results}
    answers: dict[str, str | None] = {}
    failed: dict[str, str] = {}
    blanks: list[tuple[ClozeItem, Blank]] = []
    for item in items:
        has_caption = _captioned(captions, item.clip_id) is not None
        for blank in item.blanks:
            blanks.append((item, blank))
            if not has_caption:
                answers[blank.blank_id], failed[blank.blank_id] = None, NO_CAPTION
                continue
            answers[blank.blank_id], why = _answer(by_id.get(request_id(blank)))
            if why:
                failed[blank.blank_id] = why
    scored = score([blank for _, blank in blanks], answers)
    lines = [
        {
            "clip_id": item.clip_id,
            "blank_id": blank.blank_id,
            "tag": blank.tag,
            "answer": parse_answer(answers[blank.blank_id]),
            "correct": scored.marks[blank.blank_id].passed,
        }
        for item, blank in blanks
    ]
    reasons = Counter(
        failed.get(blank.blank_id) or scored.marks[blank.blank_id].code for _, blank in blanks
    )
    correct = Counter(blank.tag for _, blank in blanks if scored.marks[blank.blank_id].passed)
    held = {item.clip_id for item in items}
    counts = {
        "items": len(items),
        "blanks": len(blanks),
        "asked": sum(1 for _, blank in blanks if failed.get(blank.blank_id) != NO_CAPTION),
        "clips_without_caption": sum(1 for i in items if _captioned(captions, i.clip_id) is None),
        "captions_unused": sum(1 for clip_id in captions if clip_id not in held),
        "blanks_per_tag": dict(scored.counts),
        "correct_per_tag": {tag: correct[tag] for tag in TAGS},
        "reasons": dict(sorted(reasons.items())),
    }
    return ClozeEvaluation(lines=lines, score=scored, counts=counts)
