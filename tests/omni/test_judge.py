"""The engine judge's second hallucination figure: the rule check's sentences, one batched
call, unparsed answers and engine errors left out of the share, the row still a caption.v1."""

from __future__ import annotations

from collections.abc import Sequence

from datagen.generators.engines.base import Completion, Request, Result
from datagen.generators.omni.captions import caption_row
from datagen.generators.omni.hallucination import split_sentences
from datagen.generators.omni.judge import judge_note, judge_rows
from datagen.schemas import first_error

CLIP = {
    "media_sha256": "b" * 64, "path": "/store/media/b.wav", "duration_s": 3.0,
    "has_audio": True, "has_video": False, "source": "demo", "license": "CC0-1.0",
}  # fmt: skip


class FakeJudgeEngine:
    """A named fake judge (no model here judges well): its verdict is a word of the sentence
    (``red`` unsupported, ``blue`` supported, ``grey`` prose, ``black`` an engine error)."""

    def __init__(self) -> None:
        self.batches: list[list[Request]] = []

    def generate(self, requests: Sequence[Request]) -> list[Result]:
        self.batches.append(list(requests))
        return [self._answer(request) for request in requests]

    def _answer(self, request: Request) -> Result:
        sentence = request.messages[-1]["content"].split("Sentence: ")[1]
        if "black" in sentence:
            return Result(request_id=request.request_id, completions=(), prompt_tokens=0,
                          model="fake-judge", error="context too long",
                          error_kind="context_length")  # fmt: skip
        text = next(
            (word for key, word in (("red", "Unsupported."), ("blue", "supported"),
                                    ("grey", "I think so")) if key in sentence),
            "supported",
        )  # fmt: skip
        completion = Completion(text=text, finish_reason="stop", completion_tokens=1)
        return Result(
            request_id=request.request_id, completions=(completion,), prompt_tokens=9,
            model="fake-judge",
        )  # fmt: skip

    def close(self) -> None:
        pass


def row(clip_id: str, caption: str) -> dict:
    trajectory = {
        "caption": caption,
        "transcript": "",
        "evidence": [
            {"turn": 0, "tool": "describe", "question": "q", "observation": "a blue light"},
            {"turn": 1, "tool": "asr", "question": "q", "observation": "hello there"},
        ],
        "finish_reason": "answer",
        "messages": [],
        "turns": [],
    }
    return caption_row(CLIP | {"clip_id": clip_id}, trajectory)


def test_every_sentence_is_judged_in_one_batch_with_the_observations() -> None:
    rows = [
        row("a", "A blue light glows. A red car passes. A blue sky."),
        row("b", "The speaker says hello. A grey wall. A black cat."),
    ]
    engine = FakeJudgeEngine()
    judged = judge_rows(rows, engine=engine, spec="fake-judge")
    (batch,) = engine.batches
    asked = [r.messages[-1]["content"].split("Sentence: ")[1].split("\n")[0] for r in batch]
    assert asked == [*split_sentences(rows[0]["caption"]), *split_sentences(rows[1]["caption"])]
    assert all("a blue light\n\nhello there" in r.messages[-1]["content"] for r in batch)
    assert len({r.request_id for r in batch}) == len(batch)
    assert judged[0]["hallucination"]["judge"] == {
        "engine": "fake-judge",
        "judged_share": 1 / 3,
        "judged": 3,
        "unparsed": 0,
        "unsupported": ["A red car passes."],
    }
    assert judged[1]["hallucination"]["judge"] == {
        "engine": "fake-judge",
        "judged_share": 0.0,  # prose and an engine error are no verdicts
        "judged": 1,
        "unparsed": 2,
        "unsupported": [],
    }
    for before, after in zip(rows, judged, strict=True):
        assert {k: v for k, v in after["hallucination"].items() if k != "judge"} == before[
            "hallucination"
        ]
        assert first_error("omni/caption.v1", after) is None
    assert judge_note(judged, "fake-judge") == (
        "engine judge (fake-judge): 25.0% of judged caption sentences unsupported, "
        "2 answers unparsed"
    )


def test_a_caption_without_sentences_is_no_verdict_and_no_call() -> None:
    engine = FakeJudgeEngine()
    (judged,) = judge_rows([row("a", "")], engine=engine, spec="e")
    assert engine.batches == []
    assert judged["hallucination"]["judge"]["judged_share"] is None
    assert judge_note([judged], "e") == "engine judge (e): no sentence judged, 0 answers unparsed"
