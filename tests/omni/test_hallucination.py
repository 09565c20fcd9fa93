"""Omni-Detective's hallucination check: tables of sentences, claims and captions against the
observations of the demo's kind of clip, the ugly cases included."""

from __future__ import annotations

from decimal import Decimal
from importlib import resources

import pytest

from datagen.generators.omni.hallucination import (
    JUDGE_CHOICES,
    CaptionCheck,
    Claims,
    check_caption,
    check_sentence,
    claims,
    evidence,
    judge_request,
    judged_share,
    number_value,
    overall_share,
    parse_judgement,
    split_sentences,
    stopwords,
    word_key,
)

OBSERVATIONS = [
    'Timeline of speech, [0.0–6.0 s] of a 6.0 s clip:\n[0.3–2.2 s] says "Hello world"',
    '[0.0–4.0 s] text on screen: "HELLO OMNI 42"',
    "[4.00 s] scene cut: blue → red",
    "[2.43 s] steady tone at 440 Hz (A4), about -23 dBFS (peak -20)",
    "[4.0–6.0 s] motion: something red moving left, from the left to the right, about 120 px/s",
    "[0.0–1,000.0 s] colours: red 45%, blue 30%",
]
KNOWN = evidence(OBSERVATIONS)


@pytest.mark.parametrize(
    ("variants", "key"),
    [
        (["move", "moves", "moved", "moving", "MOVING"], "mov"),
        (["tone", "tones", "Tone"], "ton"),
        (["stop", "stopped", "stopping", "stops"], "stop"),
        (["fall", "falls", "falling"], "fal"),
        (["fly", "flies"], "fly"),
        (["city", "cities"], "city"),
        (["quick", "quickly"], "quick"),
        (["colour", "colours", "coloured"], "colour"),
        (["speed", "speeds"], "spe"),  # over-stripped, but the same on both sides
        (["Alice", "Alice's", "alice’s"], "alic"),
        (["red", "reds"], "red"),  # -ed needs three letters left
        (["bus"], "bus"),  # -s is not stripped after u
        (["glass", "glasses"], "glas"),
        (["thing", "things"], "thing"),  # -ing needs three letters left
        (["see", "sees"], "see"),
        (["add", "added"], "add"),  # no undoubling below four letters
    ],
)
def test_word_key_meets_variants(variants: list[str], key: str) -> None:
    assert {word_key(v) for v in variants} == {key}


@pytest.mark.parametrize(("a", "b"), [("said", "say"), ("movement", "move"), ("grey", "gray")])
def test_word_key_has_no_lemmatiser(a: str, b: str) -> None:
    assert word_key(a) != word_key(b)


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        ("", []),
        ("   \n\n  ", []),
        ("---\n***", []),  # no letter or digit: no sentence
        ("A tone plays. Then silence.", ["A tone plays.", "Then silence."]),
        ("A tone plays", ["A tone plays"]),  # no final stop
        ("It ends at 2.4 s. Then a cut.", ["It ends at 2.4 s.", "Then a cut."]),
        ("It lasts 2.4 s", ["It lasts 2.4 s"]),  # a decimal point is no boundary
        ("Colours, e.g. red, appear. Dr. Smith speaks.", ["Colours, e.g. red, appear.",
                                                          "Dr. Smith speaks."]),
        ("Tones, i.e. beeps. Then cf. the cut.", ["Tones, i.e. beeps.", "Then cf. the cut."]),
        ("A tone at approx. 440 Hz.", ["A tone at approx. 440 Hz."]),
        ("Noises, etc. Then a cut.", ["Noises, etc.", "Then a cut."]),
        ("J. R. Tolkien reads.", ["J. R. Tolkien reads."]),  # capital initials
        ("Is it red? Yes! It is.", ["Is it red?", "Yes!", "It is."]),
        ("Wait... A cut follows.", ["Wait...", "A cut follows."]),
        ("Red? or blue.", ["Red? or blue."]),  # the next word starts lowercase
        ('He says "Stop. Go now." Then a cut.', ['He says "Stop. Go now."', "Then a cut."]),
        ('"Hello. How are you?" asks a voice.', ['"Hello. How are you?" asks a voice.']),
        ("The red box (left). Then blue.", ["The red box (left).", "Then blue."]),
        ("First line\nsecond line", ["First line", "second line"]),  # a line break ends one
        ("- A tone.\n* A cut.\n1. Red.\n2) Blue.", ["A tone.", "A cut.", "Red.", "Blue."]),
        ("2.4 s: a tone.", ["2.4 s: a tone."]),  # a decimal is no list marker
    ],
)  # fmt: skip
def test_split_sentences(text: str, sentences: list[str]) -> None:
    assert split_sentences(text) == sentences


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("", Claims()),
        ("It is there.", Claims()),  # stopwords only
        ("Bob waves at Alice.", Claims(names=("Alice",), words=("bob", "waves"))),
        ("I think The Beatles play.", Claims(names=("Beatles",), words=("think", "play"))),
        ("[0.3–2.2 s] Alice speaks.", Claims(numbers=("0.3", "2.2"), names=("Alice",),
                                             words=("speaks",))),  # the first word is "s"
        ("A 440 Hz tone at -23 dBFS.", Claims(numbers=("440", "23"), names=("Hz",),
                                             words=("tone", "dbfs"))),
        ("Cuts at 4.0, 4 and 4.00 s.", Claims(numbers=("4.0",), words=("cuts",))),
        ("It lasts 1,000 s, 45% red, at 1:05.", Claims(numbers=("1,000", "45", "1", "05"),
                                                        words=("lasts", "red"))),
        ("An on-screen voice-like sound.", Claims(words=("screen", "voice", "sound"))),
        ('It reads "HELLO Omni 42".', Claims(numbers=("42",), quoted=("HELLO", "Omni"),
                                           words=("reads",))),
        ("He says 'bye now', the speaker's 'word'.", Claims(quoted=("bye", "word"),
                                                             words=("says", "speaker"))),
        ("Two scenes, three tones.", Claims(words=("two", "scenes", "three", "tones"))),
        ("Moving, moves and moved.", Claims(words=("moving",))),  # one key, first form
        ("An mp3 in 3D.", Claims(numbers=("3",), words=("mp",))),  # one-letter D is no claim
    ],
)  # fmt: skip
def test_claims(sentence: str, expected: Claims) -> None:
    assert claims(sentence) == expected


@pytest.mark.parametrize(
    ("text", "value"),
    [("4", Decimal(4)), ("4.00", Decimal(4)), ("0.30", Decimal("0.3")), ("1,000.5", 1000.5)],
)
def test_number_value(text: str, value: Decimal | float) -> None:
    assert number_value(text) == Decimal(str(value))


@pytest.mark.parametrize(
    ("sentence", "flagged", "reason", "unsupported"),
    [
        ('At 0.3 s a voice says "hello world".', False, "mostly_supported", ["voice"]),
        ("A blue scene cuts to red at 4.0 s.", False, "supported", []),
        ("Text on screen: HELLO and Omni.", False, "supported", []),  # names ignore case
        ("Something red moved, moving, moves left.", False, "supported", []),
        ("A steady tone at 440 Hz.", False, "supported", []),
        ("A steady tone at -23 dBFS.", False, "supported", []),
        ("The tone sits at 23 dBFS.", False, "mostly_supported", ["sits"]),  # signs ignored
        ("The scene cuts at 4 s.", False, "supported", []),  # 4 is 4.00
        ("A steady tone at 2.4 s.", False, "supported", []),  # 2.43 rounded
        ("A steady tone at 2.40 s.", True, "unsupported_number", ["2.40"]),  # 2.395–2.405
        ("A steady tone at 2.5 s.", True, "unsupported_number", ["2.5"]),
        ("A steady tone at 2 s.", True, "unsupported_number", ["2"]),  # integers are exact
        ("A tone at 441 Hz plays.", True, "unsupported_number", ["441", "plays"]),
        ("Text on screen: 43.", True, "unsupported_number", ["43"]),
        ("Text on screen: 1,000.", False, "supported", []),
        ("Text on screen: 1000.0.", False, "supported", []),
        ("Then Bob says hello.", True, "unsupported_name", ["Bob"]),
        ("Bob speaks there.", True, "unsupported_words", ["bob", "speaks"]),  # first word
        ('The voice says "goodbye world".', True, "unsupported_quote", ["goodbye", "voice"]),
        ('The voice says "HELLO World".', False, "mostly_supported", ["voice"]),
        ("A dog barks at a cat.", True, "unsupported_words", ["dog", "barks", "cat"]),
        ("A dog barks on screen.", True, "unsupported_words", ["dog", "barks"]),  # 2 of 3
        ("A dog moves on screen.", False, "mostly_supported", ["dog"]),  # 1 of 3
        ("A red dog barks.", True, "unsupported_words", ["dog", "barks"]),  # 2 of 3
        ("A red dog.", False, "mostly_supported", ["dog"]),  # exactly half
        ("Two scenes follow.", True, "unsupported_words", ["two", "follow"]),
        ("It is there, and then it was.", False, "no_claims", []),
        ("Then Bob counts 7 dogs.", True, "unsupported_number", ["7", "Bob", "counts", "dogs"]),
    ],
)  # fmt: skip
def test_check_sentence(sentence: str, flagged: bool, reason: str, unsupported: list[str]) -> None:
    checked = check_sentence(sentence, KNOWN)
    assert (checked.flagged, checked.reason, checked.unsupported) == (
        flagged,
        reason,
        unsupported,
    )
    assert checked.sentence == sentence


def test_nothing_is_supported_without_observations() -> None:
    checked = check_caption("A red scene. It is there.", [])
    assert [s.flagged for s in checked.sentences] == [True, False]
    assert checked.flagged_share == 0.5


def test_observation_stopwords_support_nothing() -> None:
    # "notes" keys as "not", a stopword of the observation, which is left out of the evidence
    assert check_sentence("Then notes.", evidence(["it is not there"])).flagged


@pytest.mark.parametrize(
    ("caption", "share", "reason", "count"),
    [
        ("", None, "no_sentences", 0),
        ("  \n ", None, "no_sentences", 0),
        ("A blue scene cuts to red at 4.0 s.", 0.0, "none_flagged", 1),
        ("A blue scene cuts to red. Then Bob sings.", 0.5, "some_flagged", 2),
        ("Bob sings. Carol dances 3 times. Red moves left. Dogs bark.", 0.75, "some_flagged", 4),
        ("It is there. Then Bob sings.", 0.5, "some_flagged", 2),  # no claims still counts
    ],
)
def test_check_caption_share(caption: str, share: float | None, reason: str, count: int) -> None:
    checked = check_caption(caption, OBSERVATIONS)
    assert (checked.flagged_share, checked.reason, len(checked.sentences)) == (
        share,
        reason,
        count,
    )


def test_overall_share_pools_sentences() -> None:
    checks = [
        check_caption("Then Bob sings.", OBSERVATIONS),  # 1 of 1
        check_caption("Red moves left. A blue scene. Then Bob sings.", OBSERVATIONS),  # 1 of 3
        check_caption("", OBSERVATIONS),  # no sentences: left out
    ]
    assert [c.flagged_share for c in checks] == [1.0, pytest.approx(1 / 3), None]
    assert overall_share(checks) == 0.5  # 2 of 4 sentences, not the mean of 1 and 1/3
    assert overall_share(iter(checks)) == 0.5


@pytest.mark.parametrize("checks", [[], [CaptionCheck([], None, "no_sentences")]])
def test_overall_share_without_sentences(checks: list[CaptionCheck]) -> None:
    assert overall_share(checks) is None


def test_judge_request() -> None:
    request = judge_request(
        request_id="clip-1/s0", sentence="  A tone at 440 Hz. ", observations=OBSERVATIONS
    )
    assert request.request_id == "clip-1/s0"
    assert request.response_format is not None
    assert request.response_format.kind == "choice"
    assert request.response_format.choice == JUDGE_CHOICES == ("supported", "unsupported")
    assert request.sampling.temperature == 0.0
    system, user = request.messages
    assert (system["role"], user["role"]) == ("system", "user")
    assert "Sentence: A tone at 440 Hz.\n" in user["content"]
    assert all(o in user["content"] for o in OBSERVATIONS)
    assert request == judge_request(
        request_id="clip-1/s0", sentence="A tone at 440 Hz.", observations=OBSERVATIONS
    )  # a stable request: the same resume key on a rerun


def test_judge_request_without_observations() -> None:
    request = judge_request(request_id="r", sentence="A tone.", observations=["", "  "])
    assert "(no observations)" in request.messages[1]["content"]


@pytest.mark.parametrize(
    ("text", "judged"),
    [
        ("supported", True),
        ("unsupported", False),
        (" Supported.\n", True),
        ('"unsupported"', False),
        ("**Unsupported**", False),
        ("not  supported", False),
        ("", None),
        ("maybe", None),
        ("supported, because it says so", None),
        ("supported or unsupported", None),
        ("unsupportedly", None),
    ],
)
def test_parse_judgement(text: str, judged: bool | None) -> None:
    assert parse_judgement(text) is judged


@pytest.mark.parametrize(
    ("judgements", "share"),
    [([], None), ([None, None], None), ([True, False, None, False], 2 / 3), ([True], 0.0)],
)
def test_judged_share(judgements: list[bool | None], share: float | None) -> None:
    assert judged_share(judgements) == share


def test_stopwords_ship_with_datagen() -> None:
    text = resources.files("datagen.generators.omni").joinpath("stopwords.txt").read_text()
    listed = [line for line in text.splitlines() if line and not line.startswith("#")]
    assert "Apache-2.0" in text and "Written for datagen" in text
    assert len(listed) == len(set(listed)) == len(stopwords())
    assert 200 <= len(listed) <= 500
    assert all(w == w.strip().lower() and " " not in w for w in listed)
    assert {"the", "a", "of", "and", "is", "doesn't", "it's"} <= stopwords()
    # claims a caption of a clip makes: kept out of the list
    assert not {"one", "two", "first", "up", "down", "left", "right", "still"} & stopwords()
