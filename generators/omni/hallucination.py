"""Omni-Detective's hallucination check (issue 17): the share of a caption's sentences that
claim something no observation of the clip says.

The check is defined exactly, so that its rate is comparable across runs and models:

- the caption is split into sentences (``split_sentences``);
- a sentence's claims (``claims``) are its **numbers**, its **names** (capitalised words other
  than the sentence's first word), its **quoted** words (inside ``"…"``, ``“…”``, ``'…'``) and
  its **content words** (every other word), all without the stopwords of ``stopwords.txt``;
- a claim is **supported** when some observation of the clip holds it, under the same
  normalisation on both sides (``word_key``, ``number_value``);
- a sentence is **flagged** when any number, name or quoted word is unsupported, or more than
  half of its content words are;
- a caption's flagged share is flagged sentences over sentences; the overall share pools the
  sentences of every clip (``overall_share``), so a long caption weighs more than a short one.

Decisions on the edge cases, each one a rule of the definition:

- Words are letter runs with inner apostrophes; a hyphen splits a word (``on-screen`` is ``on``
  and ``screen``, so the observation ``text on screen`` supports it). ``’`` reads as ``'``; a
  possessive ``'s`` is dropped. One-letter words (``s`` of ``2.4 s``, initials, note letters)
  are no claim. Matching ignores case everywhere: a name only differs by being strict.
- A capitalised stopword (``I``, ``The`` inside a title) is no name; the first word of a
  sentence is a content word, whatever numbers or punctuation come before it.
- Word normalisation (``word_key``): lowercase, then strip suffixes until none applies, the
  first that fits of -ing, -ied→y, -ies→y, -ed, -es, -ly, -s (not after s, u, i), -e, each
  only when at least three letters remain, then undouble a final double consonant. So
  ``move``, ``moves``, ``moved`` and ``moving`` are all ``mov``; irregular forms (``said``
  for ``say``) do not meet, there is no lemmatiser.
- Numbers are digit runs with an optional decimal part and ``,`` thousands groups (``1,000``
  is 1000); signs are not part of them (``-23 dBFS`` is 23), so a range ``0.3–2.2`` or
  ``2-5`` is two numbers and a clock time ``1:05`` is 1 and 5. Units are words (``Hz``,
  ``dBFS``, ``px``), ``45%`` is 45. ``4``, ``4.0`` and ``4.00`` are one value. An integer
  needs that exact value; a number with decimals also meets an observed value within half a
  unit of its last place (``2.4`` meets ``2.43``: a caption may round, not invent).
- Numbers written as words (``two scenes``) are content words, not numbers: observations
  write numerals, so such a word counts against the content majority; mapping them would take a
  number grammar (``twenty-one``, ``a dozen``) and ``one`` is as often a pronoun.
- Quoted words claim exact words said or shown, so each is held to the name rule; they are
  checked one by one (word order is not), and numbers inside quotes are numbers.
- Content words are counted once per key: ``moving … moves`` is one word.
- A sentence with no claims is not flagged (``no_claims``); an empty caption has no
  sentences and its share is ``None`` (``no_sentences``), not 0, which would read as a
  perfect caption and pull averages down; ``overall_share`` leaves it out.
- Sentences end at ``.``, ``!``, ``?`` or ``…`` (with closing quotes or brackets) before a
  space or the end, unless the next word starts lowercase, the word before is an abbreviation
  of ``ABBREVIATIONS`` (``e.g.``, ``Dr.``) or a capital initial (``J.``), or the stop is
  inside a quote. A decimal point (``2.4``) is followed by a digit, so never ends one. A line
  break always ends one; list markers (``-``, ``*``, ``1.``) at a line's start are dropped;
  pieces with no letter or digit are no sentence.

The engine judge gives a second figure with the same sentences: ``judge_request`` asks an
engine whether one sentence is supported by the observations, ``parse_judgement`` reads its
answer, ``judged_share`` is the share judged unsupported. The flow sends the requests through
``generators/engine_stage.py``; everything here is pure.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from importlib import resources

from datagen.generators.engines.base import Request, ResponseFormat, Sampling

CHECK_VERSION = 1
"""Recorded with every share: a change to these rules or to ``stopwords.txt`` makes rates
incomparable with earlier runs, so it raises this."""

ABBREVIATIONS = frozenset(
    {"al", "approx", "ca", "cf", "dr", "e.g", "fig", "i.e", "jr", "mr", "mrs", "ms"}
    | {"mt", "prof", "resp", "sr", "st", "viz", "vs"}
)
"""Words that a full stop follows without ending the sentence (``et al.``, ``approx. 440``)."""

_TOKEN = re.compile(
    r"(?P<number>\d{1,3}(?:,\d{3})+(?!\d)(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"|(?P<word>[^\W\d_]+(?:['’][^\W\d_]+)*)"
)
_QUOTE = re.compile(r'"[^"\n]*"|“[^”\n]*”|‘[^’\n]*’|(?<!\w)\'[^\'\n]*\'(?!\w)')
_END = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s|$)")
_LIST_MARKER = re.compile(r"^\s*(?:[-*•+]|\d{1,3}[.)])\s+")
_SUFFIXES = (
    ("ing", ""), ("ied", "y"), ("ies", "y"), ("ed", ""), ("es", ""), ("ly", ""), ("s", ""),
    ("e", ""),
)  # fmt: skip
_VOWELS = frozenset("aeiouy")


@cache
def stopwords() -> frozenset[str]:
    """The packaged stopword list (``stopwords.txt``): one lowercase word a line."""
    text = resources.files("datagen.generators.omni").joinpath("stopwords.txt").read_text("utf-8")
    lines = (line.strip() for line in text.splitlines())
    return frozenset(line for line in lines if line and not line.startswith("#"))


@dataclass(frozen=True)
class Claims:
    """What a sentence claims, as written, each claim once (by its normalised key)."""

    numbers: tuple[str, ...] = ()
    names: tuple[str, ...] = ()
    quoted: tuple[str, ...] = ()
    words: tuple[str, ...] = ()
    """Content words, lowercased."""

    def __bool__(self) -> bool:
        return bool(self.numbers or self.names or self.quoted or self.words)


@dataclass(frozen=True)
class SentenceCheck:
    """One sentence's verdict: ``unsupported`` lists every unsupported claim (numbers, names,
    quoted words, content words), also those of a sentence the majority rule lets pass."""

    sentence: str
    flagged: bool
    unsupported: list[str]
    reason: str
    """``unsupported_number``, ``unsupported_name``, ``unsupported_quote``,
    ``unsupported_words`` (flagged, the first that applies), or ``supported``,
    ``mostly_supported``, ``no_claims``."""


@dataclass(frozen=True)
class CaptionCheck:
    """One clip's caption: its sentences' verdicts and the share flagged (``None`` with the
    reason ``no_sentences`` for a caption without sentences)."""

    sentences: list[SentenceCheck]
    flagged_share: float | None
    reason: str
    """``no_sentences``, ``none_flagged`` or ``some_flagged``."""

    @property
    def flagged(self) -> int:
        return sum(s.flagged for s in self.sentences)


@dataclass(frozen=True)
class Evidence:
    """What a clip's observations hold, normalised: word keys and number values."""

    words: frozenset[str]
    numbers: frozenset[Decimal]


def split_sentences(text: str) -> list[str]:
    """The sentences of ``text``, stripped, in order (rules in the module's docstring)."""
    sentences: list[str] = []
    for raw in text.splitlines():
        line = _LIST_MARKER.sub("", raw, count=1)
        start = 0
        for end in _boundaries(line):
            sentences.append(line[start:end])
            start = end
        sentences.append(line[start:])
    return [s.strip() for s in sentences if any(c.isalnum() for c in s)]


def _boundaries(line: str) -> list[int]:
    """Where sentences end in one line: just after their closing punctuation."""
    quotes = [(m.start(), m.end()) for m in _QUOTE.finditer(line)]
    ends = []
    for stop in _END.finditer(line):
        if any(a < stop.start() and stop.end() < b for a, b in quotes):
            continue  # inside a quote, not at its closing mark
        after = line[stop.end() :].lstrip()
        if after[:1].islower():
            continue
        before = re.search(r"(\S+)$", line[: stop.start()])
        word = before.group(1).lstrip("([{\"'“‘") if before else ""
        if stop.group().startswith(".") and (
            word.lower() in ABBREVIATIONS or (len(word) == 1 and word.isupper())
        ):
            continue
        ends.append(stop.end())
    return ends


def claims(sentence: str) -> Claims:
    """The numbers, names, quoted words and content words of one sentence."""
    quotes = [(m.start(), m.end()) for m in _QUOTE.finditer(sentence)]
    found: dict[str, dict[object, str]] = {"numbers": {}, "names": {}, "quoted": {}, "words": {}}
    first_word = True
    for token in _TOKEN.finditer(sentence):
        text = token.group()
        if token.group("number"):
            found["numbers"].setdefault(number_value(text), text)
            continue
        starts, first_word = first_word, False
        base = _base(text)
        if base is None:
            continue
        if any(a < token.start() < b for a, b in quotes):
            found["quoted"].setdefault(word_key(base), text)
        elif text[0].isupper() and not starts:
            found["names"].setdefault(word_key(base), text)
        else:
            found["words"].setdefault(word_key(base), base)
    return Claims(**{kind: tuple(by_key.values()) for kind, by_key in found.items()})


def _base(word: str) -> str | None:
    """``word`` lowercased without a possessive, or ``None`` for a stopword or one letter."""
    lower = word.lower().replace("’", "'")
    base = lower.removesuffix("'s")
    if lower in stopwords() or base in stopwords() or len(base) < 2:
        return None
    return base


def word_key(word: str) -> str:
    """The normalised form two words must share to match (suffixes in the module's docstring)."""
    key = word.lower().replace("’", "'").removesuffix("'s")
    while (shorter := _strip_suffix(key)) != key:
        key = shorter
    if len(key) >= 4 and key[-1] == key[-2] and key[-1] not in _VOWELS:
        key = key[:-1]
    return key


def _strip_suffix(word: str) -> str:
    for suffix, replacement in _SUFFIXES:
        if word.endswith(suffix):
            stem = word[: -len(suffix)] + replacement
            if len(stem) < 3 or (suffix == "s" and stem[-1] in "sui"):
                continue
            return stem
    return word


def number_value(text: str) -> Decimal:
    """``1,000.50`` → 1000.50: the value a written number stands for (trailing zeros kept)."""
    return Decimal(text.replace(",", ""))


def evidence(observations: Iterable[str]) -> Evidence:
    """Every word key and number value of a clip's observations, stopwords left out."""
    words: set[str] = set()
    numbers: set[Decimal] = set()
    for observation in observations:
        for token in _TOKEN.finditer(observation):
            if token.group("number"):
                numbers.add(number_value(token.group()))
            elif (base := _base(token.group())) is not None:
                words.add(word_key(base))
    return Evidence(frozenset(words), frozenset(numbers))


def number_supported(text: str, known: Evidence) -> bool:
    """An integer needs its exact value; a decimal also one within half its last place."""
    value = number_value(text)
    if value in known.numbers:
        return True
    places = -value.as_tuple().exponent
    if not isinstance(places, int) or places <= 0:
        return False
    half = Decimal(5).scaleb(-places - 1)
    return any(abs(n - value) <= half for n in known.numbers)


def check_sentence(sentence: str, known: Evidence) -> SentenceCheck:
    """One sentence's verdict against a clip's evidence (the rule in the module's docstring)."""
    found = claims(sentence)
    if not found:
        return SentenceCheck(sentence, False, [], "no_claims")
    strict = {
        "unsupported_number": [n for n in found.numbers if not number_supported(n, known)],
        "unsupported_name": [w for w in found.names if word_key(w) not in known.words],
        "unsupported_quote": [w for w in found.quoted if word_key(w) not in known.words],
    }
    words = [w for w in found.words if word_key(w) not in known.words]
    unsupported = [claim for listed in strict.values() for claim in listed] + words
    reason = next((reason for reason, listed in strict.items() if listed), None)
    if reason is None and 2 * len(words) > len(found.words):
        reason = "unsupported_words"
    if reason is not None:
        return SentenceCheck(sentence, True, unsupported, reason)
    return SentenceCheck(sentence, False, unsupported, "mostly_supported" if words else "supported")


def check_caption(caption: str, observations: Sequence[str]) -> CaptionCheck:
    """Every sentence of ``caption`` checked against the observations of its clip."""
    known = evidence(observations)
    checked = [check_sentence(s, known) for s in split_sentences(caption)]
    if not checked:
        return CaptionCheck([], None, "no_sentences")
    flagged = sum(s.flagged for s in checked)
    return CaptionCheck(
        checked, flagged / len(checked), "some_flagged" if flagged else "none_flagged"
    )


def overall_share(checks: Iterable[CaptionCheck]) -> float | None:
    """Flagged sentences over all sentences of all clips; ``None`` when there are none."""
    checks = list(checks)
    total = sum(len(c.sentences) for c in checks)
    return sum(c.flagged for c in checks) / total if total else None


JUDGE_CHOICES = ("supported", "unsupported")
JUDGE_SAMPLING = Sampling(temperature=0.0, max_tokens=8, seed=0)
"""Greedy and short: the answer is one of ``JUDGE_CHOICES``."""
_JUDGE_SYSTEM = (
    "You check one sentence of a caption of an audio or video clip against what observer "
    "tools found in that clip. The sentence is supported when every fact it states (numbers, "
    "times, names, words said or shown, sounds, colours, motion) is stated in the observations "
    "or follows directly from them; otherwise it is unsupported. Answer with one word: "
    "supported or unsupported."
)


def judge_request(
    *,
    request_id: str,
    sentence: str,
    observations: Sequence[str],
    sampling: Sampling = JUDGE_SAMPLING,
) -> Request:
    """A request asking an engine whether ``sentence`` is supported by ``observations``."""
    listed = "\n\n".join(o.strip() for o in observations if o.strip()) or "(no observations)"
    user = f"Observations:\n{listed}\n\nSentence: {sentence.strip()}\n\nSupported or unsupported?"
    return Request(
        request_id=request_id,
        messages=(
            {"role": "system", "content": _JUDGE_SYSTEM},
            {"role": "user", "content": user},
        ),
        sampling=sampling,
        response_format=ResponseFormat(kind="choice", choice=JUDGE_CHOICES),
    )


def parse_judgement(text: str) -> bool | None:
    """``True`` for supported, ``False`` for unsupported (or ``not supported``), ``None`` for
    anything else: surrounding space, quotes, ``*`` and a final stop are allowed, not prose."""
    answer = " ".join(text.strip().strip("\"'`*.!").lower().split())
    return {"supported": True, "unsupported": False, "not supported": False}.get(answer)


def judged_share(judgements: Iterable[bool | None]) -> float | None:
    """The share judged unsupported among the parsed judgements; ``None`` when none parsed."""
    parsed = [j for j in judgements if j is not None]
    return sum(not j for j in parsed) / len(parsed) if parsed else None
