"""Signal measures of 16 kHz mono samples in numpy: levels, silences, pitch, onsets, chunks.

Levels are RMS dBFS of 25 ms frames every 10 ms. Silence is below a threshold set from the clip:
35 dB under its 95th-percentile level, and at least -60 dBFS, so digital silence and a quiet
room's hiss both count as silence. A segment's dominant frequency is
the FFT peak (parabolic interpolation) and its share of the power within ±2 %; its pitch is
the median autocorrelation F0 of its voiced 40 ms frames.
"""

from __future__ import annotations

import math

import numpy as np

HOP_S = 0.01
WINDOW_S = 0.025
FLOOR_DB = -120.0
LAG_S = WINDOW_S - HOP_S
"""Where in frame ``i`` a change of level lies: a sound that starts at ``t`` first shows in the
frame whose window ends just after ``t``, so ``t`` is about ``i * HOP_S + LAG_S``."""
NOTE_NAMES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")


def levels_db(samples: np.ndarray, rate: int) -> np.ndarray:
    """RMS dBFS of each 25 ms frame, every 10 ms (frame ``i`` starts at ``i * HOP_S``)."""
    hop, window = round(HOP_S * rate), round(WINDOW_S * rate)
    if len(samples) < window:
        samples = np.pad(samples, (0, window - len(samples)))
    frames = np.lib.stride_tricks.sliding_window_view(samples, window)[::hop]
    power = np.mean(frames.astype(np.float64) ** 2, axis=1)
    return np.maximum(10 * np.log10(np.maximum(power, 1e-14)), FLOOR_DB)


def silence_threshold(levels: np.ndarray) -> float:
    """dBFS below which a frame is silent: 35 dB under the loud part, at least -60."""
    if len(levels) == 0:
        return -60.0
    return max(-60.0, float(np.percentile(levels, 95)) - 35.0)


def runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """``[start, end)`` frame ranges where ``mask`` holds."""
    padded = np.concatenate([[False], mask.astype(bool), [False]])
    edges = np.flatnonzero(np.diff(padded.astype(np.int8)))
    return [(int(a), int(b)) for a, b in zip(edges[::2], edges[1::2], strict=True)]


def dominant_frequency(samples: np.ndarray, rate: int) -> tuple[float, float]:
    """The strongest frequency above 40 Hz, and the share of the power within ±2 % of it."""
    if len(samples) < 64:
        return 0.0, 0.0
    size = 1 << math.ceil(math.log2(len(samples) * 2))
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples)), size)) ** 2
    freqs = np.fft.rfftfreq(size, 1 / rate)
    spectrum[freqs < 40] = 0
    total = float(spectrum.sum())
    if total <= 0:
        return 0.0, 0.0
    k = int(np.argmax(spectrum))
    if 0 < k < len(spectrum) - 1:
        a, b, c = np.log(spectrum[k - 1 : k + 2] + 1e-30)
        offset = 0.5 * (a - c) / (a - 2 * b + c) if (a - 2 * b + c) != 0 else 0.0
    else:
        offset = 0.0
    hz = float((k + offset) * rate / size)
    band = (freqs >= hz * 0.98) & (freqs <= hz * 1.02)
    return hz, float(spectrum[band].sum()) / total


def frame_pitch(frame: np.ndarray, rate: int, fmin: float = 60, fmax: float = 1000) -> float | None:
    """The F0 of one frame by normalised autocorrelation, or ``None`` if it is not voiced."""
    frame = frame - frame.mean()
    energy = float(np.dot(frame, frame))
    if energy <= 1e-9:
        return None
    size = 1 << math.ceil(math.log2(len(frame) * 2))
    spectrum = np.fft.rfft(frame, size)
    corr = np.fft.irfft(np.abs(spectrum) ** 2, size)[: len(frame)] / energy
    low, high = int(rate / fmax), min(int(rate / fmin), len(frame) - 2)
    if high <= low + 2:
        return None
    segment = corr[low:high]
    best = float(segment.max())
    if best < 0.5:
        return None
    # the first peak near the best one, so an octave below is not taken for the pitch
    lag = low + int(np.flatnonzero(segment >= 0.9 * best)[0])
    while lag + 1 < high and corr[lag + 1] > corr[lag]:
        lag += 1
    a, b, c = corr[lag - 1 : lag + 2]
    offset = 0.5 * (a - c) / (a - 2 * b + c) if (a - 2 * b + c) != 0 else 0.0
    return float(rate / (lag + offset))


def median_pitch(samples: np.ndarray, rate: int) -> tuple[float | None, float]:
    """The median F0 of the voiced 40 ms frames (every 20 ms), and the voiced share."""
    size, hop = round(0.04 * rate), round(0.02 * rate)
    pitches = [
        frame_pitch(samples[i : i + size], rate) for i in range(0, len(samples) - size + 1, hop)
    ]
    voiced = [p for p in pitches if p is not None]
    if not pitches or not voiced:
        return None, 0.0
    return float(np.median(voiced)), len(voiced) / len(pitches)


def note_name(hz: float) -> str:
    """The nearest equal-tempered note: 440 Hz is ``A4``."""
    midi = round(69 + 12 * math.log2(hz / 440.0))
    return f"{NOTE_NAMES[midi % 12]}{midi // 12 - 1}"


def onsets(levels: np.ndarray, threshold_db: float, *, rise_db: float = 9.0) -> list[float]:
    """Times (s) where the level rises ``rise_db`` over its minimum of the last 100 ms to above
    the silence threshold; at least 100 ms apart. (A frame's level rises when the sound enters
    the end of its window, so the time is the frame's start plus ``LAG_S``.)"""
    found: list[float] = []
    last = -1.0
    for i in range(1, len(levels)):
        if levels[i] <= threshold_db:
            continue
        before = float(levels[max(0, i - 10) : i].min())
        if levels[i] - before >= rise_db and (i * HOP_S - last) >= 0.1:
            found.append(round(i * HOP_S + LAG_S, 2))
            last = i * HOP_S
    return found


def speech_chunks(
    levels: np.ndarray, threshold_db: float, *, max_s: float = 8.0, gap_s: float = 1.0
) -> list[tuple[float, float]]:  # gap_s > 2 pads, so padded spans never overlap
    """Spans for a recogniser: the sound between silences of at least ``gap_s`` (the silences
    left out), each cut into pieces of at most ``max_s`` in the middle of the longest quiet
    stretch of a piece's second half (the quietest moment if there is none), so no word is
    split."""
    loud = levels > threshold_db
    pad = 30  # 300 ms kept before and after sound (greedy tiny.en misheard "hello" at 100 ms)
    islands: list[list[int]] = []
    for a, b in runs(loud):
        if islands and a - islands[-1][1] < round(gap_s / HOP_S):
            islands[-1][1] = b
        else:
            islands.append([a, b])
    chunks: list[tuple[int, int]] = []
    for a, b in islands:
        chunks += _split(levels, threshold_db, max(0, a - pad), min(len(levels), b + pad), max_s)
    return [(round(a * HOP_S, 2), round(b * HOP_S + WINDOW_S - HOP_S, 2)) for a, b in chunks]


def _split(
    levels: np.ndarray, threshold_db: float, start: int, end: int, max_s: float
) -> list[tuple[int, int]]:
    longest, shortest = round(max_s / HOP_S), round(max_s / HOP_S / 2)
    smooth = np.convolve(levels, np.ones(10) / 10, mode="same")
    pieces = []
    while end - start > longest:
        low, high = start + shortest, start + longest
        quiet = runs(smooth[low:high] <= threshold_db)
        if quiet:
            a, b = max(quiet, key=lambda r: r[1] - r[0])
            cut = low + (a + b) // 2
        else:
            cut = high - 1 - int(np.argmin(smooth[low:high][::-1]))  # the latest quietest
        pieces.append((start, cut))
        start = cut
    pieces.append((start, end))
    return pieces
