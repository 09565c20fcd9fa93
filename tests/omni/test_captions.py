"""A caption row: the clip's modality, and the hallucination check over its evidence."""

from __future__ import annotations

import pytest

from datagen.generators.omni.captions import caption_row, flagged_shares, modality
from datagen.generators.omni.cloze_rows import add_cloze
from datagen.schemas import first_error

CLIP = {
    "clip_id": "c1", "media_sha256": "0" * 64, "path": "/s/media/x.mp4", "duration_s": 8.0,
    "has_audio": True, "has_video": True, "source": "demo", "license": "Apache-2.0",
}  # fmt: skip


@pytest.mark.parametrize(
    ("audio", "video", "expected"),
    [(True, True, "audio-visual"), (True, False, "audio"), (False, True, "video")],
)
def test_modality(audio: bool, video: bool, expected: str) -> None:
    assert modality(CLIP | {"has_audio": audio, "has_video": video}) == expected


def trajectory(caption: str) -> dict:
    observation = '[0.0–4.0 s] text on screen: "HELLO OMNI 42"'
    return {
        "caption": caption,
        "transcript": "",
        "evidence": [{"turn": 0, "tool": "ocr", "question": "q", "observation": observation}],
        "finish_reason": "answer",
        "messages": [],
        "turns": [],
    }


def test_an_invented_number_is_flagged_and_counted() -> None:
    supported = caption_row(CLIP, trajectory('The screen shows "HELLO OMNI 42".'))
    invented = caption_row(CLIP, trajectory('The screen shows "HELLO OMNI 43". It is text.'))
    assert supported["hallucination"]["flagged"] == []
    assert supported["hallucination"]["flagged_share"] == 0.0
    assert [f["sentence"] for f in invented["hallucination"]["flagged"]] == [
        'The screen shows "HELLO OMNI 43".'
    ]
    share, lines = flagged_shares([supported, invented])
    assert share == pytest.approx(1 / 3)
    assert lines == ["c1: 0 of 1 sentences flagged", "c1: 1 of 2 sentences flagged"]
    assert flagged_shares([caption_row(CLIP, trajectory(""))])[0] is None


def test_cloze_items_blank_supported_details_with_options_from_the_run() -> None:
    texts = {
        "a" * 16: 'The screen shows "HELLO OMNI 42" until 4.0 s.',
        "b" * 16: 'The screen shows "SCENE TWO" until 8.0 s.',
    }
    rows = []
    for clip_id, caption in texts.items():
        row = caption_row(CLIP | {"clip_id": clip_id}, trajectory(caption))
        row["evidence"][0]["observation"] = f"[0.0–9.0 s] {caption}"
        rows.append(row)
    rows.append(caption_row(CLIP | {"clip_id": "c" * 16}, trajectory("Nothing here.")))
    out, missing = add_cloze(rows, seed=0, max_blanks=3)
    first, second, empty = (row["cloze"] for row in out)
    assert empty is None and missing["caption without a supported detail to blank"] == 1
    for item in (first, second):
        assert first_error("omni/cloze.v1", item) is None
        for blank in item["blanks"]:
            assert blank["options"][-1] == "not given" and len(set(blank["options"])) == 5
            assert blank["options"]["ABCDE".index(blank["answer_letter"])] == blank["answer"]
    pooled = [s for b in first["blanks"] for s in b["option_sources"]]
    assert "pool" in pooled  # the other caption's details of the same kind come first
