"""``describe``: one timeline of everything the other observers found, so that a first "describe
it in detail" gets a real answer. Each observer's analysis is the cached one (asking ``describe``
and then ``asr`` costs one transcription); an observer that cannot run (not installed, failed)
is named in the answer and the rest still answer.
"""

from __future__ import annotations

from datagen.generators.omni.observers import asr, audio, ocr, video
from datagen.generators.omni.observers.cache import Analysis
from datagen.generators.omni.observers.calls import NoAnswer
from datagen.generators.omni.observers.observer import Context, Observer
from datagen.generators.omni.observers.timeline import TOPIC_ORDER, Event
from datagen.generators.omni.requirements import MissingDependency

PARTS = (asr.OBSERVER, ocr.OBSERVER, audio.OBSERVER, video.OBSERVER)


def analyse(context: Context) -> Analysis:
    parts: dict[str, Analysis] = {}
    for part in PARTS:
        try:
            parts[part.name] = context.analysis(part.name)
        except (MissingDependency, NoAnswer) as exc:
            why = exc.observation() if isinstance(exc, NoAnswer) else f"missing_dependency: {exc}"
            parts[part.name] = {"unavailable": why}
        except Exception as exc:  # one observer's failure leaves the others' answers
            parts[part.name] = {"unavailable": f"analysis_failed: {type(exc).__name__}: {exc}"}
    return {"probe": context.probe, "parts": parts}


def events(analysis: Analysis) -> list[Event]:
    found: list[Event] = []
    for part in PARTS:
        analysed = analysis["parts"].get(part.name, {})
        if "unavailable" not in analysed and "absent" not in analysed:
            found += part.events(analysed)
    return found


def heading(analysis: Analysis) -> str:
    probe = analysis["probe"]
    streams = []
    if probe.get("has_video"):
        size = f"{probe.get('width')}×{probe.get('height')}"
        streams.append(f"video {size} at {probe.get('fps')} fps")
    streams.append("audio" if probe.get("has_audio") else "no audio")
    notes = [
        f"{name}: {analysed['unavailable']}"
        for name, analysed in analysis["parts"].items()
        if "unavailable" in analysed
    ]
    absent = [a["absent"] for a in analysis["parts"].values() if "absent" in a]
    lines = [f"Clip: {', '.join(streams)}."]
    if notes:
        lines.append("Not observed: " + "; ".join(notes) + ".")
    if absent:
        lines.append("; ".join(dict.fromkeys(absent)).capitalize() + ".")
    lines.append("Timeline of speech (may be misheard), on-screen text, sound and pictures")
    return "\n".join(lines)


OBSERVER = Observer(
    name="describe",
    version=1,
    description=(
        "Everything the other observers found, as one timeline: speech, on-screen text, "
        "sounds and silences, cuts, colours and motion, each stamped with its time. Ask it "
        "first for a detailed description; narrow it with a time span or a topic."
    ),
    topics=TOPIC_ORDER,
    analyse=analyse,
    events=events,
    heading=heading,
    nothing="nothing observed",
    params=lambda config: {p.name: [p.version, p.params(config)] for p in PARTS},
    persist=False,
)
