"""Omni-Cloze items over a run's rows: the pool first, the writer engine asked only for blanks
the pool leaves short (in one batch), its bad answers counted and filled by the rules."""

from __future__ import annotations

from collections.abc import Sequence

from datagen.generators.engines.base import Completion, Request, Result
from datagen.generators.omni.cloze_rows import add_cloze

WRITTEN = {
    "EXIT 7": '{"distractors": ["EXIT 3", "EXIT 9", "EXIT 7"]}',  # the answer is dropped
    "tone": '```json\n{"distractors": ["beep", "hum", "buzz"]}\n```',
}


class FakeDistractorEngine:
    """A named fake writer (the embedded model's distractors are mostly unusable): JSON for the
    answers of ``WRITTEN`` in clip ``a…``, prose for the others, an engine error for ``2…``."""

    def __init__(self) -> None:
        self.batches: list[list[Request]] = []

    def generate(self, requests: Sequence[Request]) -> list[Result]:
        self.batches.append(list(requests))
        return [self._answer(request) for request in requests]

    def _answer(self, request: Request) -> Result:
        if request.request_id.startswith("cloze-distractors:2"):
            return Result(request_id=request.request_id, completions=(), prompt_tokens=0,
                          model="fake", error="boom", error_kind="other")  # fmt: skip
        asked = request.messages[-1]["content"]
        text = next((t for answer, t in WRITTEN.items() if f"is: {answer}\n" in asked), "Sure!")
        if not request.request_id.startswith(f"cloze-distractors:{'a' * 16}"):
            text = "Sure!"
        completion = Completion(text=text, finish_reason="stop", completion_tokens=9)
        return Result(request_id=request.request_id, completions=(completion,), prompt_tokens=9,
                      model="fake")  # fmt: skip

    def close(self) -> None:
        pass


def row(clip_id: str, caption: str, observations: list[tuple[str, str]]) -> dict:
    evidence = [{"turn": 1, "tool": t, "question": "q", "observation": o} for t, o in observations]
    return {"clip_id": clip_id, "caption": caption, "evidence": evidence}


ROWS = [
    row("a" * 16, 'A tone at 440 Hz plays. The screen reads "EXIT 7".',
        [("audio", "a tone at 440 Hz"), ("ocr", "EXIT 7")]),
    *(row(str(i) * 16, f"A tone at {hz} Hz plays.", [("audio", f"tone {hz} Hz")])
      for i, hz in enumerate((550, 660, 770))),
]  # fmt: skip
"""Four clips: every frequency finds three others in the pool; ``tone`` and the quote none."""


def options(rows: list[dict], clip: str, answer: str) -> dict[str, str]:
    (blank,) = [
        b
        for r in rows
        if r["clip_id"].startswith(clip)
        for b in r["cloze"]["blanks"]
        if b["answer"] == answer
    ]
    return dict(zip(blank["options"], blank["option_sources"], strict=False))


def test_the_writer_fills_only_what_the_pool_leaves_short() -> None:
    engine = FakeDistractorEngine()
    rows, missing = add_cloze(ROWS, seed=0, max_blanks=4, writer=engine)
    (batch,) = engine.batches
    asked = sorted(r.request_id for r in batch)
    assert asked == sorted(
        [f"cloze-distractors:{c * 16}:1" for c in "a012"] + [f"cloze-distractors:{'a' * 16}:3"]
    )
    assert set(options(rows, "a", "440 Hz").values()) == {"answer", "pool"}
    assert options(rows, "a", "tone") == {
        "beep": "engine", "hum": "engine", "buzz": "engine", "tone": "answer",
    }  # fmt: skip
    exit_sign = options(rows, "a", "EXIT 7")
    assert exit_sign["EXIT 3"] == exit_sign["EXIT 9"] == "engine"
    assert sorted(exit_sign.values()) == ["answer", "engine", "engine", "rule"]
    for clip in "01":  # prose: the rules fill in
        assert set(options(rows, clip, "tone").values()) == {"answer", "rule"}
    assert missing == {
        "engine distractors: malformed_json": 2,
        "engine distractors: missing_answer": 1,
    }


def test_without_a_writer_no_engine_is_asked_and_the_rules_fill_in() -> None:
    rows, missing = add_cloze(ROWS, seed=0, max_blanks=4)
    sources = {s for r in rows for b in r["cloze"]["blanks"] for s in b["option_sources"]}
    assert sources == {"answer", "pool", "rule"}
    assert not missing
