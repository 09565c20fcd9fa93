"""The detective stage over the demo clips with the real observer tools; the detective itself
is ``FakeScriptedEngine("agent")`` (a model that writes good inquiries cannot run here): its
JSON turns come from the protocol's schema, so the tools, the clip each call carries, and the
evidence trail are what is under test."""

from __future__ import annotations

from collections.abc import Sequence

from datagen.generators.engines import Request, Result
from datagen.generators.engines.fake import FakeScriptedEngine
from datagen.generators.omni.detective import FIRST_QUESTION, detective_stage
from datagen.generators.omni.observers import observer_tools


class CountingEngine:
    """The named fake, with each ``generate`` call's batch size kept (a spy, not a fake)."""

    def __init__(self) -> None:
        self.inner = FakeScriptedEngine("agent")
        self.name, self.model = self.inner.name, self.inner.model
        self.batches: list[int] = []

    def generate(self, requests: Sequence[Request]) -> list[Result]:
        self.batches.append(len(requests))
        return self.inner.generate(requests)

    def close(self) -> None:
        pass


def test_every_clip_asks_its_own_clip_and_keeps_its_evidence(demo_clips, tmp_path) -> None:
    engine = CountingEngine()
    tools = observer_tools(str(tmp_path / "cache"), timeout_s=120.0)
    outcome = detective_stage(
        demo_clips, engine=engine, tools=tools, inquiries=2, turn_tokens=64,
        temperature=0.7, seed=0,
    )  # fmt: skip
    assert engine.batches == [5, 5, 5]  # all clips advance together: 2 inquiries, the caption
    by_clip = {record["clip_id"]: record for record in outcome.records}
    assert set(by_clip) == {clip["clip_id"] for clip in demo_clips}
    speech, scenes, box, rings, sign = (by_clip[clip["clip_id"]] for clip in demo_clips)
    assert "HELLO OMNI 42" in scenes["evidence"][0]["observation"]
    assert "440 Hz" in speech["evidence"][0]["observation"]
    assert "left→right" in box["evidence"][0]["observation"]
    assert "quick brown fox" in speech["transcript"].lower() and box["transcript"] == ""
    assert rings["evidence"][0]["observation"].count("880 Hz") == 3  # the FLAC clip's rings
    assert "no video stream" in rings["evidence"][0]["observation"]
    assert "timer" in rings["transcript"].lower()
    assert "EXIT 7" in sign["evidence"][0]["observation"]  # read from the WebM's VP9 frames
    assert "exit" in sign["transcript"].lower()  # heard in its Opus sound
    for record in outcome.records:
        first, *asked = record["evidence"]
        assert (first["turn"], first["tool"], first["question"]) == (0, "describe", FIRST_QUESTION)
        assert len(asked) == 2 and [e["turn"] for e in asked] == [1, 2]
        assert all(e["tool"] in {t.name for t in tools} and e["observation"] for e in asked)
        assert record["finish_reason"] == "answer" and record["caption"]
