"""The options of an Omni-Cloze blank: A–D (the answer and three distractors), E "not given".

Distractors come, in this order, from other clips' details of the same kind (``DistractorPool``,
built across a run: real caption text, the hardest to tell from the answer), from an engine
(``distractor_request`` and ``parse_distractors``, for blanks the pool is short for), and from
rules (numbers shifted keeping their unit and format, words from the shipped lists). "Same
kind" is finer than a detail's kind (``option_key``): a number's unit and shape are part of it,
so ``440 Hz`` never gets ``4.0 s`` beside it, and a word's family in the lists (a sound for a
sound). A distractor differs from the answer and from the others after normalisation, and from
everything the clip's own caption states: a detail true elsewhere in the clip would make two
options right. Each choice is seeded by the run's seed and the blank, one seed per purpose, so
an engine's different answer does not move the right letter.
"""

from __future__ import annotations

import json
import math
import random
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace

from datagen.generators.engines.base import Request, ResponseFormat, Sampling
from datagen.generators.omni.cloze import (
    LETTERS,
    NOT_GIVEN,
    Blank,
    DetailKind,
    OptionSource,
    find_details,
    normal,
    normal_tokens,
    word_lists,
)
from datagen.generators.sampling import stable_int

DISTRACTORS = len(LETTERS) - 2
"""Three: A–D hold the answer and these; E is ``NOT_GIVEN``."""
MAX_OPTION_CHARS = 80
_NUMERAL = re.compile(r"(?:(?<![\w.])([-−]))?(?:(\d+):(\d{2}(?:\.\d+)?)|(\d+(?:\.\d+)?))")
_LETTERS_RUN = re.compile(r"[^\W\d_]+")
_NOT_FAMILIES = ("stop", "colour", "name")


def option_key(text: str, kind: DetailKind) -> str:
    """The finer kind distractors share: ``number:value:hz``, ``number:range:s``,
    ``number:time:``, ``word:sound``, ``word:`` (no family), ``colour``, ``name``, ``quote``."""
    if kind == "number":
        tokens = normal_tokens(text)
        unit = " ".join(t for t in tokens if not t[0].isdigit())
        count = sum(t[0].isdigit() for t in tokens)
        shape = "time" if ":" in text else "range" if count > 1 else "value"
        return f"number:{shape}:{unit}"
    if kind == "word":
        return f"word:{family(text) or ''}"
    return kind


def family(word: str) -> str | None:
    """The word list section holding ``word`` (not stop, colour or name), if one does."""
    wanted = normal(word)
    for name, words in word_lists().items():
        if name not in _NOT_FAMILIES and any(normal(w) == wanted for w in words):
            return name
    return None


# --- the pool -----------------------------------------------------------------------------


@dataclass(frozen=True)
class DistractorPool:
    """Every caption's details by ``option_key``: ``key → ((clip_id, text), ...)``."""

    entries: Mapping[str, tuple[tuple[str, str], ...]]

    def draw(self, key: str, *, clip_id: str, rng: random.Random) -> list[str]:
        """Other clips' texts of ``key``, one per normal form, in a seeded order."""
        seen: dict[str, str] = {}
        for owner, text in self.entries.get(key, ()):
            if owner != clip_id:
                seen.setdefault(normal(text), text)
        texts = [seen[n] for n in sorted(seen)]
        rng.shuffle(texts)
        return texts


def build_pool(captions: Iterable[tuple[str, str]]) -> DistractorPool:
    """The pool of a run's ``(clip_id, caption)`` pairs (every detail, blanked or not)."""
    entries: dict[str, list[tuple[str, str]]] = {}
    for clip_id, caption in captions:
        for detail in find_details(caption):
            entries.setdefault(option_key(detail.text, detail.kind), []).append(
                (clip_id, detail.text)
            )
    return DistractorPool({key: tuple(sorted(found)) for key, found in entries.items()})


# --- engine-written -----------------------------------------------------------------------

DISTRACTOR_SYSTEM = (
    "You write wrong answers for fill-in-the-blank questions about a media clip. Each must be "
    "the same kind of thing as the right answer (the same unit and format for a number, a "
    "colour for a colour, a short phrase for a quote), plausible, and clearly different from "
    "the right answer and from each other. Reply with JSON only."
)


def distractor_schema(count: int = DISTRACTORS) -> dict:
    return {
        "type": "object",
        "properties": {
            "distractors": {
                "type": "array",
                "items": {"type": "string", "minLength": 1, "maxLength": MAX_OPTION_CHARS},
                "minItems": count,
                "maxItems": count,
            }
        },
        "required": ["distractors"],
        "additionalProperties": False,
    }


def distractor_request(
    blank: Blank, *, count: int = DISTRACTORS, request_id: str | None = None, seed: int = 0
) -> Request:
    """Ask for ``count`` wrong answers to ``blank``, as ``{"distractors": [...]}``."""
    user = (
        f"Sentence: {blank.context}\nThe right answer for [{blank.number}] is: {blank.answer}\n"
        f"It is a {blank.kind}. Write {count} wrong answers for [{blank.number}] as "
        '{"distractors": [...]}.'
    )
    return Request(
        request_id=request_id or f"cloze-distractors:{blank.blank_id}",
        messages=(
            {"role": "system", "content": DISTRACTOR_SYSTEM},
            {"role": "user", "content": user},
        ),
        sampling=Sampling(temperature=0.7, max_tokens=40 * count, seed=seed),
        response_format=ResponseFormat(kind="json_schema", json_schema=distractor_schema(count)),
    )


@dataclass(frozen=True, kw_only=True)
class Distractors:
    """What an engine's answer gave: usable texts, how many it dropped, and why none, if so."""

    texts: tuple[str, ...]
    dropped: int = 0
    reason: str | None = None


def parse_distractors(text: str | None, *, answer: str = "") -> Distractors:
    """The distinct usable strings of ``{"distractors": [...]}`` (a bare list, or one inside a
    code fence, is taken too); duplicates, blanks, "not given" and ``answer`` are dropped."""
    if not isinstance(text, str):
        return Distractors(texts=(), reason="missing_answer")
    body = re.sub(r"^\s*```(?:json)?\s*|\s*```\s*$", "", text)
    try:
        decoded = json.loads(body)
    except json.JSONDecodeError as exc:
        return Distractors(texts=(), reason=f"malformed_json: {exc.msg}")
    items = decoded.get("distractors") if isinstance(decoded, dict) else decoded
    if not isinstance(items, list):
        return Distractors(texts=(), reason="no_distractor_list")
    kept = _usable([i.strip() for i in items if isinstance(i, str)], answer=answer)
    dropped = len(items) - len(kept)
    return Distractors(
        texts=tuple(kept), dropped=dropped, reason=None if kept else "no_usable_distractor"
    )


def _usable(texts: Iterable[str], *, answer: str, avoid: Iterable[str] = ()) -> list[str]:
    """``texts`` in order without the answer, "not given", ``avoid``, repeats (all after
    normalisation), empty or overlong ones."""
    taken = {normal(answer), normal(NOT_GIVEN), *(normal(a) for a in avoid)}
    kept = []
    for text in texts:
        key = normal(text)
        if key and key not in taken and len(text) <= MAX_OPTION_CHARS:
            taken.add(key)
            kept.append(text)
    return kept


# --- rule-made ----------------------------------------------------------------------------


def _nice_floor(x: float) -> float:
    """The largest 1, 2 or 5 × 10^k not above ``x`` (0 for ``x <= 0``)."""
    if x <= 0:
        return 0.0
    base = 10 ** math.floor(math.log10(x))
    return next(m * base for m in (5, 2, 1, 0.5) if m * base <= x)


def _decimals(numeral: str) -> int:
    return len(numeral.split(".", 1)[1]) if "." in numeral else 0


def shifted_numbers(text: str, rng: random.Random) -> list[str]:
    """``text`` with all its numbers moved by the same multiple of a round step (a quarter of
    the largest, at least its last digit), keeping units, decimals, signs and ``m:ss``; never
    across zero (a level in dBFS stays negative, a time positive), never a share over 100 %."""
    found = list(_NUMERAL.finditer(text))
    if not found:
        return []
    values = [
        (int(m.group(2)) * 60 + float(m.group(3)) if m.group(2) else float(m.group(4)))
        * (-1 if m.group(1) else 1)
        for m in found
    ]
    digits = [_decimals(m.group(3) or m.group(4)) for m in found]
    step = max(_nice_floor(max(map(abs, values)) * 0.25), 10.0 ** -min(digits))
    below = max(values) <= 0 and min(values) < 0
    share = "%" in text or "percent" in text.lower()
    steps = [1, -1, 2, -2, 3, -3]
    rng.shuffle(steps)
    made = []
    for k in [*steps, 4, 5, 6, 7, 8]:
        moved = [round(v + (-k if below else k) * step, 6) for v in values]
        if (max(moved) > 0 if below else min(moved) < 0) or (share and max(moved) > 100):
            continue
        out, at = [], 0
        for m, value, d in zip(found, moved, digits, strict=True):
            sign = (m.group(1) or "-") if value < 0 else ""
            out += [text[at : m.start()], sign + _numeral(abs(value), d, time=bool(m.group(2)))]
            at = m.end()
        made.append("".join(out) + text[at:])
    return made


def _numeral(value: float, decimals: int, *, time: bool) -> str:
    if not time:
        return f"{value:.{decimals}f}"
    minutes, rest = divmod(round(value, decimals), 60)
    width = 2 + (decimals + 1 if decimals else 0)
    return f"{int(minutes)}:{rest:0{width}.{decimals}f}"


def _cased(word: str, like: str) -> str:
    if like.isupper() and len(like) > 1:
        return word.upper()
    return word[:1].upper() + word[1:] if like[:1].isupper() else word.lower()


def swapped_words(text: str, words: Sequence[str], rng: random.Random) -> Iterator[str]:
    """``text`` with one of its words replaced by one of ``words`` in the same case."""
    spans = [m.span() for m in _LETTERS_RUN.finditer(text)]
    pairs = [(span, word) for span in spans for word in words]
    rng.shuffle(pairs)
    for (a, b), word in pairs:
        yield text[:a] + _cased(word, text[a:b]) + text[b:]


def rule_distractors(answer: str, kind: DetailKind, rng: random.Random) -> list[str]:
    """Candidates made by rule, best first: shifted numbers, a colour or word of the same
    family, a name or quote with its numbers shifted or one word swapped."""
    lists = word_lists()
    families = [w for name, ws in lists.items() if name not in _NOT_FAMILIES for w in ws]
    if kind == "number":
        made = shifted_numbers(answer, rng)
    elif kind in ("colour", "word"):
        own = family(answer) if kind == "word" else "colour"
        pool = list(lists[own] if own else families)
        rng.shuffle(pool)
        made = [_cased(w, answer) for w in pool]
    else:
        swaps = swapped_words(answer, lists["name"] if kind == "name" else families, rng)
        made = shifted_numbers(answer, rng) + [s for _, s in zip(range(60), swaps, strict=False)]
    return _usable(made, answer=answer)


# --- assembly -----------------------------------------------------------------------------


def caption_states(caption: str) -> set[str]:
    """The normal forms of every detail of a caption: no distractor may be one of them."""
    return {normal(d.text) for d in find_details(caption)}


def pool_distractors(
    blank: Blank, *, pool: DistractorPool, clip_id: str, caption: str, seed: int
) -> list[str]:
    """The pool's usable distractors for ``blank``, in the order ``with_options`` takes them:
    fewer than ``DISTRACTORS`` means the blank needs an engine's (or the rules')."""
    rng = random.Random(stable_int("omni-cloze-pool", seed, blank.blank_id))
    drawn = pool.draw(option_key(blank.answer, blank.kind), clip_id=clip_id, rng=rng)
    return _usable(
        drawn, answer=blank.answer, avoid=caption_states(caption) - {normal(blank.answer)}
    )


def with_options(
    blank: Blank,
    *,
    clip_id: str,
    caption: str,
    seed: int,
    pool: DistractorPool | None = None,
    engine_written: Sequence[str] = (),
) -> Blank:
    """``blank`` with options A–E: distractors from the pool, then the engine's (a number's in
    the answer's unit only), then rule-made; the answer at a seeded letter; E "not given"."""
    key = option_key(blank.answer, blank.kind)
    drawn = (
        pool_distractors(blank, pool=pool, clip_id=clip_id, caption=caption, seed=seed)
        if pool
        else []
    )
    written = [
        t for t in engine_written if blank.kind != "number" or option_key(t, "number") == key
    ]
    rules = rule_distractors(
        blank.answer, blank.kind, random.Random(stable_int("omni-cloze-rule", seed, blank.blank_id))
    )
    sourced: list[tuple[str, OptionSource]] = [
        *((t, "pool") for t in drawn),
        *((t, "engine") for t in written),
        *((t, "rule") for t in rules),
    ]
    taken = {normal(blank.answer), normal(NOT_GIVEN), *caption_states(caption)}
    chosen: list[tuple[str, OptionSource]] = []
    for text, source in sourced:
        if (found := normal(text)) and found not in taken and len(text) <= MAX_OPTION_CHARS:
            taken.add(found)
            chosen.append((text, source))
        if len(chosen) == DISTRACTORS:
            break
    if len(chosen) < DISTRACTORS:
        raise ValueError(
            f"blank {blank.blank_id!r} ({blank.answer!r}): only {len(chosen)} distractors "
            f"could be made, {DISTRACTORS} needed"
        )
    at = random.Random(stable_int("omni-cloze-letter", seed, blank.blank_id)).randrange(
        DISTRACTORS + 1
    )
    chosen.insert(at, (blank.answer, "answer"))
    return replace(
        blank,
        options=(*(t for t, _ in chosen), NOT_GIVEN),
        option_sources=tuple(s for _, s in chosen),
        answer_letter=LETTERS[at],
    )
