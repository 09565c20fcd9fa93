"""The demo clips: made at run time from a spec, each with a manifest of what is in it and when.

Sound is espeak-ng speech (trimmed of its own leading and trailing silence by sox, so a speech
event starts and ends where the voice does), sox tones, white noise and silence, all 16 kHz mono
16-bit WAV (sox's default 32-bit WAVE_FORMAT_EXTENSIBLE is refused by Python's ``wave``: ``-b
16``) joined by sox; a WAV clip is that track, a FLAC one is it encoded by ffmpeg. Pictures
are scenes, ffmpeg ``color`` sources with ``drawtext`` and perhaps a box moved by ``overlay``
with ``x='t*SPEED'`` (``drawbox`` ignores time expressions), joined by ``concat``, so a cut
lands on the exact frame where the scenes' lengths add up; they are encoded with the track by
the container's ``ENCODINGS`` (H.264 and AAC in MP4 and Matroska, VP9 and Opus in WebM). The
observer tests' and benchmark's clips (``tests/omni/observer_media.py``) are specs of these
parts too.

Event times come from the spec and from sample counts, never from a decoder, so they hold even
where the encoded bytes differ: espeak-ng, sox (``-R``) and ffmpeg (``bitexact``, one encoder
thread) gave the same bytes run after run on one machine, but another ffmpeg or x264 build
writes other bytes for the same clip, and another espeak-ng speaks at another length.
"""

from __future__ import annotations

import hashlib
import json
import re
import wave
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from datagen.generators.omni.programs import ProgramFailed, run
from datagen.generators.omni.requirements import require_font, require_programs

RATE = 16_000
DEMO_PROGRAMS = ("espeak-ng", "sox", "ffmpeg", "ffprobe")
TEXT = re.compile(r"[A-Z0-9 ]+")
"""Drawn text: capitals, digits and spaces (nothing ffmpeg's filter syntax would need escaped)."""
TOOL_TIMEOUT_S = 120.0


@dataclass(frozen=True)
class Colour:
    """A colour by the name a manifest gives it."""

    name: str
    hex: str
    """``RRGGBB``, what ffmpeg is given (its own colour names differ from CSS's in places)."""


@dataclass(frozen=True)
class Speech:
    """Words espeak-ng speaks, trimmed to where its voice starts and stops."""

    words: str
    at_s: float | None = None
    """Where it starts; ``None`` is right after the previous part."""
    voice: str = "en-us"
    rate_wpm: int = 150


@dataclass(frozen=True)
class Tone:
    """A sine tone from sox."""

    frequency_hz: float
    seconds: float
    at_s: float | None = None
    volume: float = 0.5


@dataclass(frozen=True)
class Noise:
    """White noise from sox."""

    seconds: float
    at_s: float | None = None
    volume: float = 0.3


@dataclass(frozen=True)
class Silence:
    """Digital silence (the gaps before an ``at_s`` and up to the clip's end are filled too)."""

    seconds: float
    at_s: float | None = None


WHITE = Colour("white", "FFFFFF")


@dataclass(frozen=True)
class MovingBox:
    """A square moving left to right at ``speed_px_s`` from x = 0 for its whole scene."""

    colour: Colour
    size_px: int
    y_px: int
    speed_px_s: float


@dataclass(frozen=True)
class Scene:
    """A plain background for ``seconds``, with ``text`` drawn in its centre and a ``box``
    moving across it when they are given."""

    seconds: float
    background: Colour
    text: str = ""
    text_colour: Colour = WHITE
    box: MovingBox | None = None


@dataclass(frozen=True)
class Encoding:
    """What ffmpeg is given to encode a container's streams; no ``video`` for a sound-only one."""

    audio: tuple[str, ...]
    video: tuple[str, ...] = ()
    sample_rate: int = RATE
    """The rate the sound is stored at, as the manifest gives it: Opus runs at 48 kHz only and
    WebM says 48 kHz whatever it was fed, so that track is resampled to it (``-ar``) rather
    than have the file hold another rate than the one it names."""


AAC = ("-c:a", "aac", "-b:a", "64k", "-flags:a", "+bitexact")
X264 = ("-c:v", "libx264", "-preset", "veryfast", "-threads", "1")
VP9 = (
    "-c:v", "libvpx-vp9", "-deadline", "good", "-cpu-used", "4", "-row-mt", "0", "-threads", "1",
    "-b:v", "0", "-crf", "32",
)  # fmt: skip
"""Constant quality (``-b:v 0``), one thread and no row threading: the same bytes each run."""
ENCODINGS: dict[str, Encoding] = {
    "wav": Encoding(audio=()),  # the track as sox joined it (``_sound``)
    "flac": Encoding(audio=("-c:a", "flac", "-flags:a", "+bitexact")),
    "mp4": Encoding(AAC, X264),
    "mkv": Encoding(AAC, X264),
    "webm": Encoding(
        ("-c:a", "libopus", "-b:a", "48k", "-ar", "48000", "-flags:a", "+bitexact"),
        VP9,
        sample_rate=48_000,
    ),
}
"""Each clip extension's encoders (``ClipSpec`` refuses any other extension)."""


@dataclass(frozen=True)
class ClipSpec:
    """One clip, ``duration_s`` long: its sound parts in order and its scenes one after another."""

    name: str
    ext: str
    duration_s: float
    audio: tuple[Speech | Tone | Noise | Silence, ...] = ()
    scenes: tuple[Scene, ...] = ()
    width: int = 640
    height: int = 360
    fps: int = 25

    def __post_init__(self) -> None:
        if self.scenes and abs(sum(s.seconds for s in self.scenes) - self.duration_s) > 1e-9:
            raise ValueError(f"clip {self.name}: the scenes do not add up to {self.duration_s} s")
        if not (self.audio or self.scenes):
            raise ValueError(f"clip {self.name}: neither sound nor pictures")
        encoding = ENCODINGS.get(self.ext)
        if encoding is None:
            known = ", ".join(ENCODINGS)
            raise ValueError(f"clip {self.name}: no encoding for {self.ext} (known: {known})")
        if self.scenes and not encoding.video:
            raise ValueError(f"clip {self.name}: a {self.ext} file holds no pictures")
        for scene in self.scenes:
            if scene.text and not TEXT.fullmatch(scene.text):
                raise ValueError(f"clip {self.name}: drawn text {scene.text!r} is not {TEXT}")

    @property
    def has_video(self) -> bool:
        return bool(self.scenes)


@dataclass(frozen=True)
class MadeClip:
    """A clip made in a work folder, and its manifest: what went into it and when."""

    spec: ClipSpec
    path: Path
    manifest: dict[str, Any] = field(default_factory=dict)


NAVY = Colour("navy", "000080")
GREEN = Colour("dark green", "006400")
GREY = Colour("grey", "808080")
RED = Colour("red", "FF0000")

DEMO: tuple[ClipSpec, ...] = (
    ClipSpec(
        "speech_tone",
        "wav",
        9.0,
        audio=(
            Speech("the quick brown fox jumps over the lazy dog", at_s=0.5),
            Tone(440, 1.5, at_s=4.0),
            Noise(1.0, at_s=6.5),
        ),
    ),
    ClipSpec(
        "two_scenes",
        "mp4",
        8.0,
        audio=(
            Speech("hello omni, this is the blue room", at_s=0.5),
            Speech("now the room is green", at_s=4.5),
        ),
        scenes=(Scene(4.0, NAVY, "HELLO OMNI 42"), Scene(4.0, GREEN, "SCENE TWO")),
    ),
    ClipSpec(
        "moving_box", "mkv", 6.0, scenes=(Scene(6.0, GREY, box=MovingBox(RED, 48, 156, 80.0)),)
    ),
    ClipSpec(
        "timer_rings",
        "flac",
        6.0,
        audio=(
            Speech("the timer rings three times", at_s=0.5),
            Tone(880, 0.5, at_s=3.0),
            Silence(0.5),
            Tone(880, 0.5),
            Silence(0.5),
            Tone(880, 0.5),
        ),
    ),
    ClipSpec(
        "exit_sign",
        "webm",
        5.0,
        audio=(Speech("the exit is on the left", at_s=0.5),),
        scenes=(Scene(5.0, RED, "EXIT 7"),),
    ),
)
"""Five clips, one container each: speech, a tone and noise (WAV); two scenes with speech
(MP4); a silent moving box (Matroska); speech then three rings (FLAC); a sign and speech
(WebM)."""


def spec_key(specs: tuple[ClipSpec, ...] = DEMO) -> str:
    """A hash of the clips' spec and of this module's code: a change to either makes new clips."""
    text = json.dumps([asdict(s) for s in specs], sort_keys=True)
    digest = hashlib.sha256(text.encode() + b"\0" + Path(__file__).read_bytes())
    return digest.hexdigest()[:16]


def make_clips(specs: tuple[ClipSpec, ...], folder: Path) -> list[MadeClip]:
    """Make every clip of ``specs`` in ``folder`` (its parts are left there too)."""
    require_programs(*DEMO_PROGRAMS)
    folder.mkdir(parents=True, exist_ok=True)
    return [make_clip(spec, folder) for spec in specs]


def make_clip(spec: ClipSpec, folder: Path) -> MadeClip:
    """Make ``spec`` in ``folder``, with the manifest of the events that went into it."""
    events: list[dict[str, Any]] = []
    wav = None
    if spec.audio:
        wav = folder / f"{spec.name}.track.wav"
        events += _audio_track(spec, wav, folder)
    path = folder / f"{spec.name}.{spec.ext}"
    if spec.has_video:
        events += _video(spec, path, wav)
    else:
        assert wav is not None  # __post_init__: a clip without pictures has sound
        _sound(spec, path, wav)
    events.sort(key=lambda e: (e["start_s"], e["end_s"], e["kind"]))
    manifest = {
        "clip": spec.name,
        "duration_s": spec.duration_s,
        "sample_rate": ENCODINGS[spec.ext].sample_rate if spec.audio else None,
        "width": spec.width if spec.has_video else None,
        "height": spec.height if spec.has_video else None,
        "fps": spec.fps if spec.has_video else None,
        "events": events,
    }
    return MadeClip(spec, path, manifest)


def _audio_track(spec: ClipSpec, out: Path, folder: Path) -> list[dict[str, Any]]:
    """The sound of ``spec`` as one WAV of exactly ``duration_s``; its events."""
    fmt = ["-b", "16", "-r", str(RATE), "-c", "1"]
    made = ["-r", str(RATE), "-c", "1", "-n"]  # synth counts samples at the input's rate
    parts: list[Path] = []
    events: list[dict[str, Any]] = []
    at = 0  # samples

    def silence(samples: int) -> None:
        nonlocal at
        if samples <= 0:
            return
        path = folder / f"{spec.name}.{len(parts):02d}.wav"
        _sox([*made, *fmt, str(path), "trim", "0", f"{samples}s"])
        if _samples(path) != samples:
            raise RuntimeError(f"sox made {_samples(path)} samples of silence, not {samples}")
        parts.append(path)
        if events and events[-1]["kind"] == "silence":
            events[-1]["end_s"] = _s(at + samples)
        else:
            events.append(_event("silence", at, at + samples, None))
        at += samples

    for part in spec.audio:
        if part.at_s is not None:
            start = round(part.at_s * RATE)
            if start < at:
                raise ValueError(f"clip {spec.name}: {part} starts before the part before ends")
            silence(start - at)
        path = folder / f"{spec.name}.{len(parts):02d}.wav"
        if isinstance(part, Silence):
            silence(round(part.seconds * RATE))
            continue
        if isinstance(part, Speech):
            raw = folder / f"{spec.name}.{len(parts):02d}.espeak.wav"
            speak = ["espeak-ng", "-v", part.voice, "-s", str(part.rate_wpm), "-w", str(raw)]
            _tool([*speak, part.words])
            trim = ["silence", "1", "0.01", "0.5%", "reverse"]
            _sox([str(raw), *fmt, str(path), *trim, *trim])
            extra: dict[str, Any] = {"voice": part.voice, "rate_wpm": part.rate_wpm}
            kind, content = "speech", part.words
        elif isinstance(part, Tone):
            samples = f"{round(part.seconds * RATE)}s"
            synth = ["synth", samples, "sine", f"{part.frequency_hz:g}", "vol", f"{part.volume}"]
            _sox([*made, *fmt, str(path), *synth])
            kind, content, extra = "tone", part.frequency_hz, {"waveform": "sine"}
        else:
            samples = f"{round(part.seconds * RATE)}s"
            _sox([*made, *fmt, str(path), "synth", samples, "whitenoise", "vol", f"{part.volume}"])
            kind, content, extra = "noise", "white", {}
        samples_made = _samples(path)
        parts.append(path)
        events.append(_event(kind, at, at + samples_made, content) | extra)
        at += samples_made
    end = round(spec.duration_s * RATE)
    if at > end:
        raise ValueError(f"clip {spec.name}: its sound lasts {_s(at)} s, past {spec.duration_s} s")
    silence(end - at)
    _sox([*map(str, parts), *fmt, str(out)])
    if _samples(out) != end:
        raise RuntimeError(f"clip {spec.name}: sox joined {_samples(out)} samples, not {end}")
    return events


def _sound(spec: ClipSpec, path: Path, wav: Path) -> None:
    """The track ``wav`` as the sound-only clip ``path``: a WAV clip is the track itself, else it
    is encoded (FLAC is lossless, so the clip holds the track's very samples and the events'
    sample counts hold in it exactly)."""
    if spec.ext == "wav":
        wav.rename(path)
        return
    argv = ["ffmpeg", "-nostdin", "-v", "error", "-y", "-i", str(wav), "-vn"]
    argv += [*ENCODINGS[spec.ext].audio, "-fflags", "+bitexact", "-map_metadata", "-1", str(path)]
    _tool(argv)


def _video(spec: ClipSpec, path: Path, wav: Path | None) -> list[dict[str, Any]]:
    """Encode the scenes of ``spec`` (and ``wav`` as its sound) into ``path``; their events."""
    font = require_font() if any(scene.text for scene in spec.scenes) else ""
    chains, events, at = [], [], 0.0
    for index, scene in enumerate(spec.scenes):
        chains.append(_scene_graph(spec, index, scene, font))
        events += _scene_events(scene, at)
        if index:
            before = spec.scenes[index - 1].background.name
            events.append(_timed("cut", at, at, f"{before} to {scene.background.name}"))
        at += scene.seconds
    joined = "".join(f"[s{i}]" for i in range(len(spec.scenes)))
    graph = ";".join([*chains, f"{joined}concat=n={len(spec.scenes)}:v=1:a=0,format=yuv420p[v]"])
    encoding = ENCODINGS[spec.ext]
    argv = ["ffmpeg", "-nostdin", "-v", "error", "-y", "-filter_complex", graph]
    if wav is not None:
        argv += ["-i", str(wav), "-map", "[v]", "-map", "0:a", *encoding.audio]
    else:
        argv += ["-map", "[v]", "-an"]
    argv += [*encoding.video, "-g", str(spec.fps)]
    argv += ["-flags:v", "+bitexact", "-fflags", "+bitexact", "-map_metadata", "-1"]
    argv += ["-t", f"{spec.duration_s}", str(path)]
    _tool(argv)
    return events


def _scene_graph(spec: ClipSpec, index: int, scene: Scene, font: str) -> str:
    """The filter chain that makes scene ``index`` as ``[s<index>]``."""
    source = f"s={spec.width}x{spec.height}:r={spec.fps}:d={scene.seconds}"
    chain = f"color=c=0x{scene.background.hex}:{source}"
    if scene.text:
        chain += (
            f",drawtext=fontfile={font}:text='{scene.text}':fontsize={spec.height // 8}"
            f":fontcolor=0x{scene.text_colour.hex}:x=(w-tw)/2:y=(h-th)/2"
        )
    box = scene.box
    if box is None:
        return f"{chain}[s{index}]"
    square = f"s={box.size_px}x{box.size_px}:r={spec.fps}:d={scene.seconds}"
    return (
        f"{chain}[b{index}];color=c=0x{box.colour.hex}:{square}[m{index}];"
        f"[b{index}][m{index}]overlay=x='t*{box.speed_px_s:g}':y={box.y_px}:shortest=1[s{index}]"
    )


def _scene_events(scene: Scene, start: float) -> list[dict[str, Any]]:
    """The colour, text and motion of a scene that starts at ``start`` s."""
    end = start + scene.seconds
    background = scene.background
    events = [_timed("colour", start, end, background.name, hex=background.hex)]
    if scene.text:
        text = _timed("text", start, end, scene.text, colour=scene.text_colour.name)
        events.append(text | {"position": "centre"})
    if scene.box is not None:
        box = scene.box
        events.append(
            _timed("motion", start, end, f"{box.colour.name} box", hex=box.colour.hex)
            | {
                "direction": "left to right",
                "size_px": box.size_px,
                "y_px": box.y_px,
                "x_start_px": 0.0,
                "x_end_px": round(box.speed_px_s * scene.seconds, 3),
                "speed_px_s": box.speed_px_s,
            }
        )
    return events


def _sox(args: list[str]) -> None:
    _tool(["sox", "-R", *args])


def _tool(argv: list[str]) -> None:
    """Run one step of making a clip; a failure is a bug or a broken install, so it is raised."""
    try:
        run(argv, timeout_s=TOOL_TIMEOUT_S)
    except ProgramFailed as exc:
        raise RuntimeError(f"making a demo clip: {exc}") from None


def _samples(path: Path) -> int:
    with wave.open(str(path)) as w:
        return w.getnframes()


def _s(samples: int) -> float:
    return round(samples / RATE, 6)


def _event(kind: str, start: int, end: int, content: Any) -> dict[str, Any]:
    return {"kind": kind, "start_s": _s(start), "end_s": _s(end), "content": content}


def _timed(kind: str, start: float, end: float, content: Any, **extra: Any) -> dict[str, Any]:
    return {"kind": kind, "start_s": start, "end_s": end, "content": content, **extra}
