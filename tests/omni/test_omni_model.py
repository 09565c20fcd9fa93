"""The ``omni`` observer against ``FakeOmniServer``: a real HTTP server on loopback that checks
the request shapes and answers from the media it decoded; media made with ffmpeg."""

from __future__ import annotations

import base64
import re
import subprocess
from collections.abc import Iterator, Sequence

import httpx
import pytest

from datagen.generators.agent.loop import AgentLoop, AgentTask
from datagen.generators.agent.protocols import JsonProtocol
from datagen.generators.agent.tools import run_tools
from datagen.generators.engines import Completion, Request, Result, parse_engine_spec
from datagen.generators.engines.openai import OpenAIEngine
from datagen.generators.omni.observers.omni_model import (
    OmniModelConfig,
    OmniQuestion,
    ask_omni,
    omni_tool,
)
from tests.fakes import FakeResultsEngine
from tests.omni.fake_omni_server import FakeOmniServer

TONE = ["-f", "lavfi", "-i", "sine=frequency=440:duration=2"]
PICTURE = ["-f", "lavfi", "-i", "color=c=blue:s=64x64:d=2:r=10"]
H264 = ["-c:v", "libx264", "-pix_fmt", "yuv420p"]
MEDIA = {  # name: (ffmpeg arguments, has_audio, has_video)
    "av.mp4": ([*TONE, *PICTURE, *H264, "-c:a", "aac", "-shortest"], True, True),
    "video.mp4": ([*PICTURE, *H264], False, True),
    "tone.wav": ([*TONE, "-ar", "44100", "-ac", "2"], True, False),
    "av.mkv": ([*TONE, *PICTURE, "-c:v", "mpeg4", "-c:a", "libopus", "-shortest"], True, True),
}


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    """Two-second clip records of the media reader's shape, by file name."""
    folder = tmp_path_factory.mktemp("omni-media")
    records = {}
    for name, (arguments, has_audio, has_video) in MEDIA.items():
        path = folder / name
        command = ["ffmpeg", "-nostdin", "-v", "error", "-y", *arguments, str(path)]
        subprocess.run(command, check=True, capture_output=True, timeout=60)
        records[name] = {
            "clip_id": name,
            "media_sha256": f"sha-{name}",
            "path": str(path),
            "ext": path.suffix.lstrip("."),
            "duration_s": 2.0,
            "has_audio": has_audio,
            "has_video": has_video,
        }
    return records


@pytest.fixture
def server() -> Iterator[FakeOmniServer]:
    with FakeOmniServer() as running:
        yield running


class CountingEngine:
    """The real openai engine, counting its ``generate`` calls (one per batch)."""

    def __init__(self, spec: str) -> None:
        self.inner = OpenAIEngine.from_spec(parse_engine_spec(spec))
        self.name, self.model = self.inner.name, self.inner.model
        self.batches: list[list[str]] = []

    def generate(self, requests: Sequence[Request]) -> list[Result]:
        self.batches.append([request.request_id for request in requests])
        return self.inner.generate(requests)

    def close(self) -> None:
        self.inner.close()


@pytest.fixture
def engine(server: FakeOmniServer) -> Iterator[CountingEngine]:
    counting = CountingEngine(server.spec(max_retries=0, timeout=1))
    yield counting
    counting.close()


def heard_seconds(observation: str) -> float | None:
    found = re.search(r"heard ([\d.]+) s", observation)
    return float(found.group(1)) if found else None


def saw_seconds(observation: str) -> float | None:
    found = re.search(r"saw ([\d.]+) s of MP4", observation)
    return float(found.group(1)) if found else None


# -- the fake is strict -----------------------------------------------------------------------

WAV = base64.b64encode(b"RIFF\x24\x00\x00\x00WAVEfmt ").decode()  # a header, cut short
NOT_WAV = base64.b64encode(b"ID3\x03" + bytes(40)).decode()
NOT_MP4 = base64.b64encode(b"\x1aE\xdf\xa3" + bytes(40)).decode()  # Matroska's magic
TEXT = {"type": "text", "text": "Question: what?"}


def audio_part(data: str, fmt: str = "wav") -> dict:
    return {"type": "input_audio", "input_audio": {"data": data, "format": fmt}}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("Question: what?", "list of content parts"),
        ([TEXT], "are neither"),
        ([TEXT, audio_part(WAV)], "are neither"),
        ([audio_part(WAV), {"type": "video_url", "video_url": {"url": "x"}}, TEXT], "neither"),
        ([audio_part(WAV, "mp3"), TEXT], "takes 'wav'"),
        ([audio_part("data:audio/wav;base64," + WAV), TEXT], "bare base64"),
        ([audio_part("not base64!"), TEXT], "not valid base64"),
        ([audio_part(NOT_WAV), TEXT], "not a RIFF/WAVE"),
        ([audio_part(WAV), TEXT], "does not decode"),
        ([{"type": "audio_url", "audio_url": {"url": "https://x/a.wav"}}, TEXT], "must start"),
        ([{"type": "audio_url", "audio_url": "data:audio/wav;base64,"}, TEXT], "exactly"),
        (
            [{"type": "video_url", "video_url": {"url": "data:video/mp4;base64," + NOT_MP4}}, TEXT],
            "not an MP4",
        ),
        (
            [
                {
                    "type": "audio_url",
                    "audio_url": {"url": "data:audio/wav;base64," + NOT_WAV},
                    "extra": 1,
                },
                TEXT,
            ],
            "has keys",
        ),
    ],
)
def test_fake_server_refuses_what_is_not_one_of_the_two_shapes(server, content, message):
    body = {"model": "qwen2.5-omni", "messages": [{"role": "user", "content": content}]}
    response = httpx.post(f"{server.url}/chat/completions", json=body, timeout=5)
    assert response.status_code == 400
    assert message in response.json()["error"]["message"]
    assert not server.received


# -- the two shapes ---------------------------------------------------------------------------


def test_input_audio_shape_sends_the_audio_as_16_khz_mono_wav(server, engine, clips):
    config = OmniModelConfig(engine=server.spec(), shape="input_audio")
    [observation] = ask_omni(
        [OmniQuestion(clips["av.mp4"], "What do you hear?")], config=config, engine=engine
    )
    assert observation.startswith("[0.0–2.0 s] (input_audio) heard ")
    assert "16000 Hz 1-channel audio; saw nothing" in observation
    assert "asked 'Question: What do you hear?'" in observation
    assert heard_seconds(observation) == pytest.approx(2.0, abs=0.05)
    [received] = server.received
    assert received.parts == ("input_audio", "text")
    assert received.system == config.system_prompt


@pytest.mark.parametrize(
    ("name", "parts", "heard", "saw"),
    [
        ("av.mp4", ("audio_url", "video_url", "text"), True, True),
        ("av.mkv", ("audio_url", "video_url", "text"), True, True),  # re-encoded as MP4
        ("video.mp4", ("video_url", "text"), False, True),
        ("tone.wav", ("audio_url", "text"), True, False),
    ],
)
def test_media_url_shape_sends_what_the_clip_has(server, engine, clips, name, parts, heard, saw):
    config = OmniModelConfig(engine=server.spec(), shape="media_url", system_prompt=None)
    [observation] = ask_omni(
        [OmniQuestion(clips[name], "Describe the clip.")], config=config, engine=engine
    )
    assert observation.startswith("[0.0–2.0 s] (media_url) "), observation
    [received] = server.received
    assert received.parts == parts
    assert received.system is None
    if heard:
        assert (received.sample_rate, received.channels) == (16_000, 1)
        assert heard_seconds(observation) == pytest.approx(2.0, abs=0.05)
    else:
        assert "heard nothing" in observation
    if saw:
        assert saw_seconds(observation) == pytest.approx(2.0, abs=0.15)
    else:
        assert "saw nothing" in observation


# -- batching ---------------------------------------------------------------------------------


def test_a_turns_questions_are_one_batch_with_answers_in_order(clips):
    with FakeOmniServer(delay_s=0.2) as server:
        engine = CountingEngine(server.spec())
        config = OmniModelConfig(engine=server.spec(), shape="media_url")
        names = ["av.mp4", "tone.wav", "av.mp4", "video.mp4"]
        inputs: list = [OmniQuestion(clips[name], f"question {i}") for i, name in enumerate(names)]
        inputs[3] = {"clip": clips["video.mp4"], "question": "question 3"}  # the mapping form
        try:
            observations = ask_omni(inputs, config=config, engine=engine)
        finally:
            engine.close()
    assert [len(batch) for batch in engine.batches] == [4]
    for i, observation in enumerate(observations):
        assert observation.endswith(f"asked 'Question: question {i}'")
    assert "saw nothing" in observations[1] and "heard nothing" in observations[3]
    assert server.max_in_flight >= 2  # the engine sent them at once
    seeds = [r.seed for r in server.received]
    assert len(set(seeds)) == 4  # a seed per (clip, question)


def test_a_tool_bound_to_a_clip_answers_the_loops_bare_questions_from_its_spec(server, clips):
    tool = omni_tool(OmniModelConfig(engine=server.spec()), clip=clips["tone.wav"])
    outputs = run_tools([("omni", "Is there music?"), ("omni", "Is anyone speaking?")], [tool])
    assert [o.error for o in outputs] == [None, None]
    assert [heard_seconds(o.output) for o in outputs] == [pytest.approx(2.0, abs=0.05)] * 2
    assert "asked 'Question: Is anyone speaking?'" in outputs[1].output


# -- failures are observations ----------------------------------------------------------------


def test_server_error_timeout_and_refusal_are_observations_and_the_rest_is_answered(
    clips,
):
    with FakeOmniServer(slow_s=5) as server:
        engine = CountingEngine(server.spec(max_retries=0, timeout=0.5))
        config = OmniModelConfig(engine=server.spec())
        questions = ["fine", "FAIL500 please", "SLOW please", "REFUSE please", "also fine"]
        inputs = [OmniQuestion(clips["av.mp4"], q) for q in questions]
        try:
            ok, failed, slow, refused, also_ok = ask_omni(inputs, config=config, engine=engine)
        finally:
            engine.close()
    assert ok.startswith("[0.0–2.0 s] ") and ok.endswith("asked 'Question: fine'")
    assert also_ok.endswith("asked 'Question: also fine'")
    assert failed.startswith("error: engine_error:other: the omni model gave no answer: ")
    assert "HTTP 500" in failed and "crashed" in failed
    assert slow.startswith("timeout: engine_error:timeout: the omni model gave no answer: ")
    assert refused.startswith("error: refused: ") and "refuses this question" in refused
    # the refusal ends the batch's generate, so each question was asked again alone
    assert [len(batch) for batch in engine.batches] == [5, 1, 1, 1, 1, 1]


def test_a_video_only_clip_in_the_audio_shape_gets_a_reason_and_sends_nothing(
    server, engine, clips
):
    config = OmniModelConfig(engine=server.spec(), shape="input_audio")
    inputs = [OmniQuestion(clips["video.mp4"], "What is said?"), "no clip bound", 7]
    silent, bare, number = ask_omni(inputs, config=config, engine=engine)
    assert silent == (
        "error: no_audio: clip 'video.mp4' has no audio track, and the input_audio shape "
        "sends audio only (the media_url shape sends its video)"
    )
    assert bare.startswith("error: bad_input: these observer tools have no clip of their own")
    assert number == "error: bad_input: a call's input is a question, got int"
    assert engine.batches == [] and server.received == []


def test_media_problems_are_observations(server, engine, clips, tmp_path):
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"not a video at all")
    records = [
        clips["av.mp4"] | {"path": str(tmp_path / "gone.mp4")},
        clips["av.mp4"] | {"path": str(broken), "media_sha256": "sha-broken"},
    ]
    config = OmniModelConfig(engine=server.spec(), max_media_mb=1.0)
    inputs = [OmniQuestion(record, "anything?") for record in records]
    gone, bad = ask_omni(inputs, config=config, engine=engine)
    assert gone.startswith("error: unreadable_media: no file at ")
    assert bad.startswith("error: undecodable_media: broken.mp4: could not extract audio: ffmpeg: ")
    assert str(tmp_path) not in bad  # the path stays out of the model's context
    tiny = OmniModelConfig(engine=server.spec(), shape="media_url", max_media_mb=0.01)
    [large] = ask_omni([OmniQuestion(clips["av.mp4"], "q")], config=tiny, engine=engine)
    assert large.startswith("error: media_too_large: clip 'av.mp4': ")
    assert server.received == []


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"engine": "embedded"}, "needs an openai:URL?model=NAME engine"),
        ({"engine": "openai:http://127.0.0.1:1/v1", "shape": "audio_url"}, "is not one of"),
        ({"engine": "openai:http://127.0.0.1:1/v1", "workers": 0}, "must be positive"),
    ],
)
def test_bad_configs_fail_when_built(options, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        OmniModelConfig(**options)


def test_the_media_is_made_once_per_clip_per_turn(server, engine, clips, monkeypatch):
    from datagen.generators.omni.observers import omni_model

    made: list[str] = []
    real = omni_model.media_parts

    def counted(clip, config):
        made.append(clip["path"])
        return real(clip, config)

    monkeypatch.setattr(omni_model, "media_parts", counted)
    config = OmniModelConfig(engine=server.spec())
    inputs = [OmniQuestion(clips["tone.wav"], f"q{i}") for i in range(3)]
    assert all(o.startswith("[0.0–2.0 s]") for o in ask_omni(inputs, config=config, engine=engine))
    assert made == [clips["tone.wav"]["path"]]


def test_a_detective_in_the_agent_loop_reads_the_omni_answer(server, clips):
    call = '{"tool_name": "omni", "question": "What do you hear?"}'
    turns = {"t#0": call, "t#1": "A 440 Hz tone for two seconds."}
    detective = FakeResultsEngine(
        {
            request_id: Result(
                request_id=request_id,
                completions=(Completion(text=text, finish_reason="stop", completion_tokens=9),),
                prompt_tokens=20,
                model="detective",
            )
            for request_id, text in turns.items()
        }
    )
    tool = omni_tool(OmniModelConfig(engine=server.spec()), clip=clips["av.mp4"])
    loop = AgentLoop(engine=detective, protocol=JsonProtocol(), tools=[tool])
    task = AgentTask(trajectory_id="t", messages=({"role": "user", "content": "Investigate."},))
    [trajectory] = loop.run([task])
    assert trajectory.finish_reason == "answer"
    observation = trajectory.messages[2]
    assert observation["role"] == "tool" and observation["tool_output"] is True
    assert observation["content"].startswith("[0.0–2.0 s] (input_audio) heard ")
    assert trajectory.turns[0]["tool_error"] is None
