"""Omni-Cloze (arXiv 2510.12720): a caption's details blanked out as questions, and their scores.

A blank is a detail of the caption (a number with its unit, a short quote, a name, a colour, a
content word) that some observation of the caption's evidence trail also states, so that every
answer key is something an observer found rather than something the detective made up. Its tag
says which sense found it: ``ocr``/``video`` → visual, ``asr``/``audio`` → auditory, both →
audio-visual; ``describe`` and ``omni`` (which mix both senses) decide only when no single-sense
tool states it, else turn 0's ``describe`` would make every blank audio-visual. A detail stated
twice in the caption is never blanked: the copy left standing would give the answer away.

Blanks are drawn one per sentence in turn (specific details before plain words), seeded by the
run's seed and the clip, and shown as ``[1]``, ``[2]``...: numbered, because a caption holds
several and each question names its own. The options (A–D and E "not given") are made by
``cloze_options``; scoring asks an engine, given only a candidate caption, which option fills
one blank (``answer_request``, ``parse_answer``) and counts accuracy per tag (``score``).
"""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any, Literal, get_args

from datagen.generators.engines.base import Request, ResponseFormat, Sampling
from datagen.generators.sampling import stable_int
from datagen.verifiers.verdict import Verdict

Tag = Literal["visual", "auditory", "audio-visual"]
TAGS: tuple[str, ...] = get_args(Tag)
DetailKind = Literal["quote", "number", "name", "colour", "word"]
OptionSource = Literal["answer", "pool", "engine", "rule"]
LETTERS = ("A", "B", "C", "D", "E")
NOT_GIVEN = "not given"
"""Option E of every blank: the candidate caption does not say."""
TOOL_SENSES: dict[str, Tag] = {
    "ocr": "visual",
    "video": "visual",
    "asr": "auditory",
    "audio": "auditory",
    "describe": "audio-visual",
    "omni": "audio-visual",
}
"""The sense of each observer tool; a tool not listed here supports no blank."""
QUOTE_MAX_WORDS = 6
"""Longer quotes (transcripts) are not one blank; their words may be."""

_TOKEN = re.compile(r"\d+(?:\.\d+)?|[^\W\d_]+|%")
_SYNONYMS = {"sec": "s", "secs": "s", "second": "s", "seconds": "s", "gray": "grey"}
_FAILED = re.compile(r"^\s*(?:error|timeout)\s*:", re.IGNORECASE)
_QUOTE = re.compile(r'"([^"\n]+)"|“([^”\n]+)”')
_BOUNDARY = re.compile(r"([.!?][\"”’)]*)(\s+)(?=[A-Z\"“(\[])")
_UNITS = "kHz|Hz|dBFS|dB|ms|seconds|second|secs|sec|s|px/s|px|fps|%|frames|minutes|min|percent"
_NUM = r"\d+(?::\d{2})?(?:\.\d+)?"
_NUMBER = re.compile(
    rf"(?:(?<![\w.:\-–—])[-−])?(?<![\w.:]){_NUM}(?:\s*[–—-]\s*{_NUM})?(?:\s?(?:{_UNITS})(?![A-Za-z]))?(?![\w])"
)
_NAME = re.compile(r"\b[A-Z][\w'’-]*[A-Za-z0-9](?:\s+[A-Z][\w'’-]*[A-Za-z0-9])*")
_WORD = re.compile(r"\b[A-Za-z][a-z'’-]*[a-z]\b")
_ANSWER = re.compile(
    r"^\s*(?:(?:the\s+)?answer\s*(?:is)?\s*[:\-]?\s*)?[(\[]?([A-E])[)\].:]?(?:\s|$)", re.IGNORECASE
)


# --- normalisation and word lists ---------------------------------------------------------


def normal_tokens(text: str) -> tuple[str, ...]:
    """Lower-case words and numbers, units and plurals folded, so that ``4.0 seconds`` is
    ``4 s`` and ``Boxes`` is ``box``: a caption and an observation agree when these do."""
    return tuple(_canonical(t) for t in _TOKEN.findall(text.lower()))


def normal(text: str) -> str:
    return " ".join(normal_tokens(text))


def _canonical(token: str) -> str:
    if token[0].isdigit():
        value = repr(float(token))
        return value[:-2] if value.endswith(".0") else value
    token = _SYNONYMS.get(token, token)
    if len(token) <= 3 or token.endswith(("ss", "us", "is")):
        return token
    if token.endswith("ies"):
        return token[:-3] + "y"
    if token.endswith(("ses", "xes", "zes", "ches", "shes")):
        return token[:-2]
    return token[:-1] if token.endswith("s") else token


def parse_word_lists(text: str) -> dict[str, tuple[str, ...]]:
    """``[section]`` → its words, from the shipped file's layout (comments after ``#``)."""
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1].strip(), [])
        elif line:
            if current is None:
                raise ValueError(f"word list line {line!r} comes before any [section]")
            current.append(line)
    return {name: tuple(dict.fromkeys(words)) for name, words in sections.items()}


@cache
def word_lists() -> dict[str, tuple[str, ...]]:
    """The shipped ``cloze_words.txt`` (package data), read once."""
    path = files("datagen.generators.omni").joinpath("cloze_words.txt")
    return parse_word_lists(path.read_text(encoding="utf-8"))


# --- details ------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Detail:
    """A stretch of the caption that could be blanked: ``caption[start:end] == text``."""

    text: str
    kind: DetailKind
    sentence: int
    start: int
    end: int


def sentence_spans(caption: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each sentence; a ``.``, ``!`` or ``?`` inside a quote ends none."""
    quotes = [m.span() for m in _QUOTE.finditer(caption)]
    spans, start = [], 0
    for m in _BOUNDARY.finditer(caption):
        if any(a < m.start() and m.end(1) < b for a, b in quotes):
            continue
        spans.append((start, m.end(1)))
        start = m.end()
    if caption[start:].strip():
        spans.append((start, len(caption.rstrip())))
    return spans


def find_details(caption: str) -> list[Detail]:
    """Every candidate detail in caption order, none overlapping another: short quotes first,
    then numbers, names (capitalised, not opening a sentence or quote), colours, and lower-case
    content words outside the stop list."""
    words = word_lists()
    stop, colours = set(words["stop"]), set(words["colour"])
    not_names = stop | colours
    spans = sentence_spans(caption)
    openers = {a + len(caption[a:b]) - len(caption[a:b].lstrip("\"“'( ")) for a, b in spans}
    found: list[tuple[int, int, DetailKind]] = []
    taken = [False] * len(caption)

    def add(start: int, end: int, kind: DetailKind) -> None:
        if end > start and not any(taken[start:end]):
            taken[start:end] = [True] * (end - start)
            found.append((start, end, kind))

    for m in _QUOTE.finditer(caption):
        group = 1 if m.group(1) is not None else 2
        openers.add(m.start(group))
        inner = m.group(group)
        trimmed = inner.rstrip(" .,;:!?")  # the sentence's punctuation stays outside the blank
        start = m.start(group) + len(trimmed) - len(trimmed.lstrip())
        if 1 <= len(normal_tokens(trimmed)) <= QUOTE_MAX_WORDS:
            add(start, m.start(group) + len(trimmed), "quote")
    for m in _NUMBER.finditer(caption):
        add(*m.span(), "number")
    for m in _NAME.finditer(caption):
        start, end = m.span()
        if start in openers:  # "The", "Hello": capitalised by position, not names
            rest = re.match(r"\S+\s+", caption[start:end])
            start = start + rest.end() if rest else end
        if caption[start:end].lower() not in not_names:
            add(start, end, "name")
    for m in _WORD.finditer(caption):
        lower = m.group().lower()
        if lower in colours:
            add(*m.span(), "colour")
        elif m.group().islower() and lower not in stop and len(lower) >= 3:
            add(*m.span(), "word")
    found.sort()

    def sentence_of(at: int) -> int:
        return next((i for i, (a, b) in enumerate(spans) if a <= at < b), len(spans) - 1)

    return [
        Detail(text=caption[a:b], kind=kind, sentence=sentence_of(a), start=a, end=b)
        for a, b, kind in found
    ]


# --- support and tags ---------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Support:
    """The observations that state a detail: their tools and turns, in trail order."""

    tools: tuple[str, ...]
    turns: tuple[int, ...]


def tag_of(tools: Iterable[str]) -> Tag | None:
    """The blank's sense: single-sense tools decide; ``describe``/``omni`` only when alone."""
    senses = {TOOL_SENSES[t] for t in tools if t in TOOL_SENSES}
    single = senses - {"audio-visual"}
    if len(single) == 1:
        return next(iter(single))
    return "audio-visual" if senses else None


def _observed(evidence: Sequence[Mapping[str, Any]]) -> list[tuple[str, int, str]]:
    """``(tool, turn, " normal text ")`` of each answered observation of a known tool (an
    ``error:``/``timeout:`` answer states nothing; a question is not an observation)."""
    seen = []
    for item in evidence:
        text, tool = item.get("observation"), item.get("tool")
        if isinstance(text, str) and tool in TOOL_SENSES and not _FAILED.match(text):
            seen.append((str(tool), int(item.get("turn", 0)), f" {normal(text)} "))
    return seen


def support(text: str, evidence: Sequence[Mapping[str, Any]]) -> Support | None:
    """Which observations state ``text`` (whole normal tokens, in order), if any do."""
    needle = normal(text)
    if not needle:
        return None
    hits = [(tool, turn) for tool, turn, seen in _observed(evidence) if f" {needle} " in seen]
    if not hits:
        return None
    return Support(
        tools=tuple(dict.fromkeys(t for t, _ in hits)),
        turns=tuple(dict.fromkeys(n for _, n in hits)),
    )


def _core(detail: Detail) -> str:
    """What a second mention would give away: a number's value without its unit."""
    if detail.kind == "number":
        return " ".join(t for t in normal_tokens(detail.text) if t[0].isdigit())
    return normal(detail.text)


def eligible_details(
    caption: str, evidence: Sequence[Mapping[str, Any]]
) -> list[tuple[Detail, Support, Tag]]:
    """The details an observation states and the caption mentions once, with their tags."""
    hay = f" {normal(caption)} "
    chosen = []
    for detail in find_details(caption):
        core = _core(detail)
        if not core or hay.count(f" {core} ") > 1:
            continue
        found = support(detail.text, evidence)
        tag = tag_of(found.tools) if found else None
        if found is not None and tag is not None:
            chosen.append((detail, found, tag))
    return chosen


# --- blanks -------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Blank:
    """One question: ``answer`` was ``caption[start:end]``; ``context`` is its sentence with
    the blanks shown as ``[n]``. Options are filled in by ``cloze_options``."""

    blank_id: str
    number: int
    answer: str
    kind: DetailKind
    tag: Tag
    tools: tuple[str, ...]
    turns: tuple[int, ...]
    start: int
    end: int
    context: str
    options: tuple[str, ...] = ()
    """A–E: four for A–D (the answer among them), then ``NOT_GIVEN``."""
    option_sources: tuple[OptionSource, ...] = ()
    """Where each of A–D came from."""
    answer_letter: str | None = None


def marker(number: int) -> str:
    return f"[{number}]"


def blank_id(clip_id: str, number: int) -> str:
    """A blank's id: its clip and its number, unique within a version (one item per clip)."""
    return f"{clip_id}:{number}"


def choose_blanks(
    caption: str,
    evidence: Sequence[Mapping[str, Any]],
    *,
    clip_id: str,
    max_blanks: int,
    seed: int,
) -> tuple[Blank, ...]:
    """Up to ``max_blanks`` eligible details, one sentence at a time in a seeded order (within
    a sentence, quotes, numbers, names and colours before plain words), numbered in caption
    order. Empty when no observation supports any detail."""
    if max_blanks < 1:
        raise ValueError(f"max_blanks must be >= 1, got {max_blanks}")
    rng = random.Random(stable_int("omni-cloze", seed, clip_id))
    by_sentence: dict[int, list[tuple[Detail, Support, Tag]]] = {}
    for found in eligible_details(caption, evidence):
        by_sentence.setdefault(found[0].sentence, []).append(found)
    queues = []
    for sentence in sorted(by_sentence):
        group = by_sentence[sentence]
        rng.shuffle(group)
        group.sort(key=lambda found: found[0].kind == "word")  # stable: keeps the shuffle
        queues.append(group)
    rng.shuffle(queues)
    picked: list[tuple[Detail, Support, Tag]] = []
    while len(picked) < max_blanks and any(queues):
        for queue in queues:
            if queue and len(picked) < max_blanks:
                picked.append(queue.pop(0))
    picked.sort(key=lambda found: found[0].start)
    numbered = [(n, d) for n, (d, _, _) in enumerate(picked, 1)]
    spans = sentence_spans(caption)
    return tuple(
        Blank(
            blank_id=blank_id(clip_id, number),
            number=number,
            answer=detail.text,
            kind=detail.kind,
            tag=tag,
            tools=found.tools,
            turns=found.turns,
            start=detail.start,
            end=detail.end,
            context=_blanked(caption, numbered, *spans[detail.sentence]),
        )
        for (number, detail), (_, found, tag) in zip(numbered, picked, strict=True)
    )


def _blanked(caption: str, numbered: Sequence[tuple[int, Detail]], start: int, end: int) -> str:
    """``caption[start:end]`` with every detail inside it replaced by its marker."""
    text = caption[start:end]
    for number, detail in sorted(numbered, key=lambda nd: -nd[1].start):
        if start <= detail.start and detail.end <= end:
            a, b = detail.start - start, detail.end - start
            text = text[:a] + marker(number) + text[b:]
    return text


def cloze_text(caption: str, blanks: Sequence[Blank]) -> str:
    """The caption with each blank's answer replaced by its ``[n]``."""
    for blank in sorted(blanks, key=lambda b: -b.start):
        caption = caption[: blank.start] + marker(blank.number) + caption[blank.end :]
    return caption


def cloze_record(*, clip_id: str, caption: str, blanks: Sequence[Blank], seed: int) -> dict:
    """The ``omni/cloze.v1`` record of one caption whose blanks all have their options."""
    if not blanks or any(len(b.options) != len(LETTERS) for b in blanks):
        raise ValueError(f"clip {clip_id!r}: a cloze record needs blanks with options A–E")
    return {
        "cloze_id": f"{stable_int('omni-cloze-id', clip_id, caption, seed):016x}",
        "clip_id": clip_id,
        "caption": caption,
        "cloze_text": cloze_text(caption, blanks),
        "seed": seed,
        "blanks": [
            {
                "number": b.number,
                "answer": b.answer,
                "kind": b.kind,
                "tag": b.tag,
                "tools": list(b.tools),
                "turns": list(b.turns),
                "start": b.start,
                "end": b.end,
                "context": b.context,
                "options": list(b.options),
                "option_sources": list(b.option_sources),
                "answer_letter": b.answer_letter,
            }
            for b in blanks
        ],
    }


def blanks_from_record(item: Mapping[str, Any]) -> tuple[Blank, ...]:
    """The blanks of a stored ``omni/cloze.v1`` record, as they were when ``cloze_record`` wrote
    them: what scoring a version's items needs, without the caption's evidence."""
    clip_id = item["clip_id"]
    return tuple(
        Blank(
            blank_id=blank_id(clip_id, b["number"]),
            number=b["number"],
            answer=b["answer"],
            kind=b["kind"],
            tag=b["tag"],
            tools=tuple(b["tools"]),
            turns=tuple(b["turns"]),
            start=b["start"],
            end=b["end"],
            context=b["context"],
            options=tuple(b["options"]),
            option_sources=tuple(b["option_sources"]),
            answer_letter=b["answer_letter"],
        )
        for b in item["blanks"]
    )


# --- scoring ------------------------------------------------------------------------------

ANSWER_SYSTEM = (
    "You answer fill-in-the-blank questions about a media clip using only a description of "
    "it. Pick the option that the description states. If the description does not say, pick "
    "E (not given); do not guess. Reply with one letter."
)


def answer_request(
    blank: Blank, caption: str, *, request_id: str | None = None, seed: int = 0
) -> Request:
    """The question for one blank to an engine that sees only ``caption`` (the candidate's)."""
    if len(blank.options) != len(LETTERS):
        raise ValueError(f"blank {blank.blank_id!r} has no options A–E yet")
    listed = "\n".join(
        f"{letter}. {text}" for letter, text in zip(LETTERS, blank.options, strict=True)
    )
    user = (
        f"Description:\n{caption}\n\nSentence: {blank.context}\n\n"
        f"Which option fills {marker(blank.number)}?\n{listed}\n\nAnswer with one letter."
    )
    return Request(
        request_id=request_id or f"cloze-answer:{blank.blank_id}",
        messages=({"role": "system", "content": ANSWER_SYSTEM}, {"role": "user", "content": user}),
        sampling=Sampling(temperature=0.0, max_tokens=4, seed=seed),
        response_format=ResponseFormat(kind="choice", choice=LETTERS),
    )


def parse_answer(text: str | None) -> str | None:
    """The letter A–E an answer opens with (``b``, ``(C)``, ``Answer: D``), else ``None``."""
    if not isinstance(text, str):
        return None
    found = _ANSWER.match(text)
    return found.group(1).upper() if found else None


def mark(blank: Blank, text: str | None) -> Verdict:
    """1 for the right letter; else 0 with ``wrong``, ``not_given``, ``malformed_answer`` or
    ``missing_answer``."""
    if text is None:
        return Verdict(0.0, False, "missing_answer")
    letter = parse_answer(text)
    if letter is None:
        return Verdict(0.0, False, f"malformed_answer: {text[:40]!r}")
    if letter == blank.answer_letter:
        return Verdict(1.0, True, "correct")
    if letter == "E":
        return Verdict(0.0, False, "not_given")
    return Verdict(0.0, False, f"wrong: {letter} for {blank.answer_letter}")


@dataclass(frozen=True, kw_only=True)
class ClozeScore:
    """Accuracy overall and per tag (``None`` where there are no blanks), with the counts."""

    overall: float | None
    per_tag: dict[str, float | None]
    counts: dict[str, int]
    reasons: dict[str, int]
    marks: dict[str, Verdict]


def score(blanks: Sequence[Blank], answers: Mapping[str, str | None]) -> ClozeScore:
    """Mark each blank by its answer text (keyed by ``blank_id``; a missing one is wrong)."""
    marks = {b.blank_id: mark(b, answers.get(b.blank_id)) for b in blanks}
    right: Counter[str] = Counter()
    counts: Counter[str] = Counter()
    for blank in blanks:
        counts[blank.tag] += 1
        right[blank.tag] += marks[blank.blank_id].passed
    total = sum(counts.values())
    return ClozeScore(
        overall=sum(right.values()) / total if total else None,
        per_tag={t: right[t] / counts[t] if counts[t] else None for t in TAGS},
        counts={t: counts[t] for t in TAGS},
        reasons=dict(Counter(v.code for v in marks.values())),
        marks=marks,
    )
