"""``video``: scene cuts, dominant colours per scene, and motion per second (OpenCV).

Every frame is shrunk to 160 px wide. A cut is a frame whose HSV histogram (16×4×4 bins) is
more than 0.35 (Bhattacharyya distance) from the frame before, at least 0.3 s after the last
cut. Colours are pixel shares of twelve named colours (HSV rules), four frames a second,
averaged per scene. Motion is frame differencing against the frame 0.2 s before (blurred grey
levels changing by more than 25; a 48 px box at 80 px/s moves under one shrunk pixel a frame,
too little to see between neighbours): per second of a scene, the share of pixels changing, the
path of their centroid (so a box moving across gives its direction and speed) and their
commonest colour besides the scene's; seconds alike are joined.
"""

from __future__ import annotations

import itertools
from collections import deque
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from datagen.generators.omni.observers.cache import Analysis
from datagen.generators.omni.observers.decode import frames
from datagen.generators.omni.observers.observer import Context, Observer, ObserverConfig
from datagen.generators.omni.observers.timeline import Event
from datagen.generators.omni.requirements import require_module

WIDTH = 160
CUT_DISTANCE = 0.35
MIN_SCENE_S = 0.3
CHANGED_LEVEL = 25
MOVING_SHARE = 0.002
"""A frame moves when at least this share of its pixels changes."""
MOTION_WINDOW_S = 1.0
MOTION_LAG_S = 0.2
COLOUR_PER_S = 4
COLOUR_MIN_SHARE = 0.05
COLOURS = (
    "black", "white", "grey", "red", "orange", "brown", "yellow", "green", "cyan", "blue",
    "purple", "pink",
)  # fmt: skip
_HUES = (  # (upper bound in degrees, name), for saturated pixels
    (15, "red"), (40, "orange"), (70, "yellow"), (165, "green"), (195, "cyan"), (255, "blue"),
    (320, "purple"), (345, "pink"), (361, "red"),
)  # fmt: skip


def colour_shares(hsv: np.ndarray) -> np.ndarray:
    """The share of pixels of each of ``COLOURS`` in an OpenCV HSV image (H 0-179)."""
    hue = hsv[..., 0].astype(np.int32) * 2
    sat, val = hsv[..., 1].astype(np.int32), hsv[..., 2].astype(np.int32)
    names = np.full(hue.shape, COLOURS.index("grey"), dtype=np.int32)
    lower = 0
    for upper, name in _HUES:
        names[(hue >= lower) & (hue < upper)] = COLOURS.index(name)
        lower = upper
    names[(names == COLOURS.index("orange")) & (val < 160)] = COLOURS.index("brown")
    names[(names == COLOURS.index("red")) & (sat < 130) & (val > 180)] = COLOURS.index("pink")
    plain = sat < 50
    names[plain] = np.where(val[plain] >= 200, COLOURS.index("white"), COLOURS.index("grey"))
    names[val < 50] = COLOURS.index("black")
    return np.bincount(names.ravel(), minlength=len(COLOURS)) / names.size


def _requires(config: ObserverConfig) -> None:
    """OpenCV, before a clip waits for it."""
    require_module("cv2")


def analyse(context: Context) -> Analysis:
    """Cuts, each scene's colours and its motion per second, from one pass over the frames."""
    probe = context.probe
    if not probe["has_video"]:
        return {"absent": "the clip has no video stream, so nothing is seen"}
    cv2 = require_module("cv2")
    fps = probe.get("fps") or 25.0
    colour_every = max(1, round(fps / COLOUR_PER_S))
    times, distances, colours = [], [], []
    seen = _Motion()
    lag = max(1, round(fps * MOTION_LAG_S))
    greys: deque = deque(maxlen=lag)
    previous_hist = None
    size = None
    for index, time, frame in frames(context.call.path, fps):
        if size is None:
            height, width = frame.shape[:2]
            size = (WIDTH, max(1, round(height * WIDTH / width)))
        small = cv2.resize(frame, size, interpolation=cv2.INTER_AREA)
        hsv = cv2.cvtColor(small, cv2.COLOR_BGR2HSV)
        hist = cv2.calcHist([hsv], [0, 1, 2], None, [16, 4, 4], [0, 180, 0, 256, 0, 256])
        grey = cv2.GaussianBlur(cv2.cvtColor(small, cv2.COLOR_BGR2GRAY), (3, 3), 0)
        if previous_hist is None:
            distance, share, centroid, mover = 0.0, 0.0, None, None
        else:
            distance = float(cv2.compareHist(previous_hist, hist, cv2.HISTCMP_BHATTACHARYYA))
            changed = cv2.absdiff(grey, greys[0]) > CHANGED_LEVEL
            share = float(changed.mean())
            ys, xs = np.nonzero(changed)
            centroid = (float(xs.mean()) / size[0], float(ys.mean()) / size[1]) if len(xs) else None
            mover = colour_shares(hsv[changed][None]) if share >= MOVING_SHARE else None
        times.append(time)
        distances.append(distance)
        seen.share.append(share)
        seen.centroid.append(centroid)
        seen.colours.append(mover)
        colours.append(colour_shares(hsv) if index % colour_every == 0 else None)
        previous_hist = hist
        greys.append(grey)
    duration = float(probe["duration_s"])
    cuts: list[float] = []
    for time, distance in zip(times, distances, strict=True):
        if distance > CUT_DISTANCE and time - (cuts[-1] if cuts else 0.0) >= MIN_SCENE_S:
            cuts.append(round(time, 3))
    bounds = [0.0, *cuts, duration]
    scenes, motion = [], []
    width = probe.get("width") or size[0]
    for start, end in itertools.pairwise(bounds):
        inside = [i for i, t in enumerate(times) if start <= t < end]
        shares = [colours[i] for i in inside if colours[i] is not None]
        mean = np.mean(shares, axis=0) if shares else np.zeros(len(COLOURS))
        ranked = sorted(
            ((COLOURS[k], round(float(v), 3)) for k, v in enumerate(mean) if v >= COLOUR_MIN_SHARE),
            key=lambda kv: -kv[1],
        )
        scenes.append({"start": start, "end": end, "colours": ranked})
        steps = inside[lag:]  # the first frames of a scene are compared with the one before
        background = ranked[0][0] if ranked else None
        motion += _motion(seen, steps, times, (start, end), width, background)
    return {
        "fps": fps,
        "width": probe.get("width"),
        "height": probe.get("height"),
        "frames": len(times),
        "cuts": cuts,
        "scenes": scenes,
        "motion": _joined(motion),
    }


@dataclass
class _Motion:
    """Per frame: the share of pixels changed in 0.2 s, their centroid, their colours."""

    share: list[float] = field(default_factory=list)
    centroid: list[tuple[float, float] | None] = field(default_factory=list)
    colours: list[np.ndarray | None] = field(default_factory=list)


def _motion(
    seen: _Motion,
    steps: list[int],
    times: list[float],
    span: tuple[float, float],
    width: int,
    background: str | None,
) -> list[dict[str, Any]]:
    """A scene's motion per second: still, or a direction, speed, path and colour."""
    windows = []
    at, end = span
    while at < end - 1e-9:
        stop = min(end, at + MOTION_WINDOW_S)
        inside = [i for i in steps if at <= times[i] < stop]
        active = [
            i for i in inside if seen.share[i] >= MOVING_SHARE and seen.centroid[i] is not None
        ]
        window: dict[str, Any] = {"start": round(at, 3), "end": round(stop, 3)}
        if inside and len(active) >= max(2, len(inside) // 2):
            points = [seen.centroid[i] for i in active]
            window |= _path([times[i] for i in active], points, width)
            window["changed"] = round(float(np.mean([seen.share[i] for i in inside])), 4)
            window["colour"] = _mover_colour([seen.colours[i] for i in active], background)
        else:
            window |= {"direction": "still"}
        windows.append(window)
        at = stop
    return windows


def _mover_colour(shares: list[np.ndarray | None], background: str | None) -> str | None:
    """The colour of what moves: the changed pixels' commonest colour besides the scene's."""
    known = [s for s in shares if s is not None]
    if not known:
        return None
    mean = np.mean(known, axis=0)
    if background is not None:
        mean[COLOURS.index(background)] = 0
    best = int(np.argmax(mean))
    return COLOURS[best] if mean[best] >= 0.25 else None


def _path(times: list[float], points: list[tuple[float, float]], width: int) -> dict[str, Any]:
    """Direction, speed and ends of the changed pixels' centroid, from a straight-line fit."""
    xs, ys = np.array([p[0] for p in points]), np.array([p[1] for p in points])
    vx = float(np.polyfit(times, xs, 1)[0]) if len(set(times)) > 1 else 0.0
    vy = float(np.polyfit(times, ys, 1)[0]) if len(set(times)) > 1 else 0.0
    parts = []
    if abs(vx) >= 0.05:
        parts.append("left→right" if vx > 0 else "right→left")
    if abs(vy) >= 0.05:
        parts.append("top→bottom" if vy > 0 else "bottom→top")
    return {
        "direction": " and ".join(parts) or "in place",
        "speed_px_s": round(float(np.hypot(vx, vy)) * width, 1),
        "from": [round(float(xs[:3].mean()), 3), round(float(ys[:3].mean()), 3)],
        "to": [round(float(xs[-3:].mean()), 3), round(float(ys[-3:].mean()), 3)],
    }


def _joined(windows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Neighbouring windows of one direction as one, its path from the first to the last."""
    joined: list[dict[str, Any]] = []
    for window in windows:
        last = joined[-1] if joined else None
        if last and last["direction"] == window["direction"] and last["end"] == window["start"]:
            last["end"] = window["end"]
            if "to" in window:
                last["to"] = window["to"]
                last["speed_px_s"] = round((last["speed_px_s"] + window["speed_px_s"]) / 2, 1)
                last["changed"] = round((last["changed"] + window["changed"]) / 2, 4)
        else:
            joined.append(dict(window))
    return joined


def region(point: list[float]) -> str:
    """``upper left`` ... ``centre`` ... ``lower right`` of a point in frame fractions."""
    x, y = point
    across = "left" if x < 1 / 3 else "right" if x > 2 / 3 else ""
    down = "upper" if y < 1 / 3 else "lower" if y > 2 / 3 else ""
    return " ".join(p for p in (down, across) if p) or "centre"


def _colours(scene: dict[str, Any]) -> str:
    """``blue 85%, white 10%``."""
    return ", ".join(f"{name} {share:.0%}" for name, share in scene["colours"]) or "mixed"


def events(analysis: Analysis) -> list[Event]:
    """Each scene's colours, each cut, and each stretch of motion or stillness."""
    scenes = analysis.get("scenes", [])
    found = [
        Event(s["start"], s["end"], "colour", f"colours: {_colours(s)}", {"colours": s["colours"]})
        for s in scenes
    ]
    for before, after in itertools.pairwise(scenes):
        first = lambda s: s["colours"][0][0] if s["colours"] else "mixed"  # noqa: E731
        text = f"scene cut: {first(before)} → {first(after)}"
        found.append(Event(after["start"], after["start"], "cut", text, digits=2))
    for m in analysis.get("motion", []):
        if m["direction"] == "still":
            text = "no motion (still picture)"
        else:
            path = f"from the {region(m['from'])} to the {region(m['to'])}"
            thing = f"something {m['colour']}" if m.get("colour") else "something"
            text = (
                f"motion: {thing} moving {m['direction']}, {path}, about "
                f"{m['speed_px_s']:.0f} px/s ({m['changed']:.1%} of the picture changes in 0.2 s)"
            )
        found.append(Event(m["start"], m["end"], "motion", text, dict(m)))
    return found


def heading(analysis: Analysis) -> str:
    size = f"{analysis.get('width')}×{analysis.get('height')} at {analysis.get('fps') or 0:g} fps"
    cuts = analysis.get("cuts", [])
    return f"Pictures measured ({size}; {len(cuts)} cut{'s' * (len(cuts) != 1)})"


OBSERVER = Observer(
    name="video",
    version=1,
    description=(
        "Picture meter that has measured the clip's video: scene cuts, the dominant colours "
        "of each scene, and motion per second (where, which direction, how fast). Ask about "
        "cuts, colours or motion, optionally in a time span; it does not recognise objects."
    ),
    topics=("cut", "colour", "motion"),
    analyse=analyse,
    events=events,
    heading=heading,
    nothing="nothing found",
    requires=_requires,
)
