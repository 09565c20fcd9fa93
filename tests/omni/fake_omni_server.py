"""``FakeOmniServer``: an OpenAI-compatible chat server on loopback that checks omni requests.

No audio-visual model runs here, so this plays one over real HTTP (a ``ThreadingHTTPServer``
in a thread). It is strict where a real server would be: a request whose user content is not
exactly one of the two shapes the ``omni`` observer sends, or whose media does not decode to
a RIFF/WAVE or an MP4 (``ftyp``) file, gets HTTP 400 with a message. Its answer is made of what
arrived (the shape, the decoded audio's duration, rate and channels, the video's duration and
the question), so a test can tell that the media really got there.

Questions that contain ``FAIL500`` get HTTP 500, ``REFUSE`` HTTP 400 and ``SLOW`` an answer
only after ``slow_s`` seconds (or when the server stops).
"""

from __future__ import annotations

import base64
import binascii
import io
import json
import threading
import time
import wave
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

SHAPE_PARTS = {
    ("input_audio", "text"): "input_audio",
    ("audio_url", "text"): "media_url",
    ("video_url", "text"): "media_url",
    ("audio_url", "video_url", "text"): "media_url",
}
DATA_PREFIX = {"audio_url": "data:audio/wav;base64,", "video_url": "data:video/mp4;base64,"}


class Rejected(ValueError):
    """Why a request is refused with HTTP 400."""


@dataclass(frozen=True)
class Received:
    """What one accepted request carried."""

    shape: str
    parts: tuple[str, ...]
    question: str
    system: str | None
    audio_s: float | None
    sample_rate: int | None
    channels: int | None
    video_s: float | None
    seed: int | None

    def answer(self) -> str:
        heard = (
            f"heard {self.audio_s:.2f} s of {self.sample_rate} Hz {self.channels}-channel audio"
            if self.audio_s is not None
            else "heard nothing"
        )
        saw = (
            f"saw {self.video_s:.2f} s of MP4 video" if self.video_s is not None else "saw nothing"
        )
        return f"({self.shape}) {heard}; {saw}; asked {self.question!r}"


def check_request(body: Any) -> Received:
    """The request's content, or ``Rejected`` saying what is wrong with it."""
    messages = body.get("messages") if isinstance(body, dict) else None
    if not isinstance(messages, list) or not messages:
        raise Rejected("the body needs a non-empty 'messages' list")
    *before, user = messages
    system = None
    for message in before:
        if not isinstance(message, dict) or message.get("role") != "system":
            raise Rejected("only one system message may come before the user message")
        if not isinstance(message.get("content"), str):
            raise Rejected("the system message's content must be a string")
        system = message["content"]
    if len(before) > 1:
        raise Rejected(f"{len(before)} messages before the user message; at most 1 (system)")
    if not isinstance(user, dict) or user.get("role") != "user":
        raise Rejected("the last message must be the user's")
    parts = user.get("content")
    if not isinstance(parts, list) or not all(isinstance(p, dict) for p in parts):
        raise Rejected("the user content must be a list of content parts")
    types = tuple(str(part.get("type")) for part in parts)
    if types not in SHAPE_PARTS:
        raise Rejected(
            f"content parts {list(types)} are neither [input_audio, text] nor "
            "[audio_url and/or video_url, text]"
        )
    for part in parts:
        if set(part) != {"type", part["type"]}:
            raise Rejected(f"a {part['type']} part has keys {sorted(part)}")
    question = parts[-1]["text"]
    if not isinstance(question, str) or not question.strip():
        raise Rejected("the text part is empty")
    audio = video = None
    for part in parts[:-1]:
        if part["type"] == "input_audio":
            audio = _input_audio(part["input_audio"])
        elif part["type"] == "audio_url":
            audio = _wav_info(_data_url(part, "audio_url"))
        else:
            video = _mp4_seconds(_data_url(part, "video_url"))
    seconds, rate, channels = audio or (None, None, None)
    return Received(
        shape=SHAPE_PARTS[types],
        parts=types,
        question=question,
        system=system,
        audio_s=seconds,
        sample_rate=rate,
        channels=channels,
        video_s=video,
        seed=body.get("seed"),
    )


def _input_audio(value: Any) -> tuple[float, int, int]:
    if not isinstance(value, dict) or set(value) != {"data", "format"}:
        raise Rejected("input_audio must be exactly {'data', 'format'}")
    if value["format"] != "wav":
        raise Rejected(f"input_audio format {value['format']!r}; this server takes 'wav'")
    if not isinstance(value["data"], str) or value["data"].startswith("data:"):
        raise Rejected("input_audio data must be bare base64, not a data: URL")
    return _wav_info(_b64(value["data"], "input_audio data"))


def _data_url(part: dict[str, Any], kind: str) -> bytes:
    value = part[kind]
    if not isinstance(value, dict) or set(value) != {"url"} or not isinstance(value["url"], str):
        raise Rejected(f"{kind} must be exactly {{'url': <data URL>}}")
    prefix = DATA_PREFIX[kind]
    if not value["url"].startswith(prefix):
        raise Rejected(f"{kind} url must start with {prefix!r}, got {value['url'][:40]!r}")
    return _b64(value["url"][len(prefix) :], f"{kind} url")


def _b64(text: str, what: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise Rejected(f"{what} is not valid base64 ({exc})") from exc


def _wav_info(data: bytes) -> tuple[float, int, int]:
    if data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise Rejected(f"the audio is not a RIFF/WAVE file (starts {data[:12]!r})")
    try:
        with wave.open(io.BytesIO(data)) as audio:
            rate, frames, channels = audio.getframerate(), audio.getnframes(), audio.getnchannels()
            width = audio.getsampwidth()
    except (wave.Error, EOFError) as exc:
        raise Rejected(f"the WAVE file does not decode ({exc})") from exc
    if frames * width * channels > len(data):
        raise Rejected(f"the WAVE header claims {frames} frames, more than the file holds")
    return frames / rate, rate, channels


def _mp4_seconds(data: bytes) -> float:
    if data[4:8] != b"ftyp":
        raise Rejected(f"the video is not an MP4 file (no ftyp box; starts {data[:12]!r})")
    at = data.find(b"mvhd")
    if at < 0:
        raise Rejected("the MP4 has no movie header (mvhd)")
    if data[at + 4] == 1:  # version 1: 64-bit times
        scale, duration = (int.from_bytes(data[at + s : at + e]) for s, e in ((24, 28), (28, 36)))
    else:
        scale, duration = (int.from_bytes(data[at + s : at + e]) for s, e in ((16, 20), (20, 24)))
    return duration / scale if scale else 0.0


class FakeOmniServer:
    """The fake on ``127.0.0.1``: ``with FakeOmniServer() as server: server.spec(...)``.

    ``received`` lists accepted requests, ``rejected`` the 400 messages, ``max_in_flight`` the
    most chat requests it held at once; ``delay_s`` slows every answer (to observe concurrency).
    """

    def __init__(
        self, *, model: str = "qwen2.5-omni", delay_s: float = 0.0, slow_s: float = 10.0
    ) -> None:
        self.model, self.delay_s, self.slow_s = model, delay_s, slow_s
        self.received: list[Received] = []
        self.rejected: list[str] = []
        self.in_flight = self.max_in_flight = 0
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._http = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._thread = threading.Thread(
            target=self._http.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._http.server_address[1]}/v1"

    def spec(self, **options: object) -> str:
        """An ``openai:`` engine spec for this server (``model`` and ``options`` in the query)."""
        query = "&".join(f"{k}={v}" for k, v in {"model": self.model, **options}.items())
        return f"openai:{self.url}?{query}"

    def __enter__(self) -> FakeOmniServer:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stopping.set()  # a SLOW answer still waiting gives up
        self._http.shutdown()
        self._http.server_close()
        self._thread.join()

    def answer(self, body: Any) -> tuple[int, dict[str, Any]]:
        """The status and JSON of one chat request."""
        try:
            received = check_request(body)
        except Rejected as exc:
            with self._lock:
                self.rejected.append(str(exc))
            return 400, _error(str(exc), 400)
        if "FAIL500" in received.question:
            return 500, _error("the fake model crashed, as asked", 500)
        if "REFUSE" in received.question:
            return 400, _error("the fake model refuses this question, as asked", 400)
        if "SLOW" in received.question:
            self._stopping.wait(self.slow_s)
        with self._lock:
            self.received.append(received)
        text = received.answer()
        message = {"role": "assistant", "content": text}
        return 200, {
            "id": f"chatcmpl-{len(self.received)}",
            "object": "chat.completion",
            "model": self.model,
            "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 100, "completion_tokens": len(text.split())},
        }


def _error(message: str, code: int) -> dict[str, Any]:
    return {"error": {"message": message, "type": "BadRequestError", "code": code}}


def _handler_for(server: FakeOmniServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            if self.path.rstrip("/") != "/v1/models":
                self._send(404, _error(f"no route {self.path}", 404))
                return
            self._send(200, {"object": "list", "data": [{"id": server.model, "object": "model"}]})

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            if self.path != "/v1/chat/completions":
                self._send(404, _error(f"no route {self.path}", 404))
                return
            with server._lock:
                server.in_flight += 1
                server.max_in_flight = max(server.max_in_flight, server.in_flight)
            try:
                time.sleep(server.delay_s)
                try:
                    body = json.loads(raw)
                except ValueError as exc:
                    self._send(400, _error(f"the body is not JSON ({exc})", 400))
                    return
                self._send(*server.answer(body))
            finally:
                with server._lock:
                    server.in_flight -= 1

        def _send(self, status: int, payload: dict[str, Any]) -> None:
            data = json.dumps(payload).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):  # the client timed out and left
                self.close_connection = True

        def log_message(self, format: str, *args: Any) -> None:  # quiet test output
            pass

    return Handler
