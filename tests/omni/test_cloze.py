"""Omni-Cloze's pure parts: which caption details become blanks and with what tag, the options
of each blank, the engine questions and their parsers, and the scores."""

from __future__ import annotations

import copy
import json
import random
import re
from dataclasses import replace

import jsonschema
import pytest

from datagen.generators.omni.cloze import (
    LETTERS,
    NOT_GIVEN,
    Blank,
    answer_request,
    choose_blanks,
    cloze_record,
    cloze_text,
    eligible_details,
    find_details,
    normal,
    parse_answer,
    parse_word_lists,
    score,
    sentence_spans,
    support,
    tag_of,
)
from datagen.generators.omni.cloze_options import (
    build_pool,
    caption_states,
    distractor_request,
    option_key,
    parse_distractors,
    pool_distractors,
    rule_distractors,
    shifted_numbers,
    with_options,
)
from datagen.schemas.validator import first_error

CLIP = "0123456789abcdef"
OTHER = "fedcba9876543210"
CAPTION = (
    'The clip opens on a blue screen with the text "HELLO OMNI 42" from 0.0 to 2.0 s. '
    'A steady tone at 440 Hz plays until 4.0 s, then a man says "Good morning, everyone." '
    "At 2.50 s the scene cuts to red and a white box moves left."
)
EVIDENCE = [
    {
        "turn": 0,
        "tool": "describe",
        "question": "Describe the clip in as much detail as possible.",
        "observation": "[0.0–2.0 s] colours: blue 85%, white 10%\n[0.0–2.0 s] text on screen: "
        '"HELLO OMNI 42"\n[0.3–4.0 s] steady tone at 440 Hz (A4)',
    },
    {
        "turn": 1,
        "tool": "ocr",
        "question": "text?",
        "observation": '[0.0–2.0 s] text on screen: "HELLO OMNI 42"',
    },
    {
        "turn": 2,
        "tool": "audio",
        "question": "tone?",
        "observation": "[0.3–4.0 s] steady tone at 440 Hz (A4)",
    },
    {
        "turn": 3,
        "tool": "asr",
        "question": "said?",
        "observation": '[4.1–5.0 s] says "good morning everyone"',
    },
    {
        "turn": 4,
        "tool": "video",
        "question": "cuts?",
        "observation": "[2.50 s] scene cut: blue → red\n"
        "[2.5–4.0 s] motion: something white moving left",
    },
]


def obs(tool: str, text: str, turn: int = 1) -> dict:
    return {"turn": turn, "tool": tool, "question": "?", "observation": text}


def answers_of(blanks) -> tuple[str, ...]:
    return tuple(b.answer for b in blanks)


# --- details ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("caption", "expected"),
    [
        (
            "A tone at 440 Hz lasts 4.0 s.",
            [("tone", "word"), ("440 Hz", "number"), ("lasts", "word"), ("4.0 s", "number")],
        ),
        (
            "It peaks at -18 dBFS, then 2-3 s pass.",
            [("peaks", "word"), ("-18 dBFS", "number"), ("2-3 s", "number"), ("pass", "word")],
        ),
        (
            "Speech runs 0.3–2.2 s and 1:05 later.",
            [("runs", "word"), ("0.3–2.2 s", "number"), ("1:05", "number")],
        ),
        ("Blue covers 85% of it.", [("Blue", "colour"), ("covers", "word"), ("85%", "number")]),
        (
            'It reads "HELLO OMNI 42" in grey.',
            [("reads", "word"), ("HELLO OMNI 42", "quote"), ("grey", "colour")],
        ),
        ('He says "Stop it!" and leaves.', [("Stop it", "quote"), ("leaves", "word")]),
        (
            "The note is an A4 from Alice Smith.",
            [("note", "word"), ("A4", "name"), ("Alice Smith", "name")],
        ),
        ("Alice waves.", [("waves", "word")]),  # a sentence's first word is no name
        ("The tone, then the other.", [("tone", "word")]),  # all else is stop words
        ('She says "one two three four five six seven" slowly.', [("slowly", "word")]),
        ("", []),
    ],
)
def test_details_are_found_by_kind(caption: str, expected: list[tuple[str, str]]) -> None:
    found = find_details(caption)
    assert [(d.text, d.kind) for d in found] == expected
    assert all(caption[d.start : d.end] == d.text for d in found)


@pytest.mark.parametrize(
    ("caption", "sentences"),
    [
        ("A tone at 4.0 s. Then silence.", ["A tone at 4.0 s.", "Then silence."]),
        (
            'He shouts "Stop! Now!" and runs. It ends.',
            ['He shouts "Stop! Now!" and runs.', "It ends."],
        ),
        ('She says "Hello." Then a beep.', ['She says "Hello."', "Then a beep."]),
        ("No full stop at the end", ["No full stop at the end"]),
        ("e.g. lower case after a stop stays one.", ["e.g. lower case after a stop stays one."]),
    ],
)
def test_sentences_do_not_end_inside_quotes_or_numbers(caption: str, sentences: list[str]) -> None:
    assert [caption[a:b] for a, b in sentence_spans(caption)] == sentences


@pytest.mark.parametrize(
    ("text", "observation", "supported"),
    [
        ("4.0 seconds", "[2.0–4.00 s] silence", True),
        ("Gray", "colours: grey 60%", True),
        ("boxes", "a box moving", True),
        ("HELLO OMNI 42", 'text on screen: "hello omni 42"', True),
        ("Good morning, everyone", 'says "good morning everyone"', True),
        ("4 s", "[44 s] silence", False),  # whole tokens, not substrings
        ("440 Hz", "tone at 440 kHz", False),
        ("440 Hz", "tone at 441 Hz", False),
        ("morning everyone", "everyone morning", False),  # in order
    ],
)
def test_support_matches_normalised_whole_tokens(
    text: str, observation: str, supported: bool
) -> None:
    assert (support(text, [obs("audio", observation)]) is not None) is supported


# --- tags ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tools", "tag"),
    [
        (["ocr"], "visual"),
        (["video"], "visual"),
        (["asr"], "auditory"),
        (["audio"], "auditory"),
        (["describe"], "audio-visual"),
        (["omni"], "audio-visual"),
        (["ocr", "asr"], "audio-visual"),
        (["video", "audio"], "audio-visual"),
        (["describe", "ocr"], "visual"),  # the single-sense tool decides over turn 0's describe
        (["omni", "audio"], "auditory"),
        (["describe", "video", "asr"], "audio-visual"),
        (["music"], None),  # a tool of unknown sense supports nothing
        ([], None),
    ],
)
def test_tag_follows_the_supporting_tools(tools: list[str], tag: str | None) -> None:
    assert tag_of(tools) == tag


@pytest.mark.parametrize(
    ("evidence", "tag"),
    [
        ([obs("ocr", '[1.0–2.0 s] text on screen: "EXIT 9"')], "visual"),
        (
            [obs("asr", '[1.0–2.0 s] says "exit nine"'), obs("ocr", 'text on screen: "EXIT 9"', 2)],
            "visual",
        ),
        (
            [obs("asr", '[1.0–2.0 s] says "exit 9"'), obs("ocr", 'text on screen: "EXIT 9"', 2)],
            "audio-visual",
        ),
        ([obs("asr", '[1.0–2.0 s] says "exit 9"')], "auditory"),
        ([obs("describe", '[1.0–2.0 s] text on screen: "EXIT 9"', 0)], "audio-visual"),
        ([obs("omni", "The sign says EXIT 9.")], "audio-visual"),
        ([obs("ocr", 'error: timeout: "EXIT 9" unread')], None),  # a failed answer states nothing
        (
            [
                {
                    "turn": 1,
                    "tool": "ocr",
                    "question": 'Is "EXIT 9" shown?',
                    "observation": "nothing",
                }
            ],
            None,
        ),
        ([obs("ocr", None)], None),
    ],
)
def test_blanks_are_tagged_by_the_tools_that_state_them(
    evidence: list[dict], tag: str | None
) -> None:
    caption = 'A sign reads "EXIT 9" near the door.'
    found = {d.text: t for d, _, t in eligible_details(caption, evidence)}
    assert found.get("EXIT 9") == tag


def test_support_records_tools_and_turns_in_trail_order() -> None:
    found = {d.text: s for d, s, _ in eligible_details(CAPTION, EVIDENCE)}
    assert found["HELLO OMNI 42"].tools == ("describe", "ocr")
    assert found["HELLO OMNI 42"].turns == (0, 1)
    assert found["Good morning, everyone"].tools == ("asr",)


@pytest.mark.parametrize(
    ("caption", "evidence", "never"),
    [
        ("A tone at 440 Hz.", [obs("audio", "a tone at 880 Hz")], "440 Hz"),
        (
            "A tone at 440 Hz.",
            [{"turn": 1, "tool": "audio", "question": "Is it 440 Hz?", "observation": "no tone"}],
            "440 Hz",
        ),
        ("A tone at 440 Hz.", [obs("audio", "error: analysis_failed: 440 Hz")], "440 Hz"),
        ("A tone at 440 Hz.", [obs("sonar", "tone at 440 Hz")], "440 Hz"),
        ("A bright flash.", [obs("video", "a flash at 2.0 s")], "bright"),  # flash yes, bright no
        (
            "A tone at 440 Hz. The 440 Hz tone returns.",
            [obs("audio", "tone at 440 Hz")],
            "440 Hz",
        ),  # stated twice
        ("A red box. Then red again.", [obs("video", "red box")], "red"),
        (
            "The tone starts at 4.0 s and is 4 s long.",
            [obs("audio", "[0.0–4.0 s] tone")],
            "4.0 s",
        ),  # value twice
    ],
)
def test_unsupported_or_repeated_details_are_never_blanked(
    caption: str, evidence: list[dict], never: str
) -> None:
    for seed in range(5):
        blanks = choose_blanks(caption, evidence, clip_id=CLIP, max_blanks=10, seed=seed)
        assert never not in answers_of(blanks)
        assert all(support(b.answer, evidence) is not None for b in blanks)


# --- choosing blanks ----------------------------------------------------------------------


def test_blanks_are_deterministic_under_a_seed_and_vary_across_seeds() -> None:
    draw = lambda seed, clip=CLIP: answers_of(  # noqa: E731
        choose_blanks(CAPTION, EVIDENCE, clip_id=clip, max_blanks=3, seed=seed)
    )
    assert draw(7) == draw(7)
    assert len({draw(seed) for seed in range(8)}) > 1
    assert len({draw(0, clip) for clip in ("a", "b", "c", "d", "e", "f")}) > 1


@pytest.mark.parametrize("max_blanks", [1, 2, 3, 5, 50])
def test_blanks_are_bounded_spread_over_sentences_and_numbered_in_order(max_blanks: int) -> None:
    eligible = len(eligible_details(CAPTION, EVIDENCE))
    for seed in range(6):
        blanks = choose_blanks(CAPTION, EVIDENCE, clip_id=CLIP, max_blanks=max_blanks, seed=seed)
        assert len(blanks) == min(max_blanks, eligible)
        assert [b.number for b in blanks] == list(range(1, len(blanks) + 1))
        assert [b.start for b in blanks] == sorted(b.start for b in blanks)
        sentences = [
            next(i for i, (a, z) in enumerate(sentence_spans(CAPTION)) if a <= b.start < z)
            for b in blanks
        ]
        assert len(set(sentences)) == min(len(blanks), 3)  # one per sentence before any second


def test_specific_details_are_blanked_before_plain_words() -> None:
    for seed in range(10):
        blanks = choose_blanks(CAPTION, EVIDENCE, clip_id=CLIP, max_blanks=3, seed=seed)
        assert all(b.kind != "word" for b in blanks)


def test_cloze_text_and_context_show_numbered_markers() -> None:
    blanks = choose_blanks(CAPTION, EVIDENCE, clip_id=CLIP, max_blanks=50, seed=0)
    text = cloze_text(CAPTION, blanks)
    assert re.findall(r"\[(\d+)\]", text) == [str(b.number) for b in blanks]
    restored = text
    for b in blanks:
        restored = restored.replace(f"[{b.number}]", b.answer, 1)
    assert restored == CAPTION
    quote = next(b for b in blanks if b.kind == "quote" and b.tag == "auditory")
    assert f'says "[{quote.number}]."' in quote.context  # the sentence's full stop stays


@pytest.mark.parametrize(
    ("caption", "evidence"),
    [
        ("", EVIDENCE),
        ("Nothing here matches.", EVIDENCE),
        (CAPTION, []),
        (CAPTION, [obs("ocr", "")]),
    ],
)
def test_no_support_gives_no_blanks(caption: str, evidence: list[dict]) -> None:
    assert choose_blanks(caption, evidence, clip_id=CLIP, max_blanks=4, seed=0) == ()


def test_max_blanks_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="max_blanks"):
        choose_blanks(CAPTION, EVIDENCE, clip_id=CLIP, max_blanks=0, seed=0)


# --- options ------------------------------------------------------------------------------


def blank(answer: str, kind: str, number: int = 1, tag: str = "visual") -> Blank:
    return Blank(
        blank_id=f"{CLIP}:{number}",
        number=number,
        answer=answer,
        kind=kind,
        tag=tag,
        tools=("ocr",),
        turns=(1,),
        start=0,
        end=len(answer),
        context=f"It shows [{number}].",
    )


@pytest.mark.parametrize(
    ("answer", "kind"),
    [
        ("440 Hz", "number"),
        ("0.3–2.2 s", "number"),
        ("0 dB", "number"),
        ("blue", "colour"),
        ("Grey", "colour"),
        ("tone", "word"),
        ("flickering", "word"),
        ("HELLO OMNI 42", "quote"),
        ("Good morning everyone", "quote"),
        ("Alice", "name"),
        ("A4", "name"),
    ],
)
def test_options_are_four_distinct_then_not_given(answer: str, kind: str) -> None:
    caption = f"It shows {answer}. A red box and 5 s of silence."
    made = with_options(blank(answer, kind), clip_id=CLIP, caption=caption, seed=3)
    assert len(made.options) == 5 and made.options[4] == NOT_GIVEN
    assert len({normal(o) for o in made.options}) == 5
    assert made.options[LETTERS.index(made.answer_letter)] == answer
    assert made.option_sources.count("answer") == 1
    assert made.option_sources[LETTERS.index(made.answer_letter)] == "answer"
    states = caption_states(caption) - {normal(answer)}
    assert not {normal(o) for o in made.options} & states  # nothing the caption says elsewhere


def test_answer_letter_is_seeded_and_spread() -> None:
    letters = [
        with_options(blank("blue", "colour", n), clip_id=CLIP, caption="x", seed=0).answer_letter
        for n in range(1, 41)
    ]
    again = [
        with_options(blank("blue", "colour", n), clip_id=CLIP, caption="x", seed=0).answer_letter
        for n in range(1, 41)
    ]
    assert letters == again
    assert set(letters) == {"A", "B", "C", "D"}


def test_pool_distractors_come_first_of_the_same_kind_from_other_clips() -> None:
    pool = build_pool(
        [
            (CLIP, "A tone at 330 Hz."),  # the clip's own: never drawn
            (OTHER, "A tone at 880 Hz, then 4.0 s of noise."),
            ("1111111111111111", "A chime at 1200 Hz in red."),
            ("2222222222222222", "A tone at 880 Hz again."),  # same text: drawn once
        ]
    )
    made = with_options(
        blank("440 Hz", "number"), clip_id=CLIP, caption="A tone at 440 Hz.", seed=1, pool=pool
    )
    by_source = dict(zip(made.options, made.option_sources, strict=False))
    assert {o for o, s in by_source.items() if s == "pool"} == {"880 Hz", "1200 Hz"}
    assert "330 Hz" not in made.options and "4.0 s" not in made.options
    assert sorted(made.option_sources) == ["answer", "pool", "pool", "rule"]


def test_pool_skips_what_the_clip_caption_states() -> None:
    pool = build_pool([(OTHER, "A red box, a green box and a pink box.")])
    drawn = pool_distractors(
        blank("blue", "colour"),
        pool=pool,
        clip_id=CLIP,
        caption="Blue sky over a green field.",
        seed=0,
    )
    assert sorted(drawn) == ["pink", "red"]


@pytest.mark.parametrize(
    ("text", "kind", "key"),
    [
        ("440 Hz", "number", "number:value:hz"),
        ("4.0 seconds", "number", "number:value:s"),
        ("0.3–2.2 s", "number", "number:range:s"),
        ("1:05", "number", "number:time:"),
        ("85%", "number", "number:value:%"),
        ("beep", "word", "word:sound"),
        ("flickering", "word", "word:"),
        ("Blue", "colour", "colour"),
    ],
)
def test_option_keys_keep_units_and_families_apart(text: str, kind: str, key: str) -> None:
    assert option_key(text, kind) == key


def test_engine_distractors_fill_in_after_the_pool_and_before_rules() -> None:
    pool = build_pool([(OTHER, "A tone at 880 Hz.")])
    made = with_options(
        blank("440 Hz", "number"),
        clip_id=CLIP,
        caption="A tone at 440 Hz.",
        seed=0,
        pool=pool,
        engine_written=["5 s", "550 Hz", "440 hz", "660 Hz"],  # another unit, the answer again
    )
    chosen = {o: s for o, s in zip(made.options, made.option_sources, strict=False)}
    assert chosen["880 Hz"] == "pool"
    assert chosen["550 Hz"] == "engine" and chosen["660 Hz"] == "engine"
    assert "5 s" not in made.options


@pytest.mark.parametrize(
    ("answer", "shape"),
    [
        ("440 Hz", r"\d+ Hz"),
        ("4.0 s", r"\d+\.\d s"),
        ("2.50 seconds", r"\d+\.\d\d seconds"),
        ("0.3–2.2 s", r"\d+\.\d–\d+\.\d s"),
        ("1:05", r"\d+:\d\d"),
        ("0:07.5", r"\d+:\d\d\.\d"),
        ("85%", r"\d+%"),
        ("0 dB", r"\d+ dB"),
        ("12 px/s", r"\d+ px/s"),
        ("-18 dBFS", r"-\d+ dBFS"),
        ("−0.5 dB", r"−\d\.\d dB"),
    ],
)
def test_rule_made_numbers_keep_unit_and_format(answer: str, shape: str) -> None:
    made = shifted_numbers(answer, random.Random(0))
    assert len(made) >= 3
    assert all(re.fullmatch(shape, m) for m in made), made
    assert normal(answer) not in {normal(m) for m in made}
    values = [float(v) for m in made for v in re.findall(r"\d+(?:\.\d+)?", m)]
    assert min(values) >= 0  # magnitudes: the shape above fixes the sign
    if "%" in answer:
        assert max(values) <= 100


@pytest.mark.parametrize(
    ("answer", "kind", "check"),
    [
        ("beep", "word", lambda o: o.islower()),
        ("Beep", "word", lambda o: o[0].isupper() and o[1:].islower()),
        ("blue", "colour", lambda o: o.islower()),
        ("Blue", "colour", lambda o: o[0].isupper()),
        ("HELLO OMNI 42", "quote", lambda o: o.upper() == o),
        ("Alice", "name", lambda o: o[0].isupper()),
    ],
)
def test_rule_made_words_come_from_the_lists_in_the_same_case(answer, kind, check) -> None:
    made = rule_distractors(answer, kind, random.Random(0))
    assert len(made) >= 3 and all(check(o) for o in made[:10])
    assert normal(answer) not in {normal(o) for o in made[:10]}


def test_rule_made_words_stay_in_the_answers_family() -> None:
    sounds = set(parse_word_lists(_shipped_lists())["sound"])
    assert set(rule_distractors("beep", "word", random.Random(0))) <= sounds


def _shipped_lists() -> str:
    from importlib.resources import files

    return files("datagen.generators.omni").joinpath("cloze_words.txt").read_text(encoding="utf-8")


def test_word_lists_parse_sections_and_refuse_words_before_one() -> None:
    lists = parse_word_lists("# c\n[stop]\nthe\nthe  # again\n\n[sound]\nbeep\n")
    assert lists == {"stop": ("the",), "sound": ("beep",)}
    with pytest.raises(ValueError, match="before any"):
        parse_word_lists("beep\n[sound]\n")
    shipped = parse_word_lists(_shipped_lists())
    assert {"stop", "colour", "name", "sound"} <= set(shipped)


# --- engine-written distractors -----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "texts", "reason"),
    [
        ('{"distractors": ["550 Hz", "660 Hz", "220 Hz"]}', ("550 Hz", "660 Hz", "220 Hz"), None),
        ('```json\n{"distractors": ["red", "green", "pink"]}\n```', ("red", "green", "pink"), None),
        ('["red", "green", "pink"]', ("red", "green", "pink"), None),
        ('{"distractors": ["Red", "red", " RED ", "green"]}', ("Red", "green"), None),
        ('{"distractors": ["4.0 s", "4 seconds", "5 s"]}', ("4.0 s", "5 s"), None),
        ('{"distractors": ["440 Hz", "440hz", "550 Hz"]}', ("550 Hz",), None),  # the answer
        ('{"distractors": ["Not given", "", 7, null, "green"]}', ("green",), None),
        ('{"distractors": ["440 Hz"]}', (), "no_usable_distractor"),
        ('{"distractors": "red, green"}', (), "no_distractor_list"),
        ('{"wrong": ["red"]}', (), "no_distractor_list"),
        ('{"distractors": ["red", "green"', (), "malformed_json"),
        ("red, green, pink", (), "malformed_json"),
        ("", (), "malformed_json"),
        (None, (), "missing_answer"),
    ],
)
def test_parse_distractors(text: str | None, texts: tuple[str, ...], reason: str | None) -> None:
    parsed = parse_distractors(text, answer="440 Hz")
    assert parsed.texts == texts
    assert (parsed.reason or "").split(":")[0] == (reason or "")


def test_distractor_request_asks_for_json_of_the_blank() -> None:
    request = distractor_request(blank("440 Hz", "number"), seed=5)
    assert request.response_format.kind == "json_schema"
    schema = request.response_format.json_schema
    assert schema["properties"]["distractors"]["minItems"] == 3
    assert "440 Hz" in request.messages[-1]["content"] and "[1]" in request.messages[-1]["content"]
    assert request.sampling.seed == 5
    check = jsonschema.Draft202012Validator(schema)
    assert check.is_valid(json.loads('{"distractors": ["550 Hz", "660 Hz", "220 Hz"]}'))
    assert not check.is_valid(json.loads('{"distractors": ["550 Hz", "660 Hz"]}'))
    assert not check.is_valid(json.loads('{"distractors": ["a", "b", "c"], "why": "x"}'))


# --- answering and scoring ----------------------------------------------------------------


def ready(answer: str, tag: str, number: int, letter: str) -> Blank:
    made = blank(answer, "word", number, tag)
    options = ["w", "x", "y", "z"]
    options[LETTERS.index(letter)] = answer
    sources = ["rule"] * 4
    sources[LETTERS.index(letter)] = "answer"
    return replace(
        made, options=(*options, NOT_GIVEN), option_sources=tuple(sources), answer_letter=letter
    )


def test_answer_request_gives_the_caption_and_five_choices() -> None:
    made = ready("tone", "auditory", 2, "C")
    request = answer_request(made, "A candidate caption about a tone.", seed=9)
    assert request.response_format.kind == "choice"
    assert request.response_format.choice == ("A", "B", "C", "D", "E")
    user = request.messages[-1]["content"]
    assert (
        "A candidate caption about a tone." in user and "C. tone" in user and "E. not given" in user
    )
    assert "[2]" in user and request.sampling.temperature == 0.0
    with pytest.raises(ValueError, match="no options"):
        answer_request(blank("tone", "word"), "caption")


@pytest.mark.parametrize(
    ("text", "letter"),
    [
        ("A", "A"),
        ("b", "B"),
        (" C.", "C"),
        ("(D)", "D"),
        ("E) not given", "E"),
        ("Answer: e", "E"),
        ("The answer is B", "B"),
        ("D\n", "D"),
        ("Banana", None),
        ("AB", None),
        ("F", None),
        ("I think B", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_answer(text: str | None, letter: str | None) -> None:
    assert parse_answer(text) == letter


def test_score_per_tag_and_overall_with_reasons() -> None:
    blanks = [
        ready("tone", "auditory", 1, "A"),
        ready("beep", "auditory", 2, "B"),
        ready("red", "visual", 3, "C"),
        ready("box", "visual", 4, "D"),
        ready("left", "visual", 5, "A"),
        ready("siren", "audio-visual", 6, "B"),
    ]
    answers = {
        f"{CLIP}:1": "a",  # right, lower case
        f"{CLIP}:2": "E",  # not given
        f"{CLIP}:3": "C",  # right
        f"{CLIP}:4": "banana",  # malformed: wrong, not a crash
        f"{CLIP}:5": "B",  # wrong letter
        # 6 missing
    }
    result = score(blanks, answers)
    assert result.overall == pytest.approx(2 / 6)
    assert result.per_tag == {"visual": pytest.approx(1 / 3), "auditory": 0.5, "audio-visual": 0.0}
    assert result.counts == {"visual": 3, "auditory": 2, "audio-visual": 1}
    assert result.reasons == {
        "correct": 2,
        "not_given": 1,
        "malformed_answer": 1,
        "wrong": 1,
        "missing_answer": 1,
    }
    assert result.marks[f"{CLIP}:4"].reason.startswith("malformed_answer: 'banana'")


@pytest.mark.parametrize(
    ("blanks", "overall", "per_tag"),
    [
        ([], None, {"visual": None, "auditory": None, "audio-visual": None}),
        ([("tone", "auditory", "A")], 1.0, {"visual": None, "auditory": 1.0, "audio-visual": None}),
    ],
)
def test_score_without_blanks_of_a_tag_is_none_not_zero(blanks, overall, per_tag) -> None:
    made = [ready(a, t, n, letter) for n, (a, t, letter) in enumerate(blanks, 1)]
    result = score(made, {b.blank_id: b.answer_letter for b in made})
    assert result.overall == overall and result.per_tag == per_tag


# --- the record ---------------------------------------------------------------------------


def record() -> dict:
    pool = build_pool([(OTHER, 'A tone at 880 Hz on a green screen. It says "BYE 7".')])
    blanks = choose_blanks(CAPTION, EVIDENCE, clip_id=CLIP, max_blanks=4, seed=0)
    done = [with_options(b, clip_id=CLIP, caption=CAPTION, seed=0, pool=pool) for b in blanks]
    return cloze_record(clip_id=CLIP, caption=CAPTION, blanks=done, seed=0)


def test_cloze_record_is_valid_and_stable() -> None:
    made = record()
    assert first_error("omni/cloze.v1", made) is None
    assert made == record()
    assert len(made["blanks"]) == 4


@pytest.mark.parametrize(
    "change",
    [
        lambda r: r["blanks"][0]["options"].__setitem__(4, "none of these"),
        lambda r: r["blanks"][0]["options"].pop(),
        lambda r: r["blanks"][0].__setitem__("tag", "olfactory"),
        lambda r: r["blanks"][0].__setitem__("answer_letter", "E"),
        lambda r: r["blanks"][0].__setitem__("option_sources", ["rule"] * 4),
        lambda r: r["blanks"][0].__setitem__("tools", []),
        lambda r: r.__setitem__("blanks", []),
        lambda r: r.__setitem__("extra", 1),
        lambda r: r["blanks"][0].__setitem__("extra", 1),
    ],
)
def test_cloze_schema_rejects_broken_records(change) -> None:
    broken = copy.deepcopy(record())
    change(broken)
    assert first_error("omni/cloze.v1", broken) is not None


def test_cloze_record_needs_options() -> None:
    blanks = choose_blanks(CAPTION, EVIDENCE, clip_id=CLIP, max_blanks=2, seed=0)
    with pytest.raises(ValueError, match="options"):
        cloze_record(clip_id=CLIP, caption=CAPTION, blanks=blanks, seed=0)
