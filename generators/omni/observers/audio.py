"""``audio``: how the clip sounds: silences, loudness, steady tones and pitch, onsets (numpy).

Sound between silences (at least 0.25 s under the clip's threshold) is cut into 0.25 s
windows; a window with over half its power within ±2 % of one frequency is a steady tone.
Neighbouring tone windows within 3 % of each other make one tone segment, the other windows
between them one segment, measured whole: pitched (a voice, an instrument) when at least 30 %
of its 40 ms frames are voiced, with their median pitch, else unpitched (noise, clicks).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from datagen.generators.omni.observers import sound
from datagen.generators.omni.observers.cache import Analysis
from datagen.generators.omni.observers.decode import RATE
from datagen.generators.omni.observers.observer import Context, Observer
from datagen.generators.omni.observers.timeline import Event

MIN_SILENCE_S = 0.25
WINDOW_S = 0.25
TONE_SHARE = 0.5
VOICED_SHARE = 0.3


def _level(samples: np.ndarray) -> tuple[float, float]:
    """RMS and peak dBFS."""
    if len(samples) == 0:
        return sound.FLOOR_DB, sound.FLOOR_DB
    rms = float(np.sqrt(np.mean(samples.astype(np.float64) ** 2)))
    peak = float(np.max(np.abs(samples)))
    return (round(20 * np.log10(max(rms, 1e-7)), 1), round(20 * np.log10(max(peak, 1e-7)), 1))


def _segments(samples: np.ndarray, start: float, end: float) -> list[dict[str, Any]]:
    """The segments of one sounding span: steady tones, and the sound between them."""
    windows: list[list[Any]] = []  # start, end, tone frequency or None
    at = start
    while at < end - 1e-9:
        stop = min(end, at + WINDOW_S)
        if windows and stop - at < WINDOW_S / 2:  # a short tail joins the window before
            windows[-1][1] = stop
            break
        hz, share = sound.dominant_frequency(samples[round(at * RATE) : round(stop * RATE)], RATE)
        tone = hz if share >= TONE_SHARE else None
        last = windows[-1][2] if windows else False
        alike = windows and (tone is None) == (last is None)
        if alike and (tone is None or abs(tone - last) <= 0.03 * last):
            windows[-1][1] = stop
        else:
            windows.append([at, stop, tone])
        at = stop
    segments = []
    for a, b, tone in windows:
        piece = samples[round(a * RATE) : round(b * RATE)]
        level, peak = _level(piece)
        if tone is not None:
            kind, hz = "tone", sound.dominant_frequency(piece, RATE)[0]
        else:
            hz, voiced = sound.median_pitch(piece, RATE)
            kind = "pitched" if hz is not None and voiced >= VOICED_SHARE else "unpitched"
            voiced_share = round(voiced, 2)
        segment = {
            "start": round(a, 2),
            "end": round(b, 2),
            "kind": kind,
            "hz": None if hz is None else round(hz, 1),
            "level_db": level,
            "peak_db": peak,
        }
        if tone is None:
            segment["voiced"] = voiced_share
        segments.append(segment)
    return segments


def _end(frame: int, frames: int, duration: float) -> float:
    """Where a silence ending before ``frame`` ends (the clip's end after the last frame)."""
    return duration if frame >= frames else min(duration, frame * sound.HOP_S + sound.LAG_S)


def analyse(context: Context) -> Analysis:
    """Silences, sound segments (tone, pitched, unpitched) and onsets of the whole clip."""
    if not context.probe["has_audio"]:
        return {"absent": "the clip has no audio track"}
    samples = context.samples()
    duration = len(samples) / RATE
    levels = sound.levels_db(samples, RATE)
    threshold = sound.silence_threshold(levels)
    quiet = [
        (0.0 if a == 0 else a * sound.HOP_S + sound.LAG_S, _end(b, len(levels), duration))
        for a, b in sound.runs(levels <= threshold)
        if (b - a) * sound.HOP_S >= MIN_SILENCE_S
    ]
    sounding, at = [], 0.0
    for a, b in quiet:
        if a - at > 0.02:
            sounding.append((at, a))
        at = b
    if duration - at > 0.02:
        sounding.append((at, duration))
    segments = [s for a, b in sounding for s in _segments(samples, a, b)]
    return {
        "threshold_db": round(threshold, 1),
        "level_db": _level(samples)[0],
        "silences": [[round(a, 2), round(b, 2)] for a, b in quiet],
        "segments": segments,
        "onsets": sound.onsets(levels, threshold),
    }


def _describe(segment: dict[str, Any]) -> str:
    level = f"about {segment['level_db']:.0f} dBFS (peak {segment['peak_db']:.0f})"
    if segment["kind"] == "tone":
        hz = segment["hz"]
        return f"steady tone at {hz:.0f} Hz ({sound.note_name(hz)}), {level}"
    if segment["kind"] == "pitched":
        voiced = f"voiced {segment['voiced']:.0%} of the time"
        return f"pitched sound (voice-like), median pitch {segment['hz']:.0f} Hz, {voiced}, {level}"
    return f"unpitched sound (noise-like), {level}"


def events(analysis: Analysis) -> list[Event]:
    """Silences, sound segments, and the onsets within each segment as one event."""
    found = [Event(a, b, "silence", "silence") for a, b in analysis.get("silences", [])]
    for segment in analysis.get("segments", []):
        data = dict(segment)
        found.append(Event(segment["start"], segment["end"], "sound", _describe(segment), data))
        times = [t for t in analysis["onsets"] if segment["start"] <= t < segment["end"]]
        if times:
            listed = ", ".join(f"{t:.2f}" for t in times[:12]) + (" ..." if len(times) > 12 else "")
            text = f"{len(times)} onset{'s' * (len(times) > 1)} at {listed} s"
            found.append(Event(times[0], times[-1], "onsets", text, {"times": times}))
    return found


def heading(analysis: Analysis) -> str:
    overall = analysis.get("level_db")
    level = f"; overall {overall:.0f} dBFS" if overall is not None else ""
    return f"Sound measured (silence below {analysis.get('threshold_db', -60):.0f} dBFS{level})"


OBSERVER = Observer(
    name="audio",
    version=1,
    description=(
        "Sound meter that has measured the clip's audio: silences, loudness (dBFS), steady "
        "tones and their pitch in Hz, voice-like pitch, onsets. Ask about silence, pitch, "
        "loudness or onsets, optionally in a time span; it does not understand words."
    ),
    topics=("silence", "sound", "onsets"),
    analyse=analyse,
    events=events,
    heading=heading,
    nothing="no sound event found",
)
