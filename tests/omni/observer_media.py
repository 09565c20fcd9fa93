"""Clips of known content for the observer tests and ``bench/omni_tools.py``: specs of the demo's
parts (``generators/omni/demo.py``), made and read into a store by ``read_demo`` as the demo
clips are, so each comes with the manifest of what is in it and when.

The demo's own clips hold one kind of thing each; the observers' ``describe`` must be seen
putting speech, text, a cut, a tone, colours, silence and motion in one timeline, and ``asr``
must cut more than one 8 s chunk of speech in a pause, hence these.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from datagen.generators.omni.demo import (
    RED,
    WHITE,
    ClipSpec,
    Colour,
    MovingBox,
    Scene,
    Silence,
    Speech,
    Tone,
)
from datagen.generators.omni.media import read_demo

BLUE = Colour("blue", "0000FF")

STANDARD = ClipSpec(
    "standard",
    "mp4",
    8.0,
    audio=(Speech("hello world, this is a test", at_s=0.3), Tone(440, 2.0, at_s=5.0)),
    scenes=(
        Scene(4.0, BLUE, "HELLO OMNI 42"),
        Scene(4.0, RED, "SECOND SCENE", box=MovingBox(WHITE, 40, 240, 150.0)),
    ),
)
"""The tests' 8 s clip: blue 0–4 s with "HELLO OMNI 42", red 4–8 s with "SECOND SCENE" and a
white box moving left→right at 150 px/s below it; speech from 0.3 s, a 440 Hz tone 5–7 s,
silence between and after."""

LONG_SPEECH = ClipSpec(
    "long_speech",
    "wav",
    10.0,
    audio=(
        Speech("the weather today is sunny and warm in the city"),
        Silence(0.4),
        Speech("please bring an umbrella tomorrow because it will rain"),
        Silence(0.4),
        Speech("the meeting starts at nine in the morning"),
    ),
)
"""Three sentences with short pauses, more speech than one 8 s chunk, then silence."""


@dataclass(frozen=True)
class Clip:
    """A made clip's record (the media reader's, its manifest included) and what tests ask of it."""

    record: dict[str, Any]

    @property
    def path(self) -> Path:
        return Path(self.record["path"])

    @property
    def media_sha256(self) -> str:
        return self.record["media_sha256"]

    @property
    def duration_s(self) -> float:
        return self.record["manifest"]["duration_s"]

    def spans(self, kind: str) -> list[tuple[float, float]]:
        """Where each manifest event of ``kind`` (``speech``, ``silence``, ``cut``...) lies."""
        events = self.record["manifest"]["events"]
        return [(e["start_s"], e["end_s"]) for e in events if e["kind"] == kind]

    def span(self, kind: str) -> tuple[float, float]:
        """The first event of ``kind``."""
        return self.spans(kind)[0]

    def call(self, question: str) -> dict[str, Any]:
        """An observer call about this clip: its record with the question added."""
        return self.record | {"question": question}


def make_clips(
    store: Path, specs: tuple[ClipSpec, ...] = (STANDARD, LONG_SPEECH)
) -> dict[str, Clip]:
    """``specs`` made into ``store`` (or found there, made before), by their names."""
    return {
        record["origin"]: Clip(record) for record in read_demo(store=store, specs=specs).records
    }
