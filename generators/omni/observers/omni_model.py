"""The ``omni`` observer: an audio-visual model (Qwen2.5-Omni, Qwen3-Omni) asked about a clip.

Omni-Detective's detective neither hears nor sees the clip; it questions observers. This one
sends the clip's media and one question to an OpenAI-compatible server in one stateless chat
request (no memory of earlier questions: the detective cross-examines, it does not chat), and
every question of a turn goes in one ``generate`` call, so the ``openai`` engine's bounded
concurrency, retries and timeouts apply. The media goes in the user message's content parts,
in one of two shapes (``OmniModelConfig.shape``):

- ``input_audio`` (the released code's, for Qwen3-Omni-Flash and OpenAI's audio models):
  ``{"type": "input_audio", "input_audio": {"data": <base64 WAV>, "format": "wav"}}`` then the
  text. Audio only: the clip's track as 16 kHz mono 16-bit WAV, made with ffmpeg.
- ``media_url`` (vLLM's, for Qwen2.5-Omni served by ``vllm serve``): an ``audio_url`` part
  (``data:audio/wav;base64,...``) when the clip has audio, a ``video_url`` part
  (``data:video/mp4;base64,...``; an MP4 is sent as it is, anything else re-encoded) when it
  has video, then the text.

A call's input is what every observer takes (``calls.read_call``): a question about the clip
the tool was built for (``omni_tool(clip=...)``), or, for a loop over many clips, an
``OmniQuestion`` or ``{"clip": clip, "question": q}``. An answer is stamped with the span it
covers, the whole clip (``[0.0–12.0 s] ...``). A question that gets no answer is observed as
``error: <reason>: ...`` or ``timeout: <reason>: ...``, never raised. Reasons besides the
observers' own (``bad_input``, ``unreadable_media``, ``undecodable_media``,
``missing_dependency``): ``no_audio``, ``no_media_stream``, ``media_too_large``, ``refused``
(HTTP 4xx), ``engine_error:<kind>`` (``timeout: engine_error:timeout`` included) and
``empty_answer``. The media is made by ``decode`` (``wav_bytes``, ``mp4_bytes``).
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, get_args

from datagen.generators.agent.tools import Tool
from datagen.generators.engines.base import Engine, EngineError, Request, Result, Sampling
from datagen.generators.engines.spec import parse_engine_spec
from datagen.generators.omni.observers.calls import Clip, NoAnswer, ObserverCall, read_call
from datagen.generators.omni.observers.decode import mp4_bytes, wav_bytes
from datagen.generators.omni.requirements import MissingDependency
from datagen.generators.sampling import stable_int

Shape = Literal["input_audio", "media_url"]
SHAPES: tuple[str, ...] = get_args(Shape)

DESCRIPTION = (
    "An audio-visual model that has heard and watched the whole clip. Ask it one question at a "
    "time, general or specific; it answers from the clip alone and may be wrong."
)
SYSTEM_PROMPT = (
    "You are an observer for an investigator who cannot perceive the clip you were given. "
    "Answer each question from the clip alone, accurately and in as much detail as it "
    "allows: what is said, the sounds, the music, what is seen and when. Say plainly what "
    "you cannot perceive. Do not ask questions back."
)


@dataclass(frozen=True, kw_only=True)
class OmniModelConfig:
    """Which server to ask and how; validated when built."""

    engine: str
    """An ``openai:URL?model=NAME`` spec of a server that serves an audio-visual model."""
    shape: Shape = "input_audio"
    """How the media is sent: ``input_audio`` (the released code's) or ``media_url`` (vLLM's)."""
    system_prompt: str | None = SYSTEM_PROMPT
    """The system message; ``None`` sends the user message alone, as the released code does."""
    max_tokens: int = 512
    temperature: float = 0.0
    seed: int = 0
    """Each question's seed hashes it with the clip's sha256 and the question."""
    sample_rate: int = 16_000
    max_media_mb: float = 50.0
    """Media above this size (before base64) is not sent: ``media_too_large``."""
    timeout_s: float = 600.0
    """Wall time of one turn's batch (the tool's timeout); ffmpeg gets as long per file."""
    workers: int = 2
    """Clips whose media is prepared at once (ffmpeg processes)."""
    ffmpeg: str = "ffmpeg"

    def __post_init__(self) -> None:
        if self.shape not in SHAPES:
            raise ValueError(f"omni shape {self.shape!r} is not one of {', '.join(SHAPES)}")
        if parse_engine_spec(self.engine).kind != "openai":
            raise ValueError(
                f"the omni observer needs an openai:URL?model=NAME engine (a server of an "
                f"audio-visual model such as Qwen2.5-Omni), got {self.engine!r}"
            )
        numbers = (self.max_tokens, self.sample_rate, self.max_media_mb, self.timeout_s)
        if min(numbers) <= 0 or self.workers < 1:
            raise ValueError(
                "omni max_tokens, sample_rate, max_media_mb, timeout_s and workers must be "
                f"positive, got {numbers} and workers={self.workers}"
            )


@dataclass(frozen=True)
class OmniQuestion:
    """A question about ``clip``: the input of a call when one tool serves many clips."""

    clip: Clip
    question: str


def omni_tool(
    config: OmniModelConfig,
    *,
    clip: Clip | None = None,
    engine: Engine | None = None,
    name: str = "omni",
    description: str = DESCRIPTION,
) -> Tool:
    """The ``omni`` tool: questions (about ``clip``) or ``OmniQuestion``s in, observations out.

    ``engine`` replaces the one ``config.engine`` names (opened on the first turn, once per
    process); it must pass list contents through, as the ``openai`` engine does.
    """

    def run(inputs: list[Any]) -> list[str]:
        from datagen.generators.engines import open_engine

        return ask_omni(
            inputs, config=config, engine=engine or open_engine(config.engine), clip=clip
        )

    return Tool(name=name, description=description, run=run, timeout_s=config.timeout_s)


def ask_omni(
    inputs: Sequence[Any], *, config: OmniModelConfig, engine: Engine, clip: Clip | None = None
) -> list[str]:
    """One observation per input, in order: all answerable questions in one ``generate``."""
    observations: list[str | None] = [None] * len(inputs)
    asked: list[tuple[int, ObserverCall]] = []
    for index, given in enumerate(inputs):
        try:
            asked.append((index, read_call(given, clip)))
        except NoAnswer as exc:
            observations[index] = exc.observation()
    clips = {call.media_sha256: call.clip for _, call in asked}  # media once per turn
    with ThreadPoolExecutor(max_workers=config.workers) as pool:
        made = pool.map(lambda record: _parts_or_failure(record, config), clips.values())
        prepared = dict(zip(clips, made, strict=True))
    requests: list[tuple[int, Clip, Request]] = []
    for index, call in asked:
        parts = prepared[call.media_sha256]
        if isinstance(parts, NoAnswer):
            observations[index] = parts.observation()
        else:
            requests.append((index, call.clip, _request(index, call, parts, config)))
    answers = _generate(engine, [request for _, _, request in requests])
    for (index, record, _), answer in zip(requests, answers, strict=True):
        observations[index] = _observation(answer, record)
    return [o for o in observations if o is not None]  # every input has one by now


def media_parts(clip: Clip, config: OmniModelConfig) -> list[dict[str, Any]]:
    """The content parts that carry ``clip``'s media in ``config.shape``, or ``NoAnswer``."""
    path = Path(clip["path"])
    clip_id = clip.get("clip_id", path.name)
    has_audio, has_video = bool(clip.get("has_audio")), bool(clip.get("has_video"))
    if config.shape == "input_audio" and not has_audio:
        raise NoAnswer(
            "no_audio",
            f"clip {clip_id!r} has no audio track, and the input_audio shape sends audio only "
            "(the media_url shape sends its video)",
        )
    if not has_audio and not has_video:
        raise NoAnswer("no_media_stream", f"clip {clip_id!r} has neither audio nor video")
    ffmpeg, timeout_s = config.ffmpeg, config.timeout_s
    media: list[tuple[str, bytes]] = []
    if has_audio:
        wav = wav_bytes(path, rate=config.sample_rate, ffmpeg=ffmpeg, timeout_s=timeout_s)
        media.append(("audio", wav))
    if has_video and config.shape == "media_url":
        media.append(("video", mp4_bytes(path, ffmpeg=ffmpeg, timeout_s=timeout_s)))
    size_mb = sum(len(data) for _, data in media) / 2**20
    if size_mb > config.max_media_mb:
        raise NoAnswer(
            "media_too_large",
            f"clip {clip_id!r}: {size_mb:.1f} MB of media is above max_media_mb="
            f"{config.max_media_mb:g}",
        )
    encoded = [(kind, base64.b64encode(data).decode("ascii")) for kind, data in media]
    if config.shape == "input_audio":
        return [{"type": "input_audio", "input_audio": {"data": encoded[0][1], "format": "wav"}}]
    mime = {"audio": "audio/wav", "video": "video/mp4"}
    return [
        {"type": f"{kind}_url", f"{kind}_url": {"url": f"data:{mime[kind]};base64,{data}"}}
        for kind, data in encoded
    ]


def span_label(clip: Clip) -> str:
    """The span an answer covers, the whole clip: ``[0.0–12.0 s]``."""
    duration = clip.get("duration_s")
    if isinstance(duration, int | float) and duration >= 0:
        return f"[0.0–{duration:.1f} s]"
    return "[whole clip]"


# -- inside ----------------------------------------------------------------------------------


def _parts_or_failure(clip: Clip, config: OmniModelConfig) -> list[dict[str, Any]] | NoAnswer:
    """``media_parts``, or why there are none (a missing ffmpeg included), for the clip's calls."""
    try:
        return media_parts(clip, config)
    except NoAnswer as exc:
        return exc
    except MissingDependency as exc:
        return NoAnswer("missing_dependency", str(exc))


def _request(
    index: int, call: ObserverCall, parts: list[dict[str, Any]], config: OmniModelConfig
) -> Request:
    """One stateless chat request: the system prompt, then the media and the question."""
    text = {"type": "text", "text": f"Question: {call.question}"}
    user = {"role": "user", "content": [*parts, text]}
    system = [{"role": "system", "content": config.system_prompt}] if config.system_prompt else []
    seed = stable_int("omni", config.seed, call.media_sha256, call.question, bits=31)
    sampling = Sampling(
        temperature=config.temperature, max_tokens=config.max_tokens, n=1, seed=seed
    )
    return Request(
        request_id=f"omni:{call.clip_id}:{index}", messages=(*system, user), sampling=sampling
    )


def _generate(engine: Engine, requests: list[Request]) -> list[Result | NoAnswer]:
    """The batch's results; a refused request (``EngineError``, which ends a whole ``generate``)
    is found by asking again one by one, so it does not take the batch's answers with it."""
    if not requests:
        return []
    try:
        return list(engine.generate(requests))
    except EngineError as exc:
        if len(requests) == 1:
            return [NoAnswer("refused", str(exc))]
    return [answer for request in requests for answer in _generate(engine, [request])]


def _observation(answer: Result | NoAnswer, clip: Clip) -> str:
    """The answer stamped with the span it covers, or why there is none."""
    if isinstance(answer, NoAnswer):
        return answer.observation()
    if answer.error is not None:
        kind = answer.error_kind or "other"
        message = f"the omni model gave no answer: {answer.error}"
        observed = "timeout" if kind == "timeout" else "error"
        return NoAnswer(f"engine_error:{kind}", message, kind=observed).observation()
    text = answer.completions[0].text.strip() if answer.completions else ""
    if not text:
        finish = answer.completions[0].finish_reason if answer.completions else "none"
        return f"error: empty_answer: the omni model answered with no text (finish {finish})"
    return f"{span_label(clip)} {text}"
