"""Answers as timelines: events stamped with their time in the clip, chosen by the question.

Every observer turns its analysis into ``Event``s (``[0.3–2.5 s] says "hello world"``). A
question selects among them by plain matching, nothing cleverer:

- a time window in its words: ``between 2 and 5 s``, ``from 1.5 s to 3 s``, ``2–5 s``, ``at 3 s``
  (±1 s), ``after 4 s``, ``before 4 s``, ``first 3 seconds``, ``last 3 seconds``, ``0:05``;
- topics by keyword (``said`` → speech, ``text``/``written`` → on-screen text, ``cut``/``scene``
  → cuts, ``colour`` → colours, ``moving`` → motion, ``silence``, ``pitch``/``loud`` → sound,
  ``onset``/``beat`` → onsets); no topic named is every topic of the tool;
- quoted words (``when is "umbrella" said``) keep the speech and text events that contain them.

Speech events are cut to the words inside the window.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

COLOUR_NAMES = (
    "black", "white", "grey", "gray", "red", "orange", "brown", "yellow", "green", "cyan",
    "blue", "purple", "pink",
)  # fmt: skip

TOPICS: dict[str, tuple[str, ...]] = {
    "speech": (
        "say", "said", "speak", "spoke", "speech", "talk", "voice", "transcri", "utter",
        "hear", "heard", "mention", "dialog", "narrat", "told", "tell", "pronounc", "lyric",
    ),
    "text": (
        "text", "written", "writ", "caption", "subtitle", "title", "sign", "read", "letter",
        "on screen", "on-screen", "displayed", "ocr", "label", "number", "digit",
    ),
    "cut": ("cut", "scene", "shot", "transition", "edit"),
    "colour": ("colour", "color", *COLOUR_NAMES),
    "motion": ("motion", "move", "moving", "movement", "direction", "travel", "still", "static"),
    "silence": ("silen", "quiet", "pause", "gap", "mute"),
    "sound": (
        "sound", "loud", "volume", "level", "db", "pitch", "tone", "frequen", "hz", "note",
        "beep", "hum", "noise", "music", "audio",
    ),
    "onsets": ("onset", "beat", "hit", "attack", "click", "rhythm", "tempo"),
}  # fmt: skip
"""Topic → words whose mention selects it (prefixes at a word start)."""
TOPIC_ORDER = ("cut", "colour", "text", "speech", "sound", "silence", "onsets", "motion")
"""The order of events that start at the same time."""

_TOPIC_PATTERNS = {
    topic: re.compile(r"\b(?:" + "|".join(re.escape(w) for w in words) + r")", re.IGNORECASE)
    for topic, words in TOPICS.items()
}
_NUM = r"(\d+:\d{1,2}(?:\.\d+)?|\d+(?:\.\d+)?)"
_UNIT = r"\s*(?:s\b|secs?\b|seconds?\b)"
_WINDOWS = (
    ("span", re.compile(rf"between\s+{_NUM}(?:{_UNIT})?\s+and\s+{_NUM}", re.I)),
    ("span", re.compile(rf"from\s+{_NUM}(?:{_UNIT})?\s+(?:to|until|till)\s+{_NUM}", re.I)),
    ("span", re.compile(rf"{_NUM}(?:{_UNIT})?\s*(?:-|–|—|to)\s*{_NUM}{_UNIT}", re.I)),
    ("first", re.compile(rf"first\s+{_NUM}{_UNIT}", re.I)),
    ("last", re.compile(rf"last\s+{_NUM}{_UNIT}", re.I)),
    ("after", re.compile(rf"after\s+{_NUM}(?:{_UNIT}|(?=\s|$|[?.,]))", re.I)),
    ("before", re.compile(rf"before\s+{_NUM}(?:{_UNIT}|(?=\s|$|[?.,]))", re.I)),
    ("at", re.compile(rf"(?:at|around|near)\s+{_NUM}{_UNIT}", re.I)),
    ("at", re.compile(r"(?:at|around|near)\s+(\d+:\d{1,2}(?:\.\d+)?)", re.I)),
)
_QUOTED = re.compile(r"\"([^\"]+)\"|“([^”]+)”|(?<!\w)'([^']+)'(?!\w)")


@dataclass(frozen=True)
class Event:
    """Something an observer found, from ``start`` to ``end`` s in the clip."""

    start: float
    end: float
    topic: str
    text: str
    data: dict[str, Any] = field(default_factory=dict)
    """What a check may read: the words of speech, a tone's frequency, ..."""
    digits: int = 1

    def line(self) -> str:
        """``[0.3–2.5 s] says "hello world"``."""
        return f"{stamp(self.start, self.end, self.digits)} {self.text}"


@dataclass(frozen=True)
class Selection:
    """The events a question chose, the window it named, and notes on its quoted words."""

    events: list[Event]
    window: tuple[float, float] | None
    notes: list[str]


def stamp(start: float, end: float, digits: int = 1) -> str:
    """``[0.3–2.5 s]``, or ``[4.00 s]`` for an instant."""
    if round(end - start, digits) <= 0:
        return f"[{start:.{digits}f} s]"
    return f"[{start:.{digits}f}–{end:.{digits}f} s]"


def seconds(text: str) -> float:
    """``12.5`` or ``1:05.5`` in seconds."""
    if ":" in text:
        minutes, _, rest = text.partition(":")
        return int(minutes) * 60 + float(rest)
    return float(text)


def time_window(question: str, duration_s: float) -> tuple[float, float] | None:
    """The span of the clip the question asks about, if it names one."""
    for kind, pattern in _WINDOWS:
        if (found := pattern.search(question)) is None:
            continue
        values = [seconds(g) for g in found.groups() if g is not None]
        a = values[0]
        if kind == "span":
            return min(values), max(values)
        if kind == "first":
            return 0.0, a
        if kind == "last":
            return max(0.0, duration_s - a), duration_s
        if kind == "after":
            return a, duration_s
        if kind == "before":
            return 0.0, a
        return max(0.0, a - 1.0), a + 1.0
    return None


def topics_named(question: str, offered: Sequence[str]) -> tuple[str, ...]:
    """The topics among ``offered`` that the question names, else all of them."""
    named = tuple(t for t in offered if _TOPIC_PATTERNS[t].search(question))
    return named or tuple(offered)


def quoted_terms(question: str) -> tuple[str, ...]:
    """The words a question quotes (``"umbrella"``, ``'umbrella'``, curly quotes)."""
    return tuple(next(g for g in m.groups() if g).strip() for m in _QUOTED.finditer(question))


def _normal(text: str) -> str:
    """Lower-case words and digits only, so ``Hello,`` matches ``hello``."""
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


def select(
    events: Sequence[Event], question: str, *, duration_s: float, topics: Sequence[str]
) -> Selection:
    """The events the question asks about (see the module's docstring), in time order."""
    window = time_window(question, duration_s)
    wanted = topics_named(question, topics)
    chosen = [e for e in events if e.topic in wanted]
    if window is not None:
        chosen = [cut for e in chosen if (cut := _within(e, window)) is not None]
    terms = quoted_terms(question)
    notes = []
    searchable = [e for e in chosen if e.topic in ("speech", "text")]
    if terms and searchable:
        found = [
            e
            for e in searchable
            if any(_normal(t) and _normal(t) in _normal(e.text) for t in terms)
        ]
        if found:
            chosen = [e for e in chosen if e.topic not in ("speech", "text") or e in found]
            notes += [
                f'"{term}" is said at {stamp(a, b)}'
                for term in terms
                for e in found
                for a, b in _said_at(e, term)
            ]
        else:
            listed = ", ".join(f'"{t}"' for t in terms)
            notes.append(f"{listed}: not in any speech or text found; everything found follows")
    chosen.sort(key=lambda e: (e.start, TOPIC_ORDER.index(e.topic), e.end))
    return Selection(chosen, window, notes)


def _said_at(event: Event, term: str) -> list[tuple[float, float]]:
    """Where the words of ``term`` are said in a speech event, one after another."""
    wanted = _normal(term).split()
    words = [(w[0], w[1], _normal(w[2])) for w in event.data.get("words", [])]
    if not wanted or event.topic != "speech":
        return []
    spans = []
    for i in range(len(words) - len(wanted) + 1):
        if all(words[i + k][2] == w for k, w in enumerate(wanted)):
            spans.append((words[i][0], words[i + len(wanted) - 1][1]))
    return spans


def _within(event: Event, window: tuple[float, float]) -> Event | None:
    """The part of ``event`` inside ``window``: an instant in it, a span that overlaps it."""
    start, end = window
    if event.end <= event.start:
        return event if start <= event.start <= end else None
    if event.end <= start or event.start >= end:
        return None
    words = event.data.get("words")
    if event.topic != "speech" or not words:
        return event
    kept = [w for w in words if w[1] > start and w[0] < end]
    if not kept:
        return None
    text = "".join(w[2] for w in kept).strip()
    return Event(kept[0][0], kept[-1][1], "speech", f'says "{text}"', {"words": kept})


def answer_text(selection: Selection, *, heading: str, duration_s: float, nothing: str) -> str:
    """A heading with the span covered, then one stamped line per event (or ``nothing``)."""
    span = selection.window or (0.0, duration_s)
    covered = stamp(max(0.0, span[0]), min(duration_s, span[1]))
    lines = [f"{heading}, {covered} of a {duration_s:.1f} s clip:"]
    lines += selection.notes
    if selection.events:
        lines += [e.line() for e in selection.events]
    else:
        lines.append(f"{covered} {nothing}")
    return "\n".join(lines)
