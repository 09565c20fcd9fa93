"""What a media file holds, by ffprobe, and whether ffmpeg can decode all of it.

ffprobe reads headers only: a faststart MP4 cut short still reports its full duration, and a
WAV cut short reports a shorter one, so ``check_decodes`` decodes every stream to the null
muxer and fails on the first corrupt packet (``-xerror``). Both raise ``ProbeError`` with a
reason from one small vocabulary (``unreadable_media``, ``undecodable_media``,
``no_media_stream``, ``no_duration``), which the reader quarantines; a program that runs out of
time is one of those reasons too, so one stuck file does not stop a read.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from datagen.generators.omni.programs import ProgramFailed, run


class ProbeError(ValueError):
    """A file that ffprobe or ffmpeg cannot read; ``str()`` is the quarantine reason."""


@dataclass(frozen=True)
class MediaProbe:
    """A file's container, duration and first audio and video stream (cover art excluded)."""

    container: str
    duration_s: float
    has_audio: bool
    has_video: bool
    sample_rate: int | None = None
    channels: int | None = None
    audio_codec: str | None = None
    width: int | None = None
    height: int | None = None
    fps: float | None = None
    video_codec: str | None = None

    def fields(self) -> dict[str, Any]:
        """The probe as the clip record's fields (``MediaItem``)."""
        return asdict(self)


def probe_media(path: Path, *, timeout_s: float = 60) -> MediaProbe:
    """ffprobe's reading of ``path``, or ``ProbeError`` saying why there is none."""
    argv = ["ffprobe", "-v", "error", "-show_format", "-show_streams", "-of", "json", str(path)]
    try:
        found = json.loads(run(argv, timeout_s=timeout_s, hide={path: "<file>"}) or b"{}")
    except ProgramFailed as exc:
        raise ProbeError(f"unreadable_media: {exc}") from None
    streams = [
        s for s in found.get("streams", []) if not s.get("disposition", {}).get("attached_pic")
    ]
    audio = next((s for s in streams if s.get("codec_type") == "audio"), None)
    video = next((s for s in streams if s.get("codec_type") == "video"), None)
    if audio is None and video is None:
        raise ProbeError("no_media_stream: neither an audio nor a video stream")
    duration = _duration(found.get("format", {}), streams)
    if duration is None or duration <= 0:
        raise ProbeError("no_duration: ffprobe gives no positive duration")
    return MediaProbe(
        container=str(found.get("format", {}).get("format_name", "")),
        duration_s=round(duration, 6),
        has_audio=audio is not None,
        has_video=video is not None,
        sample_rate=_int(audio, "sample_rate"),
        channels=_int(audio, "channels"),
        audio_codec=audio.get("codec_name") if audio else None,
        width=_int(video, "width"),
        height=_int(video, "height"),
        fps=_fps(video),
        video_codec=video.get("codec_name") if video else None,
    )


def check_decodes(path: Path, *, timeout_s: float = 300) -> None:
    """Decode every stream of ``path`` (to nothing); ``ProbeError`` on the first bad packet."""
    argv = ["ffmpeg", "-nostdin", "-v", "error", "-xerror", "-i", str(path), "-f", "null", "-"]
    try:
        run(argv, timeout_s=timeout_s, hide={path: "<file>"})
    except ProgramFailed as exc:
        raise ProbeError(f"undecodable_media: {exc}") from None


def _duration(fmt: dict[str, Any], streams: list[dict[str, Any]]) -> float | None:
    for value in [fmt.get("duration"), *(s.get("duration") for s in streams)]:
        try:
            return float(value)
        except (TypeError, ValueError):
            continue
    return None


def _int(stream: dict[str, Any] | None, key: str) -> int | None:
    try:
        return int(stream[key]) if stream else None
    except (KeyError, TypeError, ValueError):
        return None


def _fps(video: dict[str, Any] | None) -> float | None:
    """The average frame rate (``25/1``), else the nominal one; ``0/0`` is unknown."""
    if not video:
        return None
    for key in ("avg_frame_rate", "r_frame_rate"):
        num, _, den = str(video.get(key, "0/0")).partition("/")
        try:
            if float(den or 1) and float(num):
                return round(float(num) / float(den or 1), 3)
        except ValueError:
            continue
    return None
