"""``ocr``: text shown in the video, read by tesseract, with the span it is shown.

Frames are read ``ocr_fps`` times a second (at half-interval offsets) and 0.1 s after every
cut the ``video`` observer found; all of them go to one tesseract process (a list file, TSV
out), grey and doubled in size when small. Words under ``ocr_min_confidence`` and lines
without two letters or digits are dropped. One text seen in successive frames (lines at least
75 % alike count as one, written as their most frequent reading) is one span, whose ends move
to a cut that lies between a frame that shows it and one that does not.
"""

from __future__ import annotations

import csv
import difflib
import io
import os
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from datagen.generators.omni.observers import video
from datagen.generators.omni.observers.cache import Analysis
from datagen.generators.omni.observers.calls import NoAnswer
from datagen.generators.omni.observers.decode import frames
from datagen.generators.omni.observers.observer import Context, Observer, ObserverConfig
from datagen.generators.omni.observers.timeline import Event
from datagen.generators.omni.programs import ProgramFailed, run
from datagen.generators.omni.requirements import require_module, require_tesseract_english

AFTER_CUT_S = 0.1
ALIKE = 0.75


def _requires(config: ObserverConfig) -> None:
    """tesseract with its English data, and OpenCV, before a clip waits for them."""
    require_tesseract_english(config.tesseract)
    require_module("cv2")


def _params(config: ObserverConfig) -> dict[str, Any]:
    """The settings a reading depends on (its cache key)."""
    return {
        "fps": config.ocr_fps,
        "confidence": config.ocr_min_confidence,
        "psm": config.ocr_psm,
        "video": video.OBSERVER.version,  # its cuts choose frames
    }


def sample_times(duration: float, fps: float, cuts: list[float]) -> list[float]:
    """When frames are read: every ``1/fps`` s at half-interval offsets, and after each cut."""
    step = 1 / fps
    times = {round(step / 2 + k * step, 3) for k in range(int(duration * fps + 1e-9))}
    times |= {round(min(duration, t + AFTER_CUT_S), 3) for t in [0.0, *cuts]}
    kept: list[float] = []
    for time in sorted(t for t in times if t < duration):
        if not kept or time - kept[-1] >= 0.2:
            kept.append(time)
    return kept


def analyse(context: Context) -> Analysis:
    """The frames read, the lines seen in each, and each text with the spans it is shown."""
    probe, config = context.probe, context.config
    if not probe["has_video"]:
        return {"absent": "the clip has no video stream, so no text is shown"}
    cv2 = require_module("cv2")
    cuts = context.analysis("video").get("cuts", [])
    duration = float(probe["duration_s"])
    wanted = sample_times(duration, config.ocr_fps, cuts)
    fps = probe.get("fps") or 25.0
    targets = [min(round(t * fps), max(0, round(duration * fps) - 1)) for t in wanted]
    chosen = dict(zip(targets, wanted, strict=True))
    with tempfile.TemporaryDirectory(prefix="datagen-ocr-") as folder:
        images, times = [], []
        for index, _, frame in frames(context.call.path, fps, wanted=lambda i, _: i in chosen):
            grey = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
            if grey.shape[0] < 720:
                grey = cv2.resize(grey, None, fx=2, fy=2, interpolation=cv2.INTER_CUBIC)
            image = Path(folder) / f"{index:07d}.png"
            cv2.imwrite(str(image), grey)
            images.append(image)
            times.append(round(index / fps, 3))
        lines = _read(images, config) if images else {}
    seen = [[times[page], text] for page, texts in sorted(lines.items()) for text in texts]
    texts = _spans(times, seen, cuts, duration)
    return {"samples": times, "cuts": cuts, "seen": seen, "texts": texts}


def _read(images: list[Path], config: ObserverConfig) -> dict[int, list[str]]:
    """Each image's lines (by its place in ``images``), from one tesseract run."""
    binary = require_tesseract_english(config.tesseract)
    folder = images[0].parent
    listing = folder / "images.txt"
    listing.write_text("\n".join(str(p) for p in images) + "\n")
    argv = [binary, str(listing), "stdout", "--psm", str(config.ocr_psm), "-l", "eng", "tsv"]
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}  # tesseract's OpenMP threads only contend
    try:
        tsv = run(
            argv,
            program="tesseract",
            timeout_s=config.process_timeout_s,
            hide={folder: "<frames>"},
            env=env,
        ).decode(errors="replace")
    except ProgramFailed as exc:
        raise NoAnswer("ocr_failed", str(exc)) from None
    words: dict[tuple[int, int, int, int], list[str]] = {}
    for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        text = (row.get("text") or "").strip()
        try:
            confidence = float(row.get("conf") or -1)
        except ValueError:
            continue
        if row.get("level") != "5" or not text or confidence < config.ocr_min_confidence:
            continue
        key = tuple(int(row[k]) for k in ("page_num", "block_num", "par_num", "line_num"))
        words.setdefault(key, []).append(text)
    lines: dict[int, list[str]] = {}
    for (page, *_), parts in sorted(words.items()):
        line = " ".join(parts)
        if sum(ch.isalnum() for ch in line) >= 2:
            lines.setdefault(page - 1, []).append(line)
    return lines


def _alike(a: str, b: str) -> bool:
    """Two readings of one text (tesseract misreads a letter here and there)."""
    return difflib.SequenceMatcher(None, a.upper(), b.upper()).ratio() >= ALIKE


def _spans(
    times: list[float], seen: list[list[Any]], cuts: list[float], duration: float
) -> list[dict[str, Any]]:
    """Each text with the spans it is shown, in order of first sight."""
    tracks: list[dict[str, Any]] = []  # readings, sample indices
    index_of = {t: i for i, t in enumerate(times)}
    for time, text in seen:
        track = next((tr for tr in tracks if any(_alike(text, r) for r in tr["readings"])), None)
        if track is None:
            track = {"readings": Counter(), "samples": set()}
            tracks.append(track)
        track["readings"][text] += 1
        track["samples"].add(index_of[time])
    spans = []
    for track in tracks:
        text = track["readings"].most_common(1)[0][0]
        stretch: list[int] = []
        for i in sorted(track["samples"]):
            if stretch and i != stretch[-1] + 1:
                spans.append(_span(text, stretch, times, cuts, duration))
                stretch = []
            stretch.append(i)
        spans.append(_span(text, stretch, times, cuts, duration))
    return sorted(spans, key=lambda s: (s["start"], s["text"]))


def _span(
    text: str, stretch: list[int], times: list[float], cuts: list[float], duration: float
) -> dict[str, Any]:
    """One stretch of samples showing ``text`` as a span, its ends moved to a cut between a sample
    that shows it and one that does not (or to the clip's ends, when within 1 s of them)."""
    first, last = stretch[0], stretch[-1]
    start, end = times[first], times[last]
    before = times[first - 1] if first > 0 else None
    after = times[last + 1] if last + 1 < len(times) else None
    if before is None:
        start = 0.0 if start <= 1.0 else start
    else:
        start = next((c for c in reversed(cuts) if before < c <= start), start)
    if after is None:
        end = duration if duration - end <= 1.0 else end
    else:
        end = next((c for c in cuts if end <= c < after), end)
    return {"text": text, "start": round(start, 3), "end": round(end, 3), "frames": len(stretch)}


def events(analysis: Analysis) -> list[Event]:
    """One event per span a text is shown."""
    return [
        Event(s["start"], s["end"], "text", f'text on screen: "{s["text"]}"', dict(s))
        for s in analysis.get("texts", [])
    ]


def heading(analysis: Analysis) -> str:
    count = len(analysis.get("samples", []))
    return f"Text read on screen (tesseract, {count} frames read)"


OBSERVER = Observer(
    name="ocr",
    version=1,
    description=(
        "Text reader (tesseract) that has read frames of the clip's video once a second and "
        "after each cut. Ask what text appears and when, or whether a quoted word is shown; "
        "it reads printed text only, and may misread."
    ),
    topics=("text",),
    analyse=analyse,
    events=events,
    heading=heading,
    nothing="no text read",
    params=_params,
    requires=_requires,
)
