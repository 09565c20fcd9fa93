"""Omni-Detective's observer tools: each one's whole-clip analysis time on a 30 s clip, and
Whisper's speed in seconds of audio per second of compute.

    python bench/omni_tools.py [--seconds 30] [--smoke]

The clip is made like the tests' (``tests/omni/observer_media.py``, the demo's clip maker):
espeak-ng sentences with pauses, a 440 Hz sox tone and silence; six ffmpeg colour scenes of
equal length with drawn text (five cuts), the last with a box moving left→right. Each analysis
runs once, in dependency order, so a time is that observer's own work (OCR's excludes the cuts
it reads, ASR's the tones it skips); then the same clip is asked a question by every tool from
the cache. Whisper's load is timed apart. ``--smoke`` uses the tests' 8 s clip.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # bench.machine and tests.omni.observer_media as a script

from bench.machine import describe_machine  # noqa: E402
from datagen.generators.omni import demo  # noqa: E402
from datagen.generators.omni.observers import ObserverCall, ObserverConfig, Observers  # noqa: E402
from datagen.generators.omni.observers.asr import load_whisper  # noqa: E402
from datagen.generators.omni.requirements import whisper_model_dir  # noqa: E402
from tests.omni.observer_media import STANDARD, Clip, make_clips  # noqa: E402

SENTENCES = (
    "good morning, this is the weekly report from the north office",
    "sales went up by twelve percent and the new shop opens in march",
    "please send your questions to the team before friday",
    "thank you for listening, and see you next week",
)
SCENES = (
    (demo.Colour("navy", "000080"), "WEEKLY REPORT"),
    (demo.Colour("green", "008000"), "SALES UP 12"),
    (demo.Colour("purple", "800080"), "NEW SHOP MARCH"),
    (demo.Colour("black", "000000"), "QUESTIONS"),
    (demo.Colour("orange", "FFA500"), "FRIDAY"),
    (demo.Colour("grey", "808080"), "THANK YOU"),
)
T = TypeVar("T")


def long_clip(seconds: float) -> demo.ClipSpec:
    """Speech with pauses, a tone, silence to ``seconds``; scenes of equal length with text."""
    audio: list[Any] = []
    for sentence in SENTENCES:
        audio += [demo.Silence(0.5), demo.Speech(sentence)]
    audio += [demo.Silence(1.0), demo.Tone(440, 2.0)]
    scene_s = seconds / len(SCENES)
    box = demo.MovingBox(demo.WHITE, 40, 240, 150.0)
    scenes = [
        demo.Scene(scene_s, colour, text, box=box if index == len(SCENES) - 1 else None)
        for index, (colour, text) in enumerate(SCENES)
    ]
    return demo.ClipSpec("bench", "mp4", seconds, audio=tuple(audio), scenes=tuple(scenes))


def timed(work: Callable[[], T]) -> tuple[T, float]:
    """What ``work`` returns, and the seconds it took."""
    start = time.perf_counter()
    value = work()
    return value, time.perf_counter() - start


def analyse_all(clip: Clip, beam: int) -> tuple[Observers, dict[str, float], dict[str, dict]]:
    """Every observer's analysis of ``clip`` once, in dependency order, each timed."""
    observers = Observers(ObserverConfig(whisper_beam_size=beam))
    call = ObserverCall(clip.path, clip.media_sha256, "Describe it.", "bench")
    seconds, analyses = {}, {}
    for name in ("probe", "audio", "video", "ocr", "asr"):
        analyses[name], seconds[name] = timed(lambda n=name: observers.analysis(n, call))
    return observers, seconds, analyses


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--smoke", action="store_true", help="the tests' 8 s clip, one pass")
    args = parser.parse_args()
    spec = STANDARD if args.smoke else long_clip(args.seconds)
    with tempfile.TemporaryDirectory(prefix="datagen-bench-omni-") as store:
        clips, make_s = timed(lambda: make_clips(Path(store), (spec,)))
        clip = clips[spec.name]
        speech_s = sum(b - a for a, b in clip.spans("speech"))
        cuts_made = [a for a, _ in clip.spans("cut")]
        print(f"machine: {describe_machine()}")
        print(
            f"clip: {clip.duration_s:.1f} s (speech {speech_s:.1f} s, {len(cuts_made)} cuts, "
            f"640x360 at 25 fps), made in {make_s:.1f} s"
        )
        _, load_s = timed(lambda: load_whisper(str(whisper_model_dir(None))))
        print(f"whisper tiny.en load: {load_s:.2f} s")
        for beam in (5,) if args.smoke else (5, 1):
            observers, seconds, analyses = analyse_all(clip, beam)
            print(f"-- each analysis once, whole clip (whisper beam {beam}):")
            for name, took in seconds.items():
                print(f"{name:6s}: {took:6.2f} s ({clip.duration_s / took:7.1f}x real time)")
            sent = sum(b - a for a, b in analyses["asr"]["chunks"])
            print(
                f"asr: {clip.duration_s / seconds['asr']:.2f} s of audio per s of compute "
                f"(beam {beam}; {len(analyses['asr']['chunks'])} chunks, {sent:.1f} s sent to "
                f"Whisper: {sent / seconds['asr']:.2f} s/s)"
            )
        tools = ("describe", "asr", "ocr", "audio", "video")
        question = clip.call("Describe it in detail.")
        answers, ask_s = timed(lambda: [observers.ask(n, [question])[0] for n in tools])
        ran = dict(observers.cache.computed)
        print(f"one question to each of the five tools, from the cache: {ask_s * 1000:.1f} ms")
        print(f"analyses run: {ran}")
        cuts = analyses["video"]["cuts"]
        right = len(cuts) == len(cuts_made) and all(
            abs(a - b) <= 0.08 for a, b in zip(cuts, cuts_made, strict=True)
        )
        print(f"cuts found: {cuts} (made: {cuts_made}): {'right' if right else 'WRONG'}")
        texts = [t["text"] for t in analyses["ocr"]["texts"]]
        print(f"ocr: {len(texts)} texts in {len(analyses['ocr']['samples'])} frames: {texts}")
        words = " ".join(w[2].strip() for w in analyses["asr"]["words"])
        print(f"asr heard: {words}")
        print(f"describe's answer: {len(answers[0].text.splitlines())} lines")


if __name__ == "__main__":
    main()
