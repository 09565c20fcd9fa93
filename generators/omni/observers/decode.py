"""A clip's sound and pictures as the observers take them: 16 kHz mono samples (ffmpeg), frames
(OpenCV), or a WAV or MP4 file's bytes (ffmpeg) for the ``omni`` model.

The media reader's ``probe_media`` says what the clip holds. A file it cannot read, or one
ffmpeg cannot decode in time, is ``NoAnswer("unreadable_media" | "undecodable_media", ...)``
naming the file by its name only: the path may be temporary, and it is not the model's business.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from datagen.generators.omni.observers.calls import NoAnswer
from datagen.generators.omni.programs import ProgramFailed, run
from datagen.generators.omni.requirements import require_module

RATE = 16_000


def probe(path: Path, *, timeout_s: float = 60) -> dict[str, Any]:
    """``MediaProbe.fields()`` of the clip: duration, streams, size, frame rate."""
    from datagen.generators.omni.probe import ProbeError, probe_media

    try:
        return probe_media(path, timeout_s=timeout_s).fields()
    except ProbeError as exc:
        reason, _, detail = str(exc).partition(": ")
        raise NoAnswer(reason, f"{path.name}: {detail}") from exc


def audio_samples(path: Path, *, ffmpeg: str = "ffmpeg", timeout_s: float = 600) -> np.ndarray:
    """The first audio track, mono float32 at 16 kHz."""
    argv = [ffmpeg, "-nostdin", "-v", "error", "-i", str(path), "-map", "0:a:0", "-vn"]
    argv += ["-ac", "1", "-ar", str(RATE), "-f", "f32le", "-"]
    try:
        raw = run(argv, program="ffmpeg", timeout_s=timeout_s, hide={path: "<file>"})
    except ProgramFailed as exc:
        raise NoAnswer("undecodable_media", f"{path.name}: {exc}") from None
    return np.frombuffer(raw, dtype="<f4").astype(np.float32)


def wav_bytes(path: Path, *, rate: int, ffmpeg: str = "ffmpeg", timeout_s: float = 600) -> bytes:
    """The first audio track as a mono 16-bit PCM WAV file at ``rate``."""
    options = ["-map", "0:a:0", "-vn", "-ac", "1", "-ar", str(rate), "-c:a", "pcm_s16le"]
    return _converted(path, options, ".wav", "extract audio", ffmpeg=ffmpeg, timeout_s=timeout_s)


def mp4_bytes(path: Path, *, ffmpeg: str = "ffmpeg", timeout_s: float = 600) -> bytes:
    """The clip as an MP4 file: its own bytes when it is one, else its video as H.264."""
    if path.suffix.lower() == ".mp4":
        data = path.read_bytes()
        if data[4:8] == b"ftyp":
            return data
    options = ["-map", "0:v:0", "-an", "-c:v", "libx264", "-pix_fmt", "yuv420p"]
    options += ["-movflags", "+faststart"]
    return _converted(path, options, ".mp4", "re-encode video", ffmpeg=ffmpeg, timeout_s=timeout_s)


def frames(
    path: Path, fps: float | None, *, wanted: Callable[[int, float], bool] | None = None
) -> Iterator[tuple[int, float, np.ndarray]]:
    """``(index, time, BGR frame)`` in order; frames ``wanted(index, time)`` refuses are skipped
    without being converted."""
    cv2 = require_module("cv2")
    capture = cv2.VideoCapture(str(path))
    if not capture.isOpened():
        raise NoAnswer("undecodable_media", f"{path.name}: OpenCV cannot open its video")
    rate = fps or capture.get(cv2.CAP_PROP_FPS) or 25.0
    index = 0
    try:
        while capture.grab():
            time = index / rate
            if wanted is None or wanted(index, time):
                ok, frame = capture.retrieve()
                if ok and frame is not None:
                    yield index, time, frame
            index += 1
    finally:
        capture.release()
    if index == 0:
        raise NoAnswer("undecodable_media", f"{path.name}: no frame could be decoded")


def _converted(
    path: Path, options: Sequence[str], suffix: str, what: str, *, ffmpeg: str, timeout_s: float
) -> bytes:
    """ffmpeg's output for ``path`` with ``options``, written to a file (a WAV piped out of
    ffmpeg keeps placeholder sizes in its header, and an MP4 needs to seek back)."""
    with tempfile.TemporaryDirectory(prefix="datagen-omni-") as folder:
        out = Path(folder) / f"media{suffix}"
        argv = [ffmpeg, "-nostdin", "-v", "error", "-y", "-i", str(path), *options, str(out)]
        try:
            hide = {path: "<file>", out: "<output>"}
            run(argv, program="ffmpeg", timeout_s=timeout_s, hide=hide)
        except ProgramFailed as exc:
            raise NoAnswer("undecodable_media", f"{path.name}: could not {what}: {exc}") from None
        if not out.is_file():
            raise NoAnswer("undecodable_media", f"{path.name}: ffmpeg wrote nothing to {what}")
        return out.read_bytes()
